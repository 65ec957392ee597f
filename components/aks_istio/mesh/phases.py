"""The canary upgrade's phases as data: which revisions run, where each namespace points, what restarts.

Pure functions of `MeshSettings` (no Pulumi): the plan (`aks_istio.plan`) calls them once per stack, and the
offline `upgrade-plan` command calls them for every phase it prints. The phase table and the ordering they
implement are in `aks_istio.mesh.canary` (AKSDOCS istio-upgrade.md).
"""

from dataclasses import dataclass
from datetime import date

from aks_istio.addon import support_matrix as sm
from aks_istio.config import MeshSettings


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
    HPA spec to the canary's and reverts edits made to the canary's (AKSDOCS istio-upgrade.md)."""
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
    """One `istio-shared-configmap-<rev>` per installed revision (AKSDOCS istio-meshconfig.md); the one of a
    removed revision is deleted after the removal (step 8 of the procedure)."""
    return cluster_revisions(mesh)


def revision_warnings(mesh: MeshSettings, today: date) -> list[str]:
    """Warnings (never errors: AKS keeps running an EOL revision) for revisions past their end of life."""
    running = [mesh.revision] if mesh.upgrade is None else cluster_revisions(mesh)
    warnings: list[str] = []
    for revision in sm.revisions_past_end_of_life(running, today):
        expected = " (Microsoft's expected date)" if revision.end_of_life_expected else ""
        targets = sm.allowed_upgrades(revision.name)
        warnings.append(
            f"mesh revision {revision.name} passed its end of life on {revision.end_of_life}{expected}: "
            f"no new installs and no support; upgrade with mesh.upgrade (to: {' or '.join(targets) or 'a newer'}"
            f" revision), see docs/canary-upgrades.md ({sm.REVISION_CATALOG_SOURCE})"
        )
    return warnings
