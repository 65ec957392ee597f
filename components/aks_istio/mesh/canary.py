"""Canary revision upgrades: what every phase of `mesh.upgrade` puts on the cluster, and the restarts it makes.

The phases mirror `az aks mesh upgrade start|complete|rollback` plus the relabel/restart steps between them
(AKSDOCS istio-upgrade.md; aks-istio-addon.md §3):

| phase    | cluster `revisions` | shared MeshConfig   | managed namespaces' `istio.io/rev`  | restarts            |
|----------|---------------------|---------------------|-------------------------------------|---------------------|
| (none)   | [rev]               | rev                 | rev                                 | -                   |
| start    | [rev, to]           | rev, to             | rev                                 | -                   |
| migrate  | [rev, to]           | rev, to             | `migrated` -> to, the others rev    | migrated, once      |
| complete | [to]                | to                  | to (all must be migrated)           | - (kept from migrate)|
| rollback | [rev]               | rev                 | rev                                 | migrated, once more |

Ordering (the part no other IaC tool gets right). AKS wants `istio-shared-configmap-<to>` to exist *before*
`to` is added to the cluster (AKSDOCS istio-meshconfig.md, "Mesh configuration and upgrades"), and a rollback
must relabel and restart workloads *before* `to` is removed (AKSDOCS istio-upgrade.md, rollback steps). The
usual Kubernetes provider takes its credentials from the ManagedCluster's outputs, so anything declared with
it runs *after* the cluster update: making the cluster depend on it would be a cycle.

The platform therefore declares the mesh-side resources (shared MeshConfig, namespaces, restarts) through a
provider of their own, `<platform>-mesh-k8s`. While an upgrade is in progress its credentials are looked up
by the cluster's *name* (plain strings from the stack file: the cluster exists, it runs `mesh.revision`), so
they do not wait for the cluster update, and the ManagedCluster `depends_on` those resources: the engine
creates the new ConfigMap (start) and relabels and restarts (rollback) first, then changes `revisions`.
Outside an upgrade the same provider's credentials wait on the cluster as usual, so a new stack still
creates its cluster first. In migrate and complete the namespaces move *to* the new revision, so their relabel
and restarts wait for the cluster instead (`relabel_waits_for_cluster`): if start failed half-way, the cluster
update fails again before any pod is labelled for a control plane that is not there. The provider keeps one
URN and one kubeconfig value in every phase, so no resource ever changes provider (which could replace it).

Restarts: the platform does not know application workloads, so `upgrade.restarts` lists the Deployments per
migrated namespace. Each gets a server-side-apply patch of one pod-template annotation whose value is keyed
to (step, from, to): it changes exactly once when a namespace is migrated and once more on rollback, never
on re-runs or on complete. The patches are `retain_on_delete`, so dropping the upgrade block afterwards does
not remove the annotation (removing it would roll the pods again).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from aks_istio.addon import lifecycle
from aks_istio.addon.catalog import Catalog, active_catalog, parse_revision
from aks_istio.config import MeshSettings
from aks_istio.tokens import type_token

# Our own key rather than kubectl's `kubectl.kubernetes.io/restartedAt`: a later `kubectl rollout restart`
# then never takes over the field this patch owns (which would make our next step conflict).
RESTART_ANNOTATION = "aks-istio/revision-restart"
# pulumi-kubernetes Patch resources: take the field even if another manager set it.
PATCH_FORCE_ANNOTATION = "pulumi.com/patchForce"


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


def gateway_api_revision(mesh: MeshSettings) -> str | None:
    """The `istio.io/rev` label of Gateway API Gateways in this phase: the stack's pin during an upgrade, else none
    (one revision, or AKS's default owner)."""
    return mesh.upgrade.gateway_revision if mesh.upgrade is not None else None


def gateway_api_owner(mesh: MeshSettings) -> str:
    """The revision whose control plane programs the Gateways: the pin, else the higher installed revision ("while a
    canary upgrade is in progress, the higher revision" owns them: AKSDOCS istio-gateway-api.md)."""
    return gateway_api_revision(mesh) or max(cluster_revisions(mesh), key=parse_revision)


def relabel_waits_for_cluster(mesh: MeshSettings) -> bool:
    """migrate and complete point namespaces at `to`: their relabel (and the restarts after it) must wait for the
    cluster update that lists `to`, so a start that failed half-way never leaves pods labelled for an injector
    that does not exist (they would start without sidecars and fail STRICT mTLS). rollback is the other way round:
    namespaces go back to `mesh.revision` *before* `to` is removed (AKSDOCS istio-upgrade.md)."""
    return mesh.upgrade is not None and mesh.upgrade.phase in ("migrate", "complete")


def migrated_namespaces(mesh: MeshSettings) -> list[str]:
    """Managed namespaces the upgrade has moved to its target (empty outside an upgrade)."""
    if mesh.upgrade is None:
        return []
    return mesh.upgrade.migrated_namespaces([ns.name for ns in mesh.namespaces])


@dataclass(frozen=True)
class Restart:
    """One Deployment rolled so its pods get the sidecar of the revision its namespace now points at."""

    namespace: str
    deployment: str
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
        Restart(namespace, deployment, key)
        for namespace, deployments in upgrade.restarts.items()
        if namespace in moved
        for deployment in deployments
    ]


def shared_configmap_revisions(mesh: MeshSettings) -> list[str]:
    """One `istio-shared-configmap-<rev>` per installed revision (AKSDOCS istio-meshconfig.md); the one of a
    removed revision is deleted after the removal (step 8 of the procedure)."""
    return cluster_revisions(mesh)


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


def revision_handover_options(parent: pulumi.Resource) -> pulumi.ResourceOptions:
    """Options of a patch on a per-revision object the add-on owns (a gateway's HPA `<gateway>-<revision>`). At
    complete the patch moves to the new revision's object; the engine would then delete the old patch, which
    means a server-side apply to the old revision's HPA, which AKS removes with the old control plane: the delete
    could fail on an object that is gone. Retained, the old patch just leaves the state (its object goes anyway)."""
    return pulumi.ResourceOptions(parent=parent, retain_on_delete=True)


def restart_patch(restart: Restart) -> dict[str, Any]:
    """The DeploymentPatch body: only the pod-template annotation (server-side apply leaves the rest alone)."""
    return {
        "metadata": {
            "name": restart.deployment,
            "namespace": restart.namespace,
            "annotations": {PATCH_FORCE_ANNOTATION: "true"},
        },
        "spec": {"template": {"metadata": {"annotations": {RESTART_ANNOTATION: restart.key}}}},
    }


@dataclass(frozen=True, kw_only=True)
class CanaryUpgradeArgs:
    mesh: MeshSettings
    """The mesh settings with `upgrade` set."""
    relabelled_by: Sequence[pulumi.Resource] = ()
    """The resources that set the namespaces' `istio.io/rev`: a restart before its relabel would re-inject the
    old sidecar."""

    def __post_init__(self) -> None:
        if self.mesh.upgrade is None:
            raise ValueError("CanaryUpgrade needs mesh.upgrade; without an upgrade there is nothing to restart")


class CanaryUpgrade(pulumi.ComponentResource):
    phase: pulumi.Output[str]
    """The upgrade phase the stack file is in."""
    revisions: pulumi.Output[list[str]]
    """Control-plane revisions installed in this phase."""
    restarted: pulumi.Output[list[str]]
    """`namespace/deployment` of every Deployment restarted for the upgrade."""

    def __init__(self, name: str, args: CanaryUpgradeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("CanaryUpgrade"), name, None, opts)
        mesh = args.mesh
        assert mesh.upgrade is not None  # checked in CanaryUpgradeArgs.__post_init__
        planned = restarts(mesh)
        for restart in planned:
            k8s.apps.v1.DeploymentPatch(
                f"{name}-restart-{restart.namespace}-{restart.deployment}",
                **restart_patch(restart),
                opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.relabelled_by), retain_on_delete=True),
            )
        self.phase = pulumi.Output.from_input(mesh.upgrade.phase)
        self.revisions = pulumi.Output.from_input(cluster_revisions(mesh))
        self.restarted = pulumi.Output.from_input([f"{r.namespace}/{r.deployment}" for r in planned])
        self.register_outputs({"phase": self.phase, "revisions": self.revisions, "restarted": self.restarted})
