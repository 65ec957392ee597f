"""aks-istio components: Pulumi ComponentResources for AKS with the Istio service-mesh add-on.

Exports resolve lazily (PEP 562): `components.support_matrix` and `components.config` import without the
Pulumi provider SDKs, so the policy pack and config validation stay light and start fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    "AksIstioCluster": "cluster",
    "AksIstioClusterArgs": "cluster",
    "AksIstioPlatform": "platform",
    "AksIstioPlatformArgs": "platform",
    "CanaryUpgrade": "canary_upgrade",
    "CanaryUpgradeArgs": "canary_upgrade",
    "EgressGateways": "egress_gateway",
    "EgressGatewaysArgs": "egress_gateway",
    "GatewayApiIngress": "gateway_api",
    "GatewayApiIngressArgs": "gateway_api",
    "IngressGateway": "ingress_gateway",
    "IngressGatewayArgs": "ingress_gateway",
    "ManagedGrafana": "grafana",
    "ManagedGrafanaArgs": "grafana",
    "ManagedPrometheus": "managed_prometheus",
    "ManagedPrometheusArgs": "managed_prometheus",
    "MeshNamespaces": "mesh_namespaces",
    "MeshNamespacesArgs": "mesh_namespaces",
    "PluginCa": "plugin_ca",
    "PluginCaArgs": "plugin_ca",
    "SharedMeshConfig": "mesh_config",
    "SharedMeshConfigArgs": "mesh_config",
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
    "MeshNamespaces",
    "MeshNamespacesArgs",
    "PluginCa",
    "PluginCaArgs",
    "SharedMeshConfig",
    "SharedMeshConfigArgs",
]

if TYPE_CHECKING:
    from .canary_upgrade import CanaryUpgrade, CanaryUpgradeArgs
    from .cluster import AksIstioCluster, AksIstioClusterArgs
    from .egress_gateway import EgressGateways, EgressGatewaysArgs
    from .gateway_api import GatewayApiIngress, GatewayApiIngressArgs
    from .grafana import ManagedGrafana, ManagedGrafanaArgs
    from .ingress_gateway import IngressGateway, IngressGatewayArgs
    from .managed_prometheus import ManagedPrometheus, ManagedPrometheusArgs
    from .mesh_config import SharedMeshConfig, SharedMeshConfigArgs
    from .mesh_namespaces import MeshNamespaces, MeshNamespacesArgs
    from .platform import AksIstioPlatform, AksIstioPlatformArgs
    from .plugin_ca import PluginCa, PluginCaArgs


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'components' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
