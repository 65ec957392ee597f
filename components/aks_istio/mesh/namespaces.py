"""MeshNamespaces: application namespaces in the mesh, and mesh-wide mTLS STRICT.

The add-on injects sidecars only into namespaces labelled `istio.io/rev=<revision>`; the upstream
`istio-injection=enabled` label makes it *skip* the namespace
(https://learn.microsoft.com/azure/aks/istio-deploy-addon). Mesh-wide
policy lives in the add-on's root namespace, `aks-istio-system`.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from aks_istio.addon import support_matrix as sm
from aks_istio.kubernetes_provider import (
    check_kubernetes_provider,
    kubernetes_provider_field,
    with_kubernetes_provider,
)
from aks_istio.mesh.values import MeshNamespace, MtlsMode, revision_reason
from aks_istio.tokens import type_token
from aks_istio.value_checks import Key, Problems, check

__all__ = ["MeshNamespace", "MeshNamespaces", "MeshNamespacesArgs", "MtlsMode"]

PEER_AUTHENTICATION_API = "security.istio.io/v1"


def namespace_labels(namespace: MeshNamespace, revision: str) -> dict[str, str]:
    return {**namespace.labels, sm.REVISION_LABEL: revision}


def peer_authentication(namespace: str, mode: str) -> dict[str, Any]:
    """A PeerAuthentication named `default`: in the root namespace it is the mesh-wide policy."""
    return {
        "api_version": PEER_AUTHENTICATION_API,
        "kind": "PeerAuthentication",
        "metadata": {"name": "default", "namespace": namespace},
        "spec": {"mtls": {"mode": mode}},
    }


@dataclass(frozen=True, kw_only=True)
class MeshNamespacesArgs:
    """Inputs of `MeshNamespaces`."""

    kubernetes_provider: pulumi.Input[k8s.Provider] = kubernetes_provider_field()
    """The Kubernetes provider of the cluster this component's Kubernetes objects go to
    (`AksIstioCluster.k8s_provider`). Required: the ambient default provider is never used."""
    namespaces: Sequence[MeshNamespace] = ()
    """Namespaces to create, each with its mTLS mode."""
    revisions: dict[str, str] = field(default_factory=dict)
    """Namespace name -> the revision its `istio.io/rev` label points at (the plan's: `mesh.revision`, or during
    a canary upgrade the phase's)."""

    def __post_init__(self) -> None:
        check(self)
        check_kubernetes_provider(self)

    def rules(self, problems: Problems) -> None:
        names = [ns.name for ns in self.namespaces]
        for index, name in enumerate(names):
            if names.index(name) != index:
                problems.add(("namespaces", index, "name"), f"{name!r} is listed twice")
            revision = self.revisions.get(name)
            if revision is None:
                problems.add("revisions", f"{name!r} has no revision; allowed: a revision for every namespace")
            else:
                reason = revision_reason(revision)
                if reason is not None:
                    problems.add(("revisions", Key(name)), reason)


class MeshNamespaces(pulumi.ComponentResource):
    """Application namespaces labelled for the add-on's sidecar injection, and mesh-wide mTLS STRICT."""

    namespaces: pulumi.Output[list[str]]
    """Names of the namespaces in the mesh."""

    def __init__(
        self,
        name: str,
        args: MeshNamespacesArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        wait_for: Sequence[pulumi.Resource] = (),
    ) -> None:
        """Declare the component `name` (its children's names start with it) from `args`; `opts` are Pulumi's
        resource options.

        Fields of `args` (`MeshNamespacesArgs`):
            kubernetes_provider: The Kubernetes provider of the cluster this component's Kubernetes objects go to
                (`AksIstioCluster.k8s_provider`). Required: the ambient default provider is never used.
            namespaces: Namespaces to create, each with its mTLS mode.
            revisions: Namespace name -> the revision its `istio.io/rev` label points at (the plan's: `mesh.revision`,
                or during a canary upgrade the phase's).

        Outputs (attributes of the component):
            namespaces: Names of the namespaces in the mesh.

        `wait_for`: what the namespaces (their `istio.io/rev` label) wait for: the cluster, when they move to a revision
        the cluster only now lists (`aks_istio.mesh.phases.relabel_waits_for_cluster`). Python-side wiring, narrower
        than `opts.depends_on` (which would hold back every child), so not an Args field.
        """
        super().__init__(
            type_token("MeshNamespaces"), name, None, with_kubernetes_provider(opts, args.kubernetes_provider)
        )
        child = pulumi.ResourceOptions(parent=self)
        labelled = pulumi.ResourceOptions(parent=self, depends_on=list(wait_for)) if wait_for else child

        k8s.apiextensions.CustomResource(
            f"{name}-mtls-strict", **peer_authentication(sm.ADDON_SYSTEM_NAMESPACE, "STRICT"), opts=child
        )
        names: list[Any] = []
        for ns in args.namespaces:
            namespace = k8s.core.v1.Namespace(
                f"{name}-{ns.name}",
                metadata={"name": ns.name, "labels": namespace_labels(ns, args.revisions[ns.name])},
                opts=labelled,
            )
            names.append(namespace.metadata.name)
            if ns.mtls != MtlsMode.STRICT:
                k8s.apiextensions.CustomResource(
                    f"{name}-{ns.name}-mtls-{ns.mtls.value.lower()}",
                    **peer_authentication(ns.name, ns.mtls.value),
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[namespace]),
                )
        self.namespaces = pulumi.Output.all(*names).apply(list)
        self.register_outputs({"namespaces": self.namespaces})
