"""Catalog files for tests: the shipped catalog with revisions added, as `revisions refresh` would write it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from aks_istio.addon.catalog import catalog_document, shipped_catalog


def catalog_file(folder: Path, *added: dict[str, Any], as_of: date = date(2026, 11, 30)) -> Path:
    """A catalog file in `folder`: the shipped revisions plus `added` entries (catalog file format)."""
    document = catalog_document(shipped_catalog())
    document["asOf"] = as_of.isoformat()
    document["origin"] = "refresh westeurope"
    document["revisions"] += list(added)
    path = folder / "revisions.json"
    path.write_text(json.dumps(document, indent=2))
    return path


def released(name: str, first: str, last: str, on: str) -> dict[str, Any]:
    """A revision as ARM lists it, with the release date a curator added (no end-of-life date yet)."""
    return {"name": name, "kubernetes": [first, last], "upgrades": [], "released": on}
