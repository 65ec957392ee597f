"""SharedMeshConfig: the add-on's `istio-shared-configmap-<revision>`, one per installed revision.

AKS merges it with its own `istio-<revision>` ConfigMap (which must not be edited: the add-on reverts it) and
its admission webhooks reject fields outside the allowlist (https://learn.microsoft.com/azure/aks/istio-meshconfig).
The fields are held to that allowlist wherever they are given (`aks_istio.mesh.values.mesh_config_problems`).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import yaml

from aks_istio.addon import support_matrix as sm
from aks_istio.kubernetes_provider import (
    check_kubernetes_provider,
    kubernetes_provider_field,
    with_kubernetes_provider,
)
from aks_istio.mesh.values import mesh_config_problems, revision_reason
from aks_istio.tokens import type_token
from aks_istio.value_checks import Problems, check


def shared_configmap_name(revision: str) -> str:
    return f"{sm.SHARED_MESH_CONFIGMAP_PREFIX}{revision}"


def mesh_config_data(fields: Mapping[str, Any]) -> dict[str, str]:
    """The ConfigMap's data: the MeshConfig as YAML under `mesh` (spaces, never tabs, as AKS requires)."""
    return {sm.MESH_CONFIG_DATA_KEY: yaml.safe_dump(dict(fields), sort_keys=True, default_flow_style=False)}


@dataclass(frozen=True, kw_only=True)
class SharedMeshConfigArgs:
    """Inputs of `SharedMeshConfig`."""

    kubernetes_provider: pulumi.Input[k8s.Provider] = kubernetes_provider_field()
    """The Kubernetes provider of the cluster this component's Kubernetes objects go to
    (`AksIstioCluster.k8s_provider`). Required: the ambient default provider is never used."""
    fields: dict[str, Any]
    """MeshConfig fields, only those AKS admits (any JSON: MeshConfig is Istio's open schema, held to the add-on's
    allowlist by the same rule as a stack file's `mesh.meshConfig.fields`)."""
    revisions: Sequence[str]
    """Every revision that gets a copy (during a canary upgrade, both)."""

    def __post_init__(self) -> None:
        check(self)
        check_kubernetes_provider(self)

    def rules(self, problems: Problems) -> None:
        mesh_config_problems(self.fields, problems)
        for index, revision in enumerate(self.revisions):
            reason = revision_reason(revision)
            if reason is not None:
                problems.add(("revisions", index), reason)


class SharedMeshConfig(pulumi.ComponentResource):
    """The shared MeshConfig ConfigMap of every installed revision."""

    configmap_names: pulumi.Output[list[str]]
    """Names of the ConfigMaps in aks-istio-system."""

    def __init__(self, name: str, args: SharedMeshConfigArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        """Declare the component `name` (its children's names start with it) from `args`; `opts` are Pulumi's
        resource options.

        Fields of `args` (`SharedMeshConfigArgs`):
            kubernetes_provider: The Kubernetes provider of the cluster this component's Kubernetes objects go to
                (`AksIstioCluster.k8s_provider`). Required: the ambient default provider is never used.
            fields: MeshConfig fields, only those AKS admits (any JSON: MeshConfig is Istio's open schema, held to the
                add-on's allowlist by the same rule as a stack file's `mesh.meshConfig.fields`).
            revisions: Every revision that gets a copy (during a canary upgrade, both).

        Outputs (attributes of the component):
            configmap_names: Names of the ConfigMaps in aks-istio-system.
        """
        super().__init__(
            type_token("SharedMeshConfig"), name, None, with_kubernetes_provider(opts, args.kubernetes_provider)
        )
        child = pulumi.ResourceOptions(parent=self)
        data = mesh_config_data(args.fields)
        names: list[Any] = []
        for revision in args.revisions:
            configmap = k8s.core.v1.ConfigMap(
                f"{name}-{revision}",
                metadata={"name": shared_configmap_name(revision), "namespace": sm.ADDON_SYSTEM_NAMESPACE},
                data=data,
                opts=child,
            )
            names.append(configmap.metadata.name)
        self.configmap_names = pulumi.Output.all(*names).apply(list)
        self.register_outputs({"configmap_names": self.configmap_names})
