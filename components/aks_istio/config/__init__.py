"""Typed stack configuration: stack YAML -> the value types, validated once, before any resource.

The stack file's object is `StackConfig`; its sections are the plain values the components take
(`aks_istio.cluster.values`, `aks_istio.mesh.values`, `aks_istio.gateways.values`,
`aks_istio.observability.values`), read by pydantic with camelCase keys (`load_stack_config`).
"""

from aks_istio.config.invalid import CONFIG_ROOT, ConfigError
from aks_istio.config.stack import Environment, ResourceGroupSettings, StackConfig, Tier, load_stack_config

__all__ = [
    "CONFIG_ROOT",
    "ConfigError",
    "Environment",
    "ResourceGroupSettings",
    "StackConfig",
    "Tier",
    "load_stack_config",
]
