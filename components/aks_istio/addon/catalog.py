"""The revision catalog: which `asm-1-N` revisions exist, the Kubernetes minors each runs on, their upgrade
targets and end-of-life dates. Data that ages, so it is a data file with an as-of date, not code.

Where the catalog comes from (the first that exists wins; `locate`):

1. the file `AKS_ISTIO_REVISION_CATALOG` names (the offline CLI sets it to the stack folder's file, so the
   program and the policy pack it starts read the same one; set it yourself for `pulumi preview --policy-pack`);
2. `revisions.json` in the stack folder (`stacks/` of the current directory: where Pulumi runs the program), as
   `aks-istio revisions refresh` writes it;
3. the catalog shipped in this package (`revisions.json` beside this module; read-only package data, which a
   policy bundle replaces with the user's file when there is one).

The reader is pure (json and dataclasses only): config validation, the program and the policy pack, whose
virtualenv has neither pydantic nor the provider SDKs, all load it.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final, NamedTuple

CATALOG_ENV: Final = "AKS_ISTIO_REVISION_CATALOG"
CATALOG_FILE: Final = "revisions.json"
SHIPPED_CATALOG: Final = Path(__file__).resolve().parent / CATALOG_FILE
STACK_FOLDER: Final = "stacks"
# Format enforced by the CLI (`validate_azure_service_mesh_revision`, Azure/azure-cli acs/_validators.py).
REVISION_PATTERN: Final = re.compile(r"^asm-(\d+)-(\d+)$")
KUBERNETES_PATTERN: Final = re.compile(r"^1\.(\d+)(?:\.\d+)?$")
EXPECTED: Final = "expected"
ANNOUNCED: Final = "announced"


class CatalogError(ValueError):
    """A catalog file that cannot be read, with the file and the entry at fault."""


class RevisionNumber(NamedTuple):
    """A revision's Istio version; compares as versions do (`asm-1-9` < `asm-1-28`)."""

    major: int
    minor: int


class MinorRange(NamedTuple):
    """The first and last Kubernetes minor of a range (`['1.32', '1.36']` -> 32, 36)."""

    first: int
    last: int


def parse_revision(name: str) -> RevisionNumber:
    """`asm-1-28` -> RevisionNumber(major=1, minor=28); raises ValueError for anything else."""
    match = REVISION_PATTERN.match(name)
    if match is None:
        raise ValueError(f"{name!r} is not a revision name of the form asm-<major>-<minor>")
    return RevisionNumber(int(match.group(1)), int(match.group(2)))


def kubernetes_minor(version: str) -> int | None:
    """`1.34` or `1.34.2` -> 34; None for anything that is not a 1.x version."""
    match = KUBERNETES_PATTERN.match(version)
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class Revision:
    """One `asm-1-N` revision and the AKS Kubernetes minors it runs on."""

    name: str
    min_kubernetes_minor: int
    max_kubernetes_minor: int
    end_of_life: date | None = None
    """Last day of support; None when no date is known (a revision ARM lists that the calendar does not yet)."""
    end_of_life_expected: bool = False
    """The date is Microsoft's calendar estimate, not an announced deprecation."""
    upgrades: tuple[str, ...] = ()
    """Revisions a canary upgrade from this one may target (n+1, or n+2 skipping one)."""
    released: date | None = None
    """When AKS started rolling it out (the first of the month when only the month is known)."""
    lts_kubernetes: MinorRange | None = None
    """Kubernetes minors it runs on under AKS long-term support, where that differs from the standard range."""
    end_of_life_source: str = ""

    @property
    def minor(self) -> int:
        return parse_revision(self.name).minor

    def supports_kubernetes(self, kubernetes_version: str) -> bool:
        minor = kubernetes_minor(kubernetes_version)
        return minor is not None and self.min_kubernetes_minor <= minor <= self.max_kubernetes_minor

    @property
    def kubernetes_range(self) -> str:
        return f"1.{self.min_kubernetes_minor}-1.{self.max_kubernetes_minor}"


@dataclass(frozen=True)
class Catalog:
    """The revisions known as of `as_of`, oldest first, and where that knowledge came from."""

    revisions: tuple[Revision, ...]
    as_of: date
    sources: tuple[str, ...]
    origin: str
    """`curated` for the shipped file; `refresh <region>` for a file `revisions refresh` wrote."""
    path: str = ""
    region_kubernetes: tuple[str, ...] = ()
    """Generally available Kubernetes minors of the region a refresh read (empty in the curated catalog)."""
    by_name: Mapping[str, Revision] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {r.name: r for r in self.revisions})

    @property
    def newest(self) -> Revision:
        return self.revisions[-1]

    @property
    def shipped(self) -> bool:
        return Path(self.path) == SHIPPED_CATALOG

    def supporting(self, kubernetes_version: str) -> list[str]:
        """Revisions that run on this Kubernetes version, oldest first."""
        return [r.name for r in self.revisions if r.supports_kubernetes(kubernetes_version)]

    def upgrades_of(self, revision: str) -> list[str]:
        known = self.by_name.get(revision)
        return list(known.upgrades) if known is not None else []

    def source_note(self) -> str:
        where = "the shipped catalog" if self.shipped else self.path
        return f"{where}, as of {self.as_of}"


# --- Reading --------------------------------------------------------------------------------------------------------
def _month_or_day(text: str) -> date:
    """`2026-07-17` or `2026-07` (the first of the month)."""
    return date.fromisoformat(text if len(text) > 7 else f"{text}-01")


def _minor_range(value: object, what: str) -> MinorRange:
    if not (isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2):
        raise CatalogError(f"{what}: {value!r} is not a [first, last] pair of Kubernetes minors, e.g. ['1.32', '1.36']")
    low, high = (kubernetes_minor(str(v)) for v in value)
    if low is None or high is None or low > high:
        raise CatalogError(f"{what}: {value!r} is not a [first, last] pair of Kubernetes minors, e.g. ['1.32', '1.36']")
    return MinorRange(low, high)


def _revision(entry: Mapping[str, Any], where: str) -> Revision:
    name = entry.get("name")
    if not isinstance(name, str) or not REVISION_PATTERN.match(name):
        raise CatalogError(f"{where}.name: {name!r} is not a revision name (asm-<major>-<minor>)")
    low, high = _minor_range(entry.get("kubernetes"), f"{where}.kubernetes ({name})")
    lts = _minor_range(entry["kubernetesLts"], f"{where}.kubernetesLts ({name})") if "kubernetesLts" in entry else None
    eol = entry.get("endOfLife") or {}
    status = eol.get("status", EXPECTED)
    if status not in (EXPECTED, ANNOUNCED):
        raise CatalogError(f"{where}.endOfLife.status ({name}): {status!r}; allowed: {EXPECTED}, {ANNOUNCED}")
    try:
        end = date.fromisoformat(eol["date"]) if eol.get("date") else None
        released = _month_or_day(entry["released"]) if entry.get("released") else None
    except ValueError as error:
        raise CatalogError(f"{where} ({name}): {error}; dates are YYYY-MM-DD (released may be YYYY-MM)") from None
    upgrades = entry.get("upgrades", [])
    if not isinstance(upgrades, list) or not all(isinstance(u, str) and REVISION_PATTERN.match(u) for u in upgrades):
        raise CatalogError(f"{where}.upgrades ({name}): {upgrades!r} is not a list of revision names")
    return Revision(
        name=name,
        min_kubernetes_minor=low,
        max_kubernetes_minor=high,
        end_of_life=end,
        end_of_life_expected=status == EXPECTED,
        upgrades=tuple(upgrades),
        released=released,
        lts_kubernetes=lts,
        end_of_life_source=str(eol.get("source", "")),
    )


def parse_catalog(document: Mapping[str, Any], path: str) -> Catalog:
    """A catalog from its JSON document; CatalogError names the entry at fault."""
    entries = document.get("revisions")
    if not isinstance(entries, list) or not entries:
        raise CatalogError(f"{path}: revisions must be a non-empty list")
    revisions = sorted(
        (_revision(e, f"{path}: revisions[{i}]") for i, e in enumerate(entries) if isinstance(e, Mapping)),
        key=lambda r: parse_revision(r.name),
    )
    if len(revisions) != len(entries):
        raise CatalogError(f"{path}: every entry of revisions must be an object")
    try:
        as_of = date.fromisoformat(str(document.get("asOf")))
    except ValueError:
        raise CatalogError(f"{path}: asOf {document.get('asOf')!r} is not a date (YYYY-MM-DD)") from None
    sources = document.get("sources", [])
    region = tuple(str(v) for v in document.get("regionKubernetes", []))
    origin = str(document.get("origin", ""))
    return Catalog(tuple(revisions), as_of, tuple(str(s) for s in sources), origin, path, region)


@functools.lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int) -> Catalog:
    try:
        document = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise CatalogError(f"{path}: cannot read the revision catalog ({error})") from None
    if not isinstance(document, Mapping):
        raise CatalogError(f"{path}: the revision catalog must be a JSON object")
    return parse_catalog(document, path)


def load_catalog(path: Path) -> Catalog:
    """The catalog in `path` (read once per file version)."""
    resolved = path.resolve()
    try:
        mtime = resolved.stat().st_mtime_ns
    except OSError as error:
        raise CatalogError(f"{path}: cannot read the revision catalog ({error})") from None
    return _load(str(resolved), mtime)


def locate(stack_folder: Path | None = None) -> Path:
    """The catalog file in use: `$AKS_ISTIO_REVISION_CATALOG`, else `<stack folder>/revisions.json` when it exists
    (default folder: ./stacks), else the shipped one."""
    named = os.environ.get(CATALOG_ENV)
    if named:
        return Path(named)
    beside = (stack_folder if stack_folder is not None else Path.cwd() / STACK_FOLDER) / CATALOG_FILE
    return beside if beside.is_file() else SHIPPED_CATALOG


def active_catalog(stack_folder: Path | None = None) -> Catalog:
    """The catalog `locate` finds, read."""
    return load_catalog(locate(stack_folder))


def shipped_catalog() -> Catalog:
    return load_catalog(SHIPPED_CATALOG)


def catalog_document(catalog: Catalog) -> dict[str, Any]:
    """The JSON document of a catalog (what `revisions refresh` writes; `parse_catalog` reads it back)."""

    def revision(r: Revision) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "name": r.name,
            "kubernetes": [f"1.{r.min_kubernetes_minor}", f"1.{r.max_kubernetes_minor}"],
        }
        if r.lts_kubernetes is not None:
            entry["kubernetesLts"] = [f"1.{r.lts_kubernetes.first}", f"1.{r.lts_kubernetes.last}"]
        entry["upgrades"] = list(r.upgrades)
        if r.released is not None:
            entry["released"] = r.released.isoformat()
        if r.end_of_life is not None:
            entry["endOfLife"] = {
                "date": r.end_of_life.isoformat(),
                "status": EXPECTED if r.end_of_life_expected else ANNOUNCED,
                "source": r.end_of_life_source,
            }
        return entry

    document: dict[str, Any] = {
        "asOf": catalog.as_of.isoformat(),
        "origin": catalog.origin,
        "sources": list(catalog.sources),
    }
    if catalog.region_kubernetes:
        document["regionKubernetes"] = list(catalog.region_kubernetes)
    document["revisions"] = [revision(r) for r in catalog.revisions]
    return document
