"""Canary revision upgrades: which revisions run, and which revision each namespace points at, per phase.

Pure functions over `MeshSettings`; the components call them to build the cluster's `revisions` list and the
namespace labels. The phases mirror `az aks mesh upgrade start|complete|rollback` (AKSDOCS istio-upgrade.md).
"""

from __future__ import annotations

from .config import MeshSettings


def cluster_revisions(mesh: MeshSettings) -> list[str]:
    """`serviceMeshProfile.istio.revisions` for the current phase."""
    upgrade = mesh.upgrade
    if upgrade is None:
        return [mesh.revision]
    if upgrade.phase == "complete":
        return [upgrade.to]
    if upgrade.phase == "rollback":
        return [mesh.revision]
    return [mesh.revision, upgrade.to]


def namespace_revision(mesh: MeshSettings, namespace: str) -> str:
    """The revision a managed namespace's `istio.io/rev` label points at in the current phase."""
    upgrade = mesh.upgrade
    if upgrade is None or upgrade.phase in ("start", "rollback"):
        return mesh.revision
    return upgrade.to


def stable_revision(mesh: MeshSettings) -> str:
    """The revision whose gateway HPAs may be edited: during a canary the add-on copies the stable revision's
    HPA spec to the canary's and reverts edits made to the canary's (AKSDOCS istio-upgrade.md)."""
    upgrade = mesh.upgrade
    return upgrade.to if upgrade is not None and upgrade.phase == "complete" else mesh.revision
