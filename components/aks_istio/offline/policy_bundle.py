"""`aks-istio policy-bundle DIR`: the policy pack as one self-contained folder, for
`pulumi policy publish DIR` (Pulumi Cloud policy groups) or to hand to another repository's CI.

The pack reads its facts from `aks_istio.addon`, the package config validation reads too (policy/__main__.py
finds it through the checkout's `components/` source root, or an installed `aks_istio`). Published alone,
`policy/` would find neither: the bundle is `policy/` (without its virtualenv and caches) plus a copy of those
facts as `aks_istio/addon/` next to the rules, where the pack looks first. The revision catalog in it is the
user's refreshed one when there is one (`catalog`, else `$AKS_ISTIO_REVISION_CATALOG` or ./stacks/revisions.json),
so a published pack judges revisions by the same file the stacks are validated with.

Every bundle keeps a manifest of the files it wrote (MANIFEST). The next build into the same folder removes only
those, so what a team added beside them (a README, `config/team.json`) stays; a file of theirs at a path the new
bundle would write is refused, not overwritten.
"""

from __future__ import annotations

import fnmatch
import json
import shutil
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Final

import aks_istio.addon
from aks_istio.addon.catalog import CATALOG_FILE, SHIPPED_CATALOG, load_catalog, locate
from aks_istio.offline.verdict import PACK_DIR

ADDON_FACTS = Path(aks_istio.addon.__file__).resolve().parent
LEFT_OUT = ("venv", "__pycache__", "*.pyc")
MANIFEST: Final = ".aks-istio-policy-bundle"
"""Written into every bundle: the files it wrote (JSON). Only a folder holding it is ever changed by the next build,
and only those files are removed."""
MARKER: Final = MANIFEST  # the name earlier versions gave it (then a plain-text marker, without the file list)
PACKAGE_INIT: Final = '"""The add-on facts the rules read (copied from the aks_istio library)."""\n'


class BundleError(Exception):
    """The destination is not ours to replace."""


def _files(source: Path, under: str) -> Iterator[tuple[str, Path]]:
    """(bundle-relative path, source file) of every file under `source` but LEFT_OUT."""
    for path in sorted(source.rglob("*")):
        parts = path.relative_to(source).parts
        if any(fnmatch.fnmatch(part, pattern) for part in parts for pattern in LEFT_OUT) or not path.is_file():
            continue
        yield str(PurePosixPath(under, *parts)), path


def planned(catalog: Path) -> dict[str, Path | str]:
    """What a bundle holds: bundle-relative path -> the file to copy, or the text to write."""
    files: dict[str, Path | str] = dict(_files(PACK_DIR, ""))
    files["aks_istio/__init__.py"] = PACKAGE_INIT
    files.update(_files(ADDON_FACTS, "aks_istio/addon"))
    if catalog.resolve() != SHIPPED_CATALOG:
        files[f"aks_istio/addon/{CATALOG_FILE}"] = catalog
    return files


def earlier_bundle(destination: Path, new: dict[str, Path | str]) -> list[str]:
    """The files an earlier bundle in `destination` wrote (from its manifest; a manifest without a file list, as
    earlier versions wrote, vouches only for the files this bundle writes too); [] for a new or empty folder."""
    if destination.is_symlink() or (destination.exists() and not destination.is_dir()):
        raise BundleError(f"{destination} is not a folder; give a new or empty folder, e.g. dist/policy")
    if not destination.exists() or not any(destination.iterdir()):
        return []
    manifest = destination / MANIFEST
    if not manifest.is_file():
        raise BundleError(
            f"{destination} is not empty and holds no earlier policy bundle ({MANIFEST}); nothing was changed. "
            "Give a new or empty folder, e.g. dist/policy"
        )
    try:
        listed = json.loads(manifest.read_text()).get("files")
    except (ValueError, AttributeError):
        listed = None
    if not isinstance(listed, list):
        listed = list(new)
    return [str(f) for f in listed if _inside(destination, str(f))]


def _inside(destination: Path, relative: str) -> bool:
    """A manifest is a file in the user's folder: never follow one out of it."""
    path = PurePosixPath(relative)
    return not path.is_absolute() and ".." not in path.parts and relative != MANIFEST


def build(destination: Path, catalog: Path | None = None) -> Path:
    """Write the bundle to `destination`: a new or empty folder, or one an earlier bundle wrote (its manifest says
    so), whose earlier files are replaced; anything else in it stays. Anything else is refused (BundleError) and
    left untouched: given `.`, an early version deleted a whole checkout. Raises CatalogError, before writing
    anything, when the catalog to carry cannot be read."""
    catalog = catalog or locate()
    load_catalog(catalog)
    files = planned(catalog)
    previous = earlier_bundle(destination, files)
    ours = set(previous)
    theirs = sorted(rel for rel in files if (destination / rel).exists() and rel not in ours)
    if theirs:
        raise BundleError(
            f"{destination} holds files the bundle would overwrite but an earlier bundle did not write: "
            f"{', '.join(theirs)}; nothing was changed. Move them, or give a new or empty folder"
        )
    for rel in previous:
        path = destination / rel
        if path.is_file() or path.is_symlink():
            path.unlink()
    # The folders those files were in, deepest first, once they are empty (a team's file keeps its folder).
    folders = {p for rel in previous for p in (destination / rel).parents if p.is_relative_to(destination)}
    for folder in sorted(folders - {destination}, key=lambda p: -len(p.parts)):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    for rel, source in files.items():
        target = destination / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(source, Path):
            shutil.copyfile(source, target)
        else:
            target.write_text(source)
    document = {
        "writtenBy": "aks-istio policy-bundle; the next bundle removes exactly these files, and nothing else",
        "files": sorted(files),
    }
    (destination / MANIFEST).write_text(json.dumps(document, indent=2) + "\n")
    return destination
