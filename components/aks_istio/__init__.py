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
    "AksIstioFleetManager": "fleet.fleet_manager",
    "AksIstioFleetManagerArgs": "fleet.fleet_manager",
    "AksIstioPlatform": "platform",
    "AksIstioPlatformArgs": "platform",
    "AllowedRoutes": "gateways.values",
    "ApiServerAccess": "cluster.values",
    "AppAccess": "gateways.app_ingress_values",
    "AppBackend": "gateways.app_ingress_values",
    "AppIngress": "gateways.app_ingress",
    "AppIngressArgs": "gateways.app_ingress",
    "AppPathRoute": "gateways.app_ingress_values",
    "AppRetries": "gateways.app_ingress_values",
    "AppRoute": "gateways.app_ingress_values",
    "AutoUpgrade": "cluster.values",
    "CanaryUpgrade": "mesh.canary",
    "CanaryUpgradeArgs": "mesh.canary",
    "ClusterNetwork": "cluster.values",
    "ClusterSpec": "cluster.values",
    "ClusterTier": "cluster.values",
    "EgressGateway": "gateways.values",
    "EgressGatewayRef": "cluster.values",
    "EgressGateways": "gateways.egress",
    "EgressGatewaysArgs": "gateways.egress",
    "EgressHost": "gateways.values",
    "EgressPool": "cluster.values",
    "EgressProtocol": "gateways.values",
    "EmailReceiver": "observability.values",
    "EntraAccess": "cluster.values",
    "ExternalTrafficPolicy": "gateways.modes",
    "FleetManagerMember": "fleet.fleet_manager",
    "FleetManagerStage": "fleet.fleet_manager",
    "GatewayApiGateway": "gateways.values",
    "GatewayApiIngress": "gateways.gateway_api",
    "GatewayApiIngressArgs": "gateways.gateway_api",
    "GatewayHpa": "gateways.values",
    "GatewayListener": "gateways.values",
    "GatewaySubnet": "gateways.values",
    "GrafanaSku": "observability.values",
    "IngressApi": "gateways.app_ingress_values",
    "IngressGateway": "gateways.ingress",
    "IngressGatewayArgs": "gateways.ingress",
    "IngressGatewayOptions": "gateways.values",
    "IngressMode": "gateways.modes",
    "IstioAlerts": "observability.values",
    "IstioScrape": "observability.values",
    "JwtRequirement": "gateways.app_ingress_values",
    "KeyVaultCertificate": "gateways.app_ingress_values",
    "KeyVaultSecretsReader": "gateways.app_ingress",
    "KeyVaultSecretsReaderArgs": "gateways.app_ingress",
    "KubeStateMetrics": "cluster.values",
    "ListenerProtocol": "gateways.values",
    "MaintenanceWindow": "cluster.values",
    "ManagedGrafana": "observability.grafana",
    "ManagedGrafanaArgs": "observability.grafana",
    "ManagedPrometheus": "observability.prometheus",
    "ManagedPrometheusArgs": "observability.prometheus",
    "MeshConfig": "mesh.values",
    "MeshNamespace": "mesh.values",
    "MeshNamespaces": "mesh.namespaces",
    "MeshNamespacesArgs": "mesh.namespaces",
    "MtlsMode": "mesh.values",
    "NetworkDataplane": "cluster.values",
    "NetworkPolicyEngine": "cluster.values",
    "NodeOsChannel": "cluster.values",
    "NodePool": "cluster.values",
    "OsDiskType": "cluster.values",
    "OsSku": "cluster.values",
    "OutboundType": "cluster.values",
    "PlatformPlan": "plan",
    "PluginCa": "mesh.plugin_ca",
    "PluginCaArgs": "mesh.plugin_ca",
    "PluginCaSource": "mesh.values",
    "Restart": "mesh.phases",
    "SharedMeshConfig": "mesh.mesh_config",
    "SharedMeshConfigArgs": "mesh.mesh_config",
    "RevisionUpgrade": "mesh.values",
    "StaticPublicIp": "gateways.values",
    "TlsMode": "gateways.app_ingress_values",
    "UpgradeChannel": "cluster.values",
    "UpgradePhase": "mesh.values",
    "WebhookReceiver": "observability.values",
    "Weekday": "cluster.values",
    "plan_platform": "plan",
}

__all__ = [
    "AksIstioCluster",
    "AksIstioClusterArgs",
    "AksIstioFleetManager",
    "AksIstioFleetManagerArgs",
    "AksIstioPlatform",
    "AksIstioPlatformArgs",
    "AllowedRoutes",
    "ApiServerAccess",
    "AppAccess",
    "AppBackend",
    "AppIngress",
    "AppIngressArgs",
    "AppPathRoute",
    "AppRetries",
    "AppRoute",
    "AutoUpgrade",
    "CanaryUpgrade",
    "CanaryUpgradeArgs",
    "ClusterNetwork",
    "ClusterSpec",
    "ClusterTier",
    "EgressGateway",
    "EgressGatewayRef",
    "EgressGateways",
    "EgressGatewaysArgs",
    "EgressHost",
    "EgressPool",
    "EgressProtocol",
    "EmailReceiver",
    "EntraAccess",
    "ExternalTrafficPolicy",
    "FleetManagerMember",
    "FleetManagerStage",
    "GatewayApiGateway",
    "GatewayApiIngress",
    "GatewayApiIngressArgs",
    "GatewayHpa",
    "GatewayListener",
    "GatewaySubnet",
    "GrafanaSku",
    "IngressApi",
    "IngressGateway",
    "IngressGatewayArgs",
    "IngressGatewayOptions",
    "IngressMode",
    "IstioAlerts",
    "IstioScrape",
    "JwtRequirement",
    "KeyVaultCertificate",
    "KeyVaultSecretsReader",
    "KeyVaultSecretsReaderArgs",
    "KubeStateMetrics",
    "ListenerProtocol",
    "MaintenanceWindow",
    "ManagedGrafana",
    "ManagedGrafanaArgs",
    "ManagedPrometheus",
    "ManagedPrometheusArgs",
    "MeshConfig",
    "MeshNamespace",
    "MeshNamespaces",
    "MeshNamespacesArgs",
    "MtlsMode",
    "NetworkDataplane",
    "NetworkPolicyEngine",
    "NodeOsChannel",
    "NodePool",
    "OsDiskType",
    "OsSku",
    "OutboundType",
    "PlatformPlan",
    "PluginCa",
    "PluginCaArgs",
    "PluginCaSource",
    "Restart",
    "RevisionUpgrade",
    "SharedMeshConfig",
    "SharedMeshConfigArgs",
    "StaticPublicIp",
    "TlsMode",
    "UpgradeChannel",
    "UpgradePhase",
    "WebhookReceiver",
    "Weekday",
    "plan_platform",
]

if TYPE_CHECKING:
    from aks_istio.cluster.cluster import AksIstioCluster, AksIstioClusterArgs
    from aks_istio.cluster.values import (
        ApiServerAccess,
        AutoUpgrade,
        ClusterNetwork,
        ClusterSpec,
        ClusterTier,
        EgressGatewayRef,
        EgressPool,
        EntraAccess,
        KubeStateMetrics,
        MaintenanceWindow,
        NetworkDataplane,
        NetworkPolicyEngine,
        NodeOsChannel,
        NodePool,
        OsDiskType,
        OsSku,
        OutboundType,
        UpgradeChannel,
        Weekday,
    )
    from aks_istio.fleet.fleet_manager import (
        AksIstioFleetManager,
        AksIstioFleetManagerArgs,
        FleetManagerMember,
        FleetManagerStage,
    )
    from aks_istio.gateways.app_ingress import (
        AppIngress,
        AppIngressArgs,
        KeyVaultSecretsReader,
        KeyVaultSecretsReaderArgs,
    )
    from aks_istio.gateways.app_ingress_values import (
        AppAccess,
        AppBackend,
        AppPathRoute,
        AppRetries,
        AppRoute,
        IngressApi,
        JwtRequirement,
        KeyVaultCertificate,
        TlsMode,
    )
    from aks_istio.gateways.egress import EgressGateways, EgressGatewaysArgs
    from aks_istio.gateways.gateway_api import GatewayApiIngress, GatewayApiIngressArgs
    from aks_istio.gateways.ingress import IngressGateway, IngressGatewayArgs
    from aks_istio.gateways.modes import ExternalTrafficPolicy, IngressMode
    from aks_istio.gateways.values import (
        AllowedRoutes,
        EgressGateway,
        EgressHost,
        EgressProtocol,
        GatewayApiGateway,
        GatewayHpa,
        GatewayListener,
        GatewaySubnet,
        IngressGatewayOptions,
        ListenerProtocol,
        StaticPublicIp,
    )
    from aks_istio.mesh.canary import CanaryUpgrade, CanaryUpgradeArgs
    from aks_istio.mesh.mesh_config import SharedMeshConfig, SharedMeshConfigArgs
    from aks_istio.mesh.namespaces import MeshNamespaces, MeshNamespacesArgs
    from aks_istio.mesh.phases import Restart
    from aks_istio.mesh.plugin_ca import PluginCa, PluginCaArgs
    from aks_istio.mesh.values import MeshConfig, MeshNamespace, MtlsMode, PluginCaSource, RevisionUpgrade, UpgradePhase
    from aks_istio.observability.grafana import ManagedGrafana, ManagedGrafanaArgs
    from aks_istio.observability.prometheus import ManagedPrometheus, ManagedPrometheusArgs
    from aks_istio.observability.values import EmailReceiver, GrafanaSku, IstioAlerts, IstioScrape, WebhookReceiver
    from aks_istio.plan import PlatformPlan, plan_platform
    from aks_istio.platform import AksIstioPlatform, AksIstioPlatformArgs


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'aks_istio' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)


def __dir__() -> list[str]:
    """Every export, though most are not loaded yet (`dir(aks_istio)`, the REPL's and editors' completion)."""
    return sorted({*globals(), *__all__})
