"""`python -m aks_istio policy-bundle DIR`: the policy pack as one self-contained folder, for
`pulumi policy publish DIR` (Pulumi Cloud policy groups) or to hand to another repository's CI.

The pack reads its facts from `aks_istio.addon`, the package config validation reads too (policy/__main__.py
finds it through the checkout's `components/` source root, or an installed `aks_istio`). Published alone,
`policy/` would find neither: the bundle is `policy/` (without its virtualenv and caches) plus a copy of those
facts as `aks_istio/addon/` next to the rules, where the pack looks first.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import aks_istio.addon
from aks_istio.offline.verdict import PACK_DIR

ADDON_FACTS = Path(aks_istio.addon.__file__).resolve().parent
# analyze_once.py is the offline tool's patch of pulumi-policy (offline/pack_launcher.py): the published pack runs
# pulumi-policy as it ships.
LEFT_OUT = ("venv", "__pycache__", "*.pyc", "analyze_once.py")


def build(destination: Path) -> Path:
    """Write the bundle to `destination` (replaced if it exists); returns it."""
    if destination.exists():
        shutil.rmtree(destination)
    shutil.copytree(PACK_DIR, destination, ignore=shutil.ignore_patterns(*LEFT_OUT))
    package = destination / "aks_istio"
    package.mkdir()
    (package / "__init__.py").write_text('"""The add-on facts the rules read (copied from the aks_istio library)."""\n')
    shutil.copytree(ADDON_FACTS, package / "addon", ignore=shutil.ignore_patterns(*LEFT_OUT))
    return destination
