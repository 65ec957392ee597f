"""MeshNamespaces: application namespaces in the mesh, and mesh-wide mTLS STRICT.

The add-on injects sidecars only into namespaces labelled `istio.io/rev=<revision>`; the upstream
`istio-injection=enabled` label makes it *skip* the namespace (AKSDOCS istio-deploy-addon.md). Mesh-wide
policy lives in the add-on's root namespace, `aks-istio-system`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from aks_istio.addon import support_matrix as sm
from aks_istio.config import MeshSettings
from aks_istio.mesh.canary import namespace_revision
from aks_istio.tokens import type_token

PEER_AUTHENTICATION_API = "security.istio.io/v1"


def namespace_labels(mesh: MeshSettings, namespace: str, extra: dict[str, str]) -> dict[str, str]:
    return {**extra, sm.REVISION_LABEL: namespace_revision(mesh, namespace)}


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
    mesh: MeshSettings
    """Namespaces to create, their mTLS exceptions, and the revision phase."""
    wait_for: Sequence[pulumi.Resource] = ()
    """What the namespaces' `istio.io/rev` must wait for: the cluster, when they move to a revision the cluster
    only now lists (mesh/canary.py `relabel_waits_for_cluster`)."""


class MeshNamespaces(pulumi.ComponentResource):
    namespaces: pulumi.Output[list[str]]
    """Names of the namespaces in the mesh."""

    def __init__(self, name: str, args: MeshNamespacesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("MeshNamespaces"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        mesh = args.mesh

        k8s.apiextensions.CustomResource(
            f"{name}-mtls-strict", **peer_authentication(sm.ADDON_SYSTEM_NAMESPACE, "STRICT"), opts=child
        )
        names: list[Any] = []
        for ns in mesh.namespaces:
            namespace = k8s.core.v1.Namespace(
                f"{name}-{ns.name}",
                metadata={"name": ns.name, "labels": namespace_labels(mesh, ns.name, ns.labels)},
                opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.wait_for)) if args.wait_for else child,
            )
            names.append(namespace.metadata.name)
            if ns.mtls != "STRICT":
                k8s.apiextensions.CustomResource(
                    f"{name}-{ns.name}-mtls-{ns.mtls.lower()}",
                    **peer_authentication(ns.name, ns.mtls),
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[namespace]),
                )
        self.namespaces = pulumi.Output.all(*names).apply(list)
        self.register_outputs({"namespaces": self.namespaces})
