"""Typed stack configuration: stack YAML -> these pydantic models, validated once, before any resource.

Library users build the same models in code (`StackConfig.model_validate({...})` or the classes directly).
"""

from aks_istio.config.canary import RevisionUpgradeSettings, UpgradePhase
from aks_istio.config.cluster import (
    ApiServerSettings,
    ClusterSettings,
    EntraSettings,
    MaintenanceWindowSettings,
    NetworkSettings,
    NodePoolSettings,
    UpgradeSettings,
)
from aks_istio.config.egress import EgressGatewaySettings, EgressHostSettings, EgressPoolSettings, EgressSettings
from aks_istio.config.errors import CONFIG_ROOT, ConfigError
from aks_istio.config.gateway_api import GatewayApiGatewaySettings, GatewayApiSettings, GatewayListenerSettings
from aks_istio.config.gateways import GatewaySettings
from aks_istio.config.ingress import (
    HpaSettings,
    IngressGatewaySettings,
    IngressSettings,
    IngressSubnetSettings,
    StaticIpSettings,
)
from aks_istio.config.mesh import MeshConfigSettings, MeshNamespaceSettings, MeshSettings, PluginCaSettings
from aks_istio.config.observability import ObservabilitySettings
from aks_istio.config.stack import ResourceGroupSettings, StackConfig, load_stack_config

__all__ = [
    "CONFIG_ROOT",
    "ApiServerSettings",
    "ClusterSettings",
    "ConfigError",
    "EgressGatewaySettings",
    "EgressHostSettings",
    "EgressPoolSettings",
    "EgressSettings",
    "EntraSettings",
    "GatewayApiGatewaySettings",
    "GatewayApiSettings",
    "GatewayListenerSettings",
    "GatewaySettings",
    "HpaSettings",
    "IngressGatewaySettings",
    "IngressSettings",
    "IngressSubnetSettings",
    "MaintenanceWindowSettings",
    "MeshConfigSettings",
    "MeshNamespaceSettings",
    "MeshSettings",
    "NetworkSettings",
    "NodePoolSettings",
    "ObservabilitySettings",
    "PluginCaSettings",
    "ResourceGroupSettings",
    "RevisionUpgradeSettings",
    "StackConfig",
    "StaticIpSettings",
    "UpgradePhase",
    "UpgradeSettings",
    "load_stack_config",
]
