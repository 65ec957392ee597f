"""The canary upgrade's phases as data: which revisions run, where each namespace points, what restarts.

Pure functions of `MeshSettings` (no Pulumi): the plan (`aks_istio.plan`) calls them once per stack, and the
offline `upgrade-plan` command calls them for every phase it prints. The phase table and the ordering they
implement are in `aks_istio.mesh.canary` (https://learn.microsoft.com/azure/aks/istio-upgrade).
"""

from dataclasses import dataclass
from datetime import date

from aks_istio.addon import lifecycle
from aks_istio.addon.catalog import Catalog, active_catalog, parse_revision
from aks_istio.mesh.values import MeshSettings


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
    if upgrade.phase == "complete" or namespace in migrated_namespaces(mesh):
        return upgrade.to
    return mesh.revision


def stable_revision(mesh: MeshSettings) -> str:
    """The revision whose gateway HPAs may be edited: during a canary the add-on copies the stable revision's
    HPA spec to the canary's and reverts edits made to the canary's (https://learn.microsoft.com/azure/aks/istio-upgrade)."""
    upgrade = mesh.upgrade
    return upgrade.to if upgrade is not None and upgrade.phase == "complete" else mesh.revision


def migrated_namespaces(mesh: MeshSettings) -> list[str]:
    """Managed namespaces the upgrade has moved to its target (empty outside an upgrade)."""
    if mesh.upgrade is None:
        return []
    return mesh.upgrade.migrated_namespaces([ns.name for ns in mesh.namespaces])


@dataclass(frozen=True, kw_only=True)
class Restart:
    """One Deployment rolled so its pods get the sidecar of the revision its namespace now points at."""

    namespace: str
    """Namespace of the Deployment."""
    deployment: str
    """Name of the Deployment."""
    key: str
    """The annotation value; a new value is what restarts the pods."""


def restarts(mesh: MeshSettings) -> list[Restart]:
    """The restarts declared in the current phase: none in start; migrate and complete keep the migrate key
    (so complete restarts nothing); rollback switches to the rollback key (one more restart)."""
    upgrade = mesh.upgrade
    if upgrade is None or upgrade.phase == "start":
        return []
    step = "rollback" if upgrade.phase == "rollback" else "migrate"
    key = f"{step} {mesh.revision}->{upgrade.to}"
    moved = set(migrated_namespaces(mesh))
    return [
        Restart(namespace=namespace, deployment=deployment, key=key)
        for namespace, deployments in upgrade.restarts.items()
        if namespace in moved
        for deployment in deployments
    ]


def shared_configmap_revisions(mesh: MeshSettings) -> list[str]:
    """One `istio-shared-configmap-<rev>` per installed revision
    (https://learn.microsoft.com/azure/aks/istio-meshconfig); the one of a removed revision is deleted after the
    removal (step 8 of the procedure)."""
    return cluster_revisions(mesh)


def gateway_api_revision(mesh: MeshSettings) -> str | None:
    """The `istio.io/rev` label of Gateway API Gateways in this phase: the stack's pin during an upgrade, else none
    (one revision, or AKS's default owner)."""
    return mesh.upgrade.gateway_revision if mesh.upgrade is not None else None


def gateway_api_owner(mesh: MeshSettings) -> str:
    """The revision whose control plane programs the Gateways: the pin, else the higher installed revision ("while a
    canary upgrade is in progress, the higher revision" owns them: https://learn.microsoft.com/azure/aks/istio-gateway-api)."""
    return gateway_api_revision(mesh) or max(cluster_revisions(mesh), key=parse_revision)


def relabel_waits_for_cluster(mesh: MeshSettings) -> bool:
    """migrate and complete point namespaces at `to`: their relabel (and the restarts after it) must wait for the
    cluster update that lists `to`, so a start that failed half-way never leaves pods labelled for an injector
    that does not exist (they would start without sidecars and fail STRICT mTLS). rollback is the other way round:
    namespaces go back to `mesh.revision` *before* `to` is removed (https://learn.microsoft.com/azure/aks/istio-upgrade)."""
    return mesh.upgrade is not None and mesh.upgrade.phase in ("migrate", "complete")


def revision_warnings(
    mesh: MeshSettings, today: date, catalog: Catalog | None = None, kubernetes_version: str | None = None
) -> list[str]:
    """Warnings (never errors: AKS keeps running an end-of-life revision, and a revision newer than the catalog
    may well exist) about the revisions this phase runs and the catalog itself, judged on `today`."""
    catalog = catalog or active_catalog()
    running = cluster_revisions(mesh)
    warnings: list[str] = []
    for name in running:
        revision = lifecycle.resolve(catalog, name, mesh.assumed_kubernetes)
        if revision is not None and name not in catalog.by_name:
            how = f"mesh.newRevisionKubernetes {mesh.new_revision_kubernetes}" if mesh.new_revision_kubernetes else ""
            warnings.append(lifecycle.newer_revision_warning(catalog, revision, how))
    warnings += lifecycle.end_of_life_warnings(catalog, running, today, kubernetes_version)
    stale = lifecycle.catalog_age_warning(catalog, today)
    return warnings + ([stale] if stale else [])
