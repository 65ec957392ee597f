"""`python -m aks_istio policy-bundle DIR`: the policy pack as one self-contained folder, for
`pulumi policy publish DIR` (Pulumi Cloud policy groups) or to hand to another repository's CI.

The pack reads its facts from `aks_istio.addon`, the package config validation reads too (policy/__main__.py
finds it through the checkout's `components/` source root, or an installed `aks_istio`). Published alone,
`policy/` would find neither: the bundle is `policy/` (without its virtualenv and caches) plus a copy of those
facts as `aks_istio/addon/` next to the rules, where the pack looks first. The revision catalog in it is the
user's refreshed one when there is one (`catalog`, else `$AKS_ISTIO_REVISION_CATALOG` or ./stacks/revisions.json),
so a published pack judges revisions by the same file the stacks are validated with.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import aks_istio.addon
from aks_istio.addon.catalog import CATALOG_FILE, SHIPPED_CATALOG, load_catalog, locate
from aks_istio.offline.verdict import PACK_DIR

ADDON_FACTS = Path(aks_istio.addon.__file__).resolve().parent
LEFT_OUT = ("venv", "__pycache__", "*.pyc")
MARKER = ".aks-istio-policy-bundle"
"""Written into every bundle: only a folder holding it is ever emptied by the next build."""


class BundleError(Exception):
    """The destination is not ours to replace."""


def build(destination: Path, catalog: Path | None = None) -> Path:
    """Write the bundle to `destination`: a new or empty folder, or one an earlier bundle wrote (its marker file
    says so), which is replaced. Anything else is refused (BundleError) and left untouched: given `.`, an
    earlier version deleted a whole checkout. Raises CatalogError, before writing anything, when the catalog to
    carry cannot be read."""
    catalog = catalog or locate()
    load_catalog(catalog)
    if destination.is_symlink() or (destination.exists() and not destination.is_dir()):
        raise BundleError(f"{destination} is not a folder; give a new or empty folder, e.g. dist/policy")
    if destination.exists() and any(destination.iterdir()):
        if not (destination / MARKER).is_file():
            raise BundleError(
                f"{destination} is not empty and holds no earlier policy bundle ({MARKER}); nothing was changed. "
                "Give a new or empty folder, e.g. dist/policy"
            )
        shutil.rmtree(destination)
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copytree(PACK_DIR, destination, ignore=shutil.ignore_patterns(*LEFT_OUT), dirs_exist_ok=True)
    (destination / MARKER).write_text("Written by `python -m aks_istio policy-bundle`; the next bundle replaces it.\n")
    package = destination / "aks_istio"
    package.mkdir()
    (package / "__init__.py").write_text('"""The add-on facts the rules read (copied from the aks_istio library)."""\n')
    shutil.copytree(ADDON_FACTS, package / "addon", ignore=shutil.ignore_patterns(*LEFT_OUT))
    if catalog.resolve() != SHIPPED_CATALOG:
        shutil.copyfile(catalog, package / "addon" / CATALOG_FILE)
    return destination
