"""MeshNamespaces: application namespaces in the mesh, and mesh-wide mTLS STRICT.

The add-on injects sidecars only into namespaces labelled `istio.io/rev=<revision>`; the upstream
`istio-injection=enabled` label makes it *skip* the namespace
(https://learn.microsoft.com/azure/aks/istio-deploy-addon). Mesh-wide
policy lives in the add-on's root namespace, `aks-istio-system`.
"""

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from aks_istio.addon import support_matrix as sm
from aks_istio.tokens import type_token

PEER_AUTHENTICATION_API = "security.istio.io/v1"


class MtlsMode(enum.StrEnum):
    """mTLS of a namespace: STRICT inherits the mesh-wide policy, the others add a namespace exception."""

    STRICT = "STRICT"
    """Only mTLS traffic is accepted."""
    PERMISSIVE = "PERMISSIVE"
    """mTLS and plain text are accepted (while clients outside the mesh move in)."""
    DISABLE = "DISABLE"
    """Plain text only."""


@dataclass(frozen=True, kw_only=True)
class MeshNamespace:
    """An application namespace in the mesh."""

    name: str
    """Namespace name."""
    revision: str
    """The revision its `istio.io/rev` label points at (during a canary upgrade: the phase's, from the plan)."""
    mtls: MtlsMode = MtlsMode.STRICT
    """STRICT inherits the mesh-wide policy; PERMISSIVE/DISABLE adds a namespace PeerAuthentication."""
    labels: dict[str, str] = field(default_factory=dict)
    """Extra namespace labels (never `istio.io/rev` or `istio-injection`: the revision label is set here)."""


def namespace_labels(namespace: MeshNamespace) -> dict[str, str]:
    return {**namespace.labels, sm.REVISION_LABEL: namespace.revision}


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

    namespaces: Sequence[MeshNamespace] = ()
    """Namespaces to create, each with the revision it points at and its mTLS mode."""

    def __post_init__(self) -> None:
        names = [ns.name for ns in self.namespaces]
        if len(set(names)) != len(names):
            raise ValueError(f"namespaces {names} are not unique")
        for ns in self.namespaces:
            reserved = {sm.REVISION_LABEL, sm.IGNORED_INJECTION_LABEL} & set(ns.labels)
            if reserved:
                raise ValueError(f"namespace {ns.name}: labels {sorted(reserved)} are set by the platform")


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
        labels_wait_for: Sequence[pulumi.Resource] = (),
    ) -> None:
        """`labels_wait_for`: what the namespaces' `istio.io/rev` must wait for (Python only: the schema of other
        languages has no resource references) — the cluster, when they move to a revision the cluster only now
        lists (`aks_istio.mesh.phases.relabel_waits_for_cluster`)."""
        super().__init__(type_token("MeshNamespaces"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        labelled = pulumi.ResourceOptions(parent=self, depends_on=list(labels_wait_for)) if labels_wait_for else child

        k8s.apiextensions.CustomResource(
            f"{name}-mtls-strict", **peer_authentication(sm.ADDON_SYSTEM_NAMESPACE, "STRICT"), opts=child
        )
        names: list[Any] = []
        for ns in args.namespaces:
            namespace = k8s.core.v1.Namespace(
                f"{name}-{ns.name}",
                metadata={"name": ns.name, "labels": namespace_labels(ns)},
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
