"""`aks-istio revisions show|refresh`: the revision catalog in use, and a fresh one from Azure.

`refresh --location REGION` reads two ARM look-ups of the region (azure-mgmt-containerservice, `pip install
aks-istio[refresh]`, with azure-identity's DefaultAzureCredential):

- the mesh revision profile, `GET .../locations/{location}/meshRevisionProfiles/istio`
  (`properties.meshRevisions[]{revision, upgrades[], compatibleWith[]{name, versions[]}}`), and
- the region's Kubernetes versions, `GET .../locations/{location}/kubernetesVersions`
  (`values[]{version, isPreview, capabilities.supportPlan[]}`)

(shapes: Azure/azure-rest-api-specs, specification/containerservice/.../aks/stable/2025-10-01/examples/
ManagedClustersGet_MeshRevisionProfile.json and KubernetesVersions_List.json), and writes a catalog file for the
user to keep beside the stack files. ARM gives revisions, Kubernetes ranges and upgrade targets, not end-of-life
or release dates: those stay curated, carried over from the catalog in use. A revision whose Kubernetes range is
empty or unreadable is refused, and then nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from aks_istio.addon import lifecycle
from aks_istio.addon.catalog import (
    CATALOG_FILE,
    REVISION_PATTERN,
    Catalog,
    MinorRange,
    Revision,
    catalog_document,
    kubernetes_minor,
    parse_revision,
)

# `compatibleWith[].name` values: the REST examples return "kubernetes"; `az aks mesh get-revisions` shows one
# entry per support plan, `KubernetesOfficial` and `AKSLongTermSupport` (https://learn.microsoft.com/azure/aks/istio-support-policy).
STANDARD_COMPATIBILITY = frozenset({"kubernetes", "kubernetesofficial"})
LTS_COMPATIBILITY = frozenset({"akslongtermsupport"})
MESH_MODE = "istio"
ARM_SOURCES = (
    "ARM meshRevisionProfiles/istio (Microsoft.ContainerService/locations/{location})",
    "ARM kubernetesVersions (Microsoft.ContainerService/locations/{location})",
)


class ManagedClusters(Protocol):
    """The look-ups of azure-mgmt-containerservice's `ManagedClustersOperations` the revision commands use."""

    def get_mesh_revision_profile(self, location: str, mode: str) -> Any: ...

    def list_kubernetes_versions(self, location: str) -> Any: ...

    def get_mesh_upgrade_profile(self, resource_group_name: str, resource_name: str, mode: str) -> Any: ...


class RefreshError(ValueError):
    """ARM's answer cannot become a catalog; every problem is listed and nothing is written."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class RegionSnapshot:
    """ARM's two answers for one region, as REST bodies (the SDK models' `as_dict()`)."""

    location: str
    mesh_revision_profile: Mapping[str, Any]
    kubernetes_versions: Mapping[str, Any]


def read_region(client: ManagedClusters, location: str) -> RegionSnapshot:
    return RegionSnapshot(
        location,
        client.get_mesh_revision_profile(location, MESH_MODE).as_dict(),
        client.list_kubernetes_versions(location).as_dict(),
    )


class MissingExtraError(RuntimeError):
    """The Azure SDK packages of the `refresh` extra are not installed: nothing was asked of ARM."""


def azure_client(subscription_id: str) -> ManagedClusters:
    """The real client (optional dependencies: `pip install aks-istio[refresh]`)."""
    try:
        from azure.identity import DefaultAzureCredential  # type: ignore[import-untyped,import-not-found,unused-ignore]
        from azure.mgmt.containerservice import ContainerServiceClient
    except ImportError:
        # Name the distributions: the missing module is often just `azure`, and `pip install azure` is not the fix.
        raise MissingExtraError(
            "needs azure-identity and azure-mgmt-containerservice, which are not installed; "
            "run: pip install 'aks-istio[refresh]'"
        ) from None
    client: ManagedClusters = ContainerServiceClient(DefaultAzureCredential(), subscription_id).managed_clusters
    return client


def _minors(versions: object, what: str, problems: list[str]) -> MinorRange | None:
    """A contiguous, non-empty list of `1.N` versions as (first, last) minors, else a problem."""
    minors = (
        sorted({kubernetes_minor(str(v)) or -1 for v in versions}) if isinstance(versions, list) and versions else []
    )
    if not minors or minors[0] < 0 or minors != list(range(minors[0], minors[-1] + 1)):
        problems.append(f"{what}: Kubernetes versions {versions!r} are empty, unreadable or not contiguous")
        return None
    return MinorRange(minors[0], minors[-1])


def _revision(entry: Mapping[str, Any], curated: Catalog, problems: list[str]) -> Revision | None:
    name = entry.get("revision")
    if not isinstance(name, str) or not REVISION_PATTERN.match(name):
        problems.append(f"meshRevisions: {name!r} is not a revision name (asm-<major>-<minor>)")
        return None
    standard: MinorRange | None = None
    lts: MinorRange | None = None
    seen: list[str] = []
    for compatible in entry.get("compatibleWith") or []:
        kind = str(compatible.get("name", ""))
        seen.append(kind)
        if kind.lower() in STANDARD_COMPATIBILITY:
            standard = _minors(compatible.get("versions"), f"{name} compatibleWith {kind}", problems)
        elif kind.lower() in LTS_COMPATIBILITY:
            lts = _minors(compatible.get("versions"), f"{name} compatibleWith {kind}", problems)
    if standard is None:
        if not any(kind.lower() in STANDARD_COMPATIBILITY for kind in seen):
            problems.append(
                f"{name}: no Kubernetes range in compatibleWith (names {seen or 'none'}; expected one of "
                "kubernetes, KubernetesOfficial)"
            )
        return None
    upgrades = tuple(u for u in entry.get("upgrades") or [] if isinstance(u, str) and REVISION_PATTERN.match(u))
    # Dates are not in ARM: keep the curated ones (and the curated LTS range when ARM gave none).
    known = curated.by_name.get(name) or Revision(name=name, min_kubernetes_minor=0, max_kubernetes_minor=0)
    return replace(
        known,
        min_kubernetes_minor=standard.first,
        max_kubernetes_minor=standard.last,
        upgrades=upgrades,
        lts_kubernetes=lts or known.lts_kubernetes,
    )


def refreshed_catalog(snapshot: RegionSnapshot, curated: Catalog, today: date) -> Catalog:
    """The catalog ARM describes for the region, with the curated dates; RefreshError lists every problem."""
    problems: list[str] = []
    entries = (snapshot.mesh_revision_profile.get("properties") or {}).get("meshRevisions")
    if not isinstance(entries, list) or not entries:
        raise RefreshError([f"{snapshot.location}: the mesh revision profile lists no revisions"])
    listed = [r for r in (_revision(e, curated, problems) for e in entries if isinstance(e, Mapping)) if r]
    if problems:
        raise RefreshError(problems)
    names = {r.name for r in listed}
    # Revisions the region no longer offers stay, with their dates: end-of-life warnings need them.
    oldest = min(parse_revision(n) for n in names)
    retired = [r for r in curated.revisions if parse_revision(r.name) < oldest]
    revisions = tuple(sorted([*retired, *listed], key=lambda r: parse_revision(r.name)))
    return Catalog(
        revisions=revisions,
        as_of=today,
        sources=(*(s.format(location=snapshot.location) for s in ARM_SOURCES), *curated.sources),
        origin=f"refresh {snapshot.location}",
        region_kubernetes=tuple(region_kubernetes(snapshot)),
    )


def region_kubernetes(snapshot: RegionSnapshot) -> list[str]:
    """The region's generally available Kubernetes minors (ARM kubernetesVersions, previews left out)."""
    values = snapshot.kubernetes_versions.get("values") or []
    return [str(v["version"]) for v in values if isinstance(v, Mapping) and "version" in v and not v.get("isPreview")]


def write_catalog(catalog: Catalog, path: Path) -> Path:
    path.write_text(json.dumps(catalog_document(catalog), indent=2) + "\n")
    return path


def default_path(stack_folder: Path) -> Path:
    return stack_folder / CATALOG_FILE


def catalog_name(catalog: Catalog) -> str:
    """The catalog file as outputs name it: the shipped one as such, a refreshed one relative to its repository."""
    from aks_istio.offline.stack_files import display_path

    return "the shipped catalog" if catalog.shipped else display_path(catalog.path)


def show_json(catalog: Catalog, today: date) -> dict[str, Any]:
    """`revisions show --json`: the catalog in use and each revision's standing on `today`, the revisions past end
    of life listed apart from the supported ones (docs/preview-output.schema.json, `revisions`)."""
    stale = lifecycle.catalog_age_warning(catalog, today)
    revisions = []
    for revision in catalog.revisions:
        ends = lifecycle.end_of_life(catalog, revision)
        revisions.append(
            {
                "name": revision.name,
                "kubernetes": [f"1.{revision.min_kubernetes_minor}", f"1.{revision.max_kubernetes_minor}"],
                "ltsKubernetes": [f"1.{m}" for m in revision.lts_kubernetes] if revision.lts_kubernetes else None,
                "upgrades": list(revision.upgrades),
                "endOfLife": revision.end_of_life.isoformat() if revision.end_of_life else None,
                "endOfLifeExpected": revision.end_of_life_expected,
                "endsOn": ends.isoformat() if ends else None,
                "pastEndOfLife": ends is not None and today > ends,
            }
        )
    return {
        "version": 1,
        "command": "revisions show",
        "catalog": {
            "file": catalog_name(catalog),
            "origin": catalog.origin or "curated",
            "asOf": catalog.as_of.isoformat(),
            "ageDays": (today - catalog.as_of).days,
            "sources": list(catalog.sources),
        },
        "warnings": [{"key": None, "line": None, "message": stale}] if stale else [],
        "supported": [r["name"] for r in revisions if not r["pastEndOfLife"]],
        "pastEndOfLife": [r["name"] for r in revisions if r["pastEndOfLife"]],
        "revisions": revisions,
    }


def show(catalog: Catalog, today: date) -> str:
    """The catalog in use, its age and each revision's standing on `today`."""
    age = (today - catalog.as_of).days
    lines = [
        f"revision catalog: {catalog_name(catalog)} ({catalog.origin or 'curated'}), as of {catalog.as_of} "
        f"({age} days old)",
        *[f"source: {s}" for s in catalog.sources],
    ]
    stale = lifecycle.catalog_age_warning(catalog, today)
    lines += [f"warning: {stale}"] if stale else []
    lines.append("")
    lines.append(f"{'revision':<10} {'kubernetes':<11} {'lts':<11} {'upgrades':<20} {'end of life':<28} standing")
    for revision in catalog.revisions:
        ends = lifecycle.end_of_life(catalog, revision)
        if revision.end_of_life is None:
            eol = "unknown (not curated)"
        else:
            eol = f"{revision.end_of_life} ({'expected' if revision.end_of_life_expected else 'announced'})"
        standing = "supported" if ends is None or today <= ends else f"past end of life since {ends}"
        lts = f"1.{revision.lts_kubernetes.first}-1.{revision.lts_kubernetes.last}" if revision.lts_kubernetes else "-"
        lines.append(
            f"{revision.name:<10} {revision.kubernetes_range:<11} {lts:<11} {', '.join(revision.upgrades) or '-':<20} "
            f"{eol:<28} {standing}"
        )
    return "\n".join(lines)
