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


def build(destination: Path, catalog: Path | None = None) -> Path:
    """Write the bundle to `destination` (replaced if it exists); returns it. Raises CatalogError, before writing
    anything, when the catalog to carry cannot be read."""
    catalog = catalog or locate()
    load_catalog(catalog)
    if destination.exists():
        shutil.rmtree(destination)
    shutil.copytree(PACK_DIR, destination, ignore=shutil.ignore_patterns(*LEFT_OUT))
    package = destination / "aks_istio"
    package.mkdir()
    (package / "__init__.py").write_text('"""The add-on facts the rules read (copied from the aks_istio library)."""\n')
    shutil.copytree(ADDON_FACTS, package / "addon", ignore=shutil.ignore_patterns(*LEFT_OUT))
    if catalog.resolve() != SHIPPED_CATALOG:
        shutil.copyfile(catalog, package / "addon" / CATALOG_FILE)
    return destination
