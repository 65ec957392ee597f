"""`python -m aks_istio policy-bundle DIR`: the policy pack as one self-contained folder, for
`pulumi policy publish DIR` (Pulumi Cloud policy groups) or to hand to another repository's CI.

In this repository the pack reads its facts from `components/support_matrix.py`, the one module config
validation reads too (policy/__main__.py puts the repo root on the path). Published alone, `policy/` would not
find it: the bundle is `policy/` (without its virtualenv and caches) plus that module, as
`components/support_matrix.py` next to the rules, where the pack looks first.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .stack_files import REPO_ROOT
from .verdict import PACK_DIR

SUPPORT_MATRIX = REPO_ROOT / "components" / "support_matrix.py"
LEFT_OUT = ("venv", "__pycache__", "*.pyc")


def build(destination: Path) -> Path:
    """Write the bundle to `destination` (replaced if it exists); returns it."""
    if destination.exists():
        shutil.rmtree(destination)
    shutil.copytree(PACK_DIR, destination, ignore=shutil.ignore_patterns(*LEFT_OUT))
    package = destination / "components"
    package.mkdir()
    (package / "__init__.py").write_text(
        '"""The support facts the rules read (copied from aks-istio\'s components/)."""\n'
    )
    shutil.copy2(SUPPORT_MATRIX, package / "support_matrix.py")
    return destination
