"""Typed stack configuration: stack YAML -> the value types, validated once, before any resource.

The stack file's object is `StackConfig`; its sections are the plain values the components take (the cluster's
`ClusterSpec`, ...), read by pydantic with camelCase keys (`load_stack_config`).
"""

from aks_istio.config.canary import RevisionUpgradeSettings, UpgradePhase
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
    "ConfigError",
    "EgressGatewaySettings",
    "EgressHostSettings",
    "EgressPoolSettings",
    "EgressSettings",
    "GatewayApiGatewaySettings",
    "GatewayApiSettings",
    "GatewayListenerSettings",
    "GatewaySettings",
    "HpaSettings",
    "IngressGatewaySettings",
    "IngressSettings",
    "IngressSubnetSettings",
    "MeshConfigSettings",
    "MeshNamespaceSettings",
    "MeshSettings",
    "ObservabilitySettings",
    "PluginCaSettings",
    "ResourceGroupSettings",
    "RevisionUpgradeSettings",
    "StackConfig",
    "StaticIpSettings",
    "UpgradePhase",
    "load_stack_config",
]
