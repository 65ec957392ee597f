"""aks-istio: Pulumi ComponentResources for AKS with the Istio service-mesh add-on.

Exports resolve lazily (PEP 562): `aks_istio.addon` and `aks_istio.config` import without the Pulumi provider
SDKs, so the policy pack and config validation stay light and start fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    "AksIstioCluster": "cluster.cluster",
    "AksIstioClusterArgs": "cluster.cluster",
    "AksIstioPlatform": "platform",
    "AksIstioPlatformArgs": "platform",
    "CanaryUpgrade": "mesh.canary",
    "CanaryUpgradeArgs": "mesh.canary",
    "EgressGateways": "gateways.egress",
    "EgressGatewaysArgs": "gateways.egress",
    "GatewayApiIngress": "gateways.gateway_api",
    "GatewayApiIngressArgs": "gateways.gateway_api",
    "IngressGateway": "gateways.ingress",
    "IngressGatewayArgs": "gateways.ingress",
    "ManagedGrafana": "observability.grafana",
    "ManagedGrafanaArgs": "observability.grafana",
    "ManagedPrometheus": "observability.prometheus",
    "ManagedPrometheusArgs": "observability.prometheus",
    "MeshNamespace": "mesh.namespaces",
    "MeshNamespaces": "mesh.namespaces",
    "MeshNamespacesArgs": "mesh.namespaces",
    "MtlsMode": "mesh.namespaces",
    "PlatformPlan": "plan",
    "PluginCa": "mesh.plugin_ca",
    "PluginCaArgs": "mesh.plugin_ca",
    "plan_platform": "plan",
    "SharedMeshConfig": "mesh.mesh_config",
    "SharedMeshConfigArgs": "mesh.mesh_config",
}

__all__ = [
    "AksIstioCluster",
    "AksIstioClusterArgs",
    "AksIstioPlatform",
    "AksIstioPlatformArgs",
    "CanaryUpgrade",
    "CanaryUpgradeArgs",
    "EgressGateways",
    "EgressGatewaysArgs",
    "GatewayApiIngress",
    "GatewayApiIngressArgs",
    "IngressGateway",
    "IngressGatewayArgs",
    "ManagedGrafana",
    "ManagedGrafanaArgs",
    "ManagedPrometheus",
    "ManagedPrometheusArgs",
    "MeshNamespace",
    "MeshNamespaces",
    "MeshNamespacesArgs",
    "MtlsMode",
    "PlatformPlan",
    "PluginCa",
    "PluginCaArgs",
    "SharedMeshConfig",
    "SharedMeshConfigArgs",
    "plan_platform",
]

if TYPE_CHECKING:
    from aks_istio.cluster.cluster import AksIstioCluster, AksIstioClusterArgs
    from aks_istio.gateways.egress import EgressGateways, EgressGatewaysArgs
    from aks_istio.gateways.gateway_api import GatewayApiIngress, GatewayApiIngressArgs
    from aks_istio.gateways.ingress import IngressGateway, IngressGatewayArgs
    from aks_istio.mesh.canary import CanaryUpgrade, CanaryUpgradeArgs
    from aks_istio.mesh.mesh_config import SharedMeshConfig, SharedMeshConfigArgs
    from aks_istio.mesh.namespaces import MeshNamespace, MeshNamespaces, MeshNamespacesArgs, MtlsMode
    from aks_istio.mesh.plugin_ca import PluginCa, PluginCaArgs
    from aks_istio.observability.grafana import ManagedGrafana, ManagedGrafanaArgs
    from aks_istio.observability.prometheus import ManagedPrometheus, ManagedPrometheusArgs
    from aks_istio.plan import PlatformPlan, plan_platform
    from aks_istio.platform import AksIstioPlatform, AksIstioPlatformArgs


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'aks_istio' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
