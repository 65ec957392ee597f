"""Canary revision upgrades: what every phase of `mesh.upgrade` puts on the cluster, and the restarts it makes.

The phases mirror `az aks mesh upgrade start|complete|rollback` plus the relabel/restart steps between them
(https://learn.microsoft.com/azure/aks/istio-upgrade):

| phase    | cluster `revisions` | shared MeshConfig   | managed namespaces' `istio.io/rev`  | restarts            |
|----------|---------------------|---------------------|-------------------------------------|---------------------|
| (none)   | [rev]               | rev                 | rev                                 | -                   |
| start    | [rev, to]           | rev, to             | rev                                 | -                   |
| migrate  | [rev, to]           | rev, to             | `migrated` -> to, the others rev    | migrated, once      |
| complete | [to]                | to                  | to (all must be migrated)           | - (kept from migrate)|
| rollback | [rev]               | rev                 | rev                                 | migrated, once more |

Ordering (the part no other IaC tool gets right). AKS wants `istio-shared-configmap-<to>` to exist *before*
`to` is added to the cluster (https://learn.microsoft.com/azure/aks/istio-meshconfig, "Mesh configuration and
upgrades"), and a rollback
must relabel and restart workloads *before* `to` is removed (https://learn.microsoft.com/azure/aks/istio-upgrade,
rollback steps). The
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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from aks_istio.kubernetes_provider import (
    check_kubernetes_provider,
    kubernetes_provider_field,
    with_kubernetes_provider,
)
from aks_istio.mesh.phases import Restart
from aks_istio.mesh.values import UpgradePhase
from aks_istio.tokens import type_token
from aks_istio.value_checks import check

# Our own key rather than kubectl's `kubectl.kubernetes.io/restartedAt`: a later `kubectl rollout restart`
# then never takes over the field this patch owns (which would make our next step conflict).
RESTART_ANNOTATION = "aks-istio/revision-restart"
# pulumi-kubernetes Patch resources: take the field even if another manager set it.
PATCH_FORCE_ANNOTATION = "pulumi.com/patchForce"


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
    """Inputs of `CanaryUpgrade`: the phase's values, as `aks_istio.plan` derives them from `mesh.upgrade`."""

    kubernetes_provider: pulumi.Input[k8s.Provider] = kubernetes_provider_field()
    """The Kubernetes provider of the cluster this component's Kubernetes objects go to
    (`AksIstioCluster.k8s_provider`). Required: the ambient default provider is never used."""
    phase: UpgradePhase
    """The upgrade phase: start, migrate, complete or rollback."""
    revisions: Sequence[str]
    """Control-plane revisions the cluster runs in this phase."""
    restarts: Sequence[Restart] = ()
    """Deployments to roll in this phase (the annotation value changes once per migrate and rollback)."""

    def __post_init__(self) -> None:
        check(self)
        check_kubernetes_provider(self)


class CanaryUpgrade(pulumi.ComponentResource):
    """The restarts of a canary revision upgrade's phase, after the relabel of their namespaces."""

    phase: pulumi.Output[str]
    """The upgrade phase the stack file is in."""
    revisions: pulumi.Output[list[str]]
    """Control-plane revisions installed in this phase."""
    restarted: pulumi.Output[list[str]]
    """`namespace/deployment` of every Deployment restarted for the upgrade."""

    def __init__(
        self,
        name: str,
        args: CanaryUpgradeArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        wait_for: Sequence[pulumi.Resource] = (),
    ) -> None:
        """Declare the component `name` (its children's names start with it) from `args`; `opts` are Pulumi's
        resource options.

        Fields of `args` (`CanaryUpgradeArgs`):
            kubernetes_provider: The Kubernetes provider of the cluster this component's Kubernetes objects go to
                (`AksIstioCluster.k8s_provider`). Required: the ambient default provider is never used.
            phase: The upgrade phase: start, migrate, complete or rollback.
            revisions: Control-plane revisions the cluster runs in this phase.
            restarts: Deployments to roll in this phase (the annotation value changes once per migrate and rollback).

        Outputs (attributes of the component):
            phase: The upgrade phase the stack file is in.
            revisions: Control-plane revisions installed in this phase.
            restarted: `namespace/deployment` of every Deployment restarted for the upgrade.

        `wait_for`: what the restarts wait for: the resources that set the namespaces' `istio.io/rev` (a restart before
        its relabel would re-inject the old sidecar). Python-side wiring, narrower than `opts.depends_on` (which would
        hold back every child), so not an Args field.
        """
        super().__init__(
            type_token("CanaryUpgrade"), name, None, with_kubernetes_provider(opts, args.kubernetes_provider)
        )
        for restart in args.restarts:
            k8s.apps.v1.DeploymentPatch(
                f"{name}-restart-{restart.namespace}-{restart.deployment}",
                **restart_patch(restart),
                opts=pulumi.ResourceOptions(parent=self, depends_on=list(wait_for), retain_on_delete=True),
            )
        self.phase = pulumi.Output.from_input(args.phase.value)
        self.revisions = pulumi.Output.from_input(list(args.revisions))
        self.restarted = pulumi.Output.from_input([f"{r.namespace}/{r.deployment}" for r in args.restarts])
        self.register_outputs({"phase": self.phase, "revisions": self.revisions, "restarted": self.restarted})
