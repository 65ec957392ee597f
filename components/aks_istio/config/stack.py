"""The whole configuration of one stack, validated once before any resource is declared."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, model_validator

from aks_istio.config._base import LOCATION_PATTERN, RESOURCE_GROUP_PATTERN, Problems, Settings
from aks_istio.config.cluster import ClusterSettings
from aks_istio.config.errors import ConfigError, validate_completely
from aks_istio.config.gateways import GatewaySettings, stack_problems
from aks_istio.config.mesh import MeshSettings, revision_kubernetes_problems
from aks_istio.config.observability import ObservabilitySettings
from aks_istio.config.presets import prod_problems, with_preset

Environment = Literal["dev", "staging", "prod"]


class ResourceGroupSettings(Settings):
    """Where the platform's Azure resources live."""

    name: str | None = Field(default=None, pattern=RESOURCE_GROUP_PATTERN, description="Unset: rg-<cluster>.")
    existing: bool = Field(default=False, description="Use an existing group of that name instead of creating one.")

    @model_validator(mode="after")
    def _existing_needs_name(self) -> ResourceGroupSettings:
        problems = Problems()
        if self.existing and self.name is None:
            problems.add("name", "is required when existing is true; allowed: the name of the existing group")
        problems.raise_if_any()
        return self


class StackConfig(Settings):
    """`aks-istio:platform` in stacks/Pulumi.<env>.yaml."""

    environment: Environment = Field(description="Selects the preset: dev, staging or prod.")
    location: str = Field(pattern=LOCATION_PATTERN, description="Azure region, e.g. westeurope.")
    resource_group: ResourceGroupSettings = Field(default_factory=ResourceGroupSettings)
    protect: bool = Field(default=False, description="Protect stateful and slow-to-rebuild resources.")
    tags: dict[str, str] = Field(default_factory=dict, description="Azure tags on every resource.")
    cluster: ClusterSettings
    mesh: MeshSettings
    gateways: GatewaySettings = Field(default_factory=GatewaySettings)
    observability: ObservabilitySettings = Field(default_factory=ObservabilitySettings)

    @property
    def cluster_name(self) -> str:
        return self.cluster.name or f"aks-istio-{self.environment}"

    @property
    def resource_group_name(self) -> str:
        return self.resource_group.name or f"rg-{self.cluster_name}"

    @model_validator(mode="after")
    def _across_sections(self) -> StackConfig:
        problems = Problems()
        revision_kubernetes_problems(self.mesh, self.cluster.kubernetes_version, problems)
        prod_problems(self, problems)
        stack_problems(self.gateways, mesh=self.mesh, cluster=self.cluster, problems=problems)
        problems.raise_if_any()
        return self


def load_stack_config(raw: Mapping[str, Any] | None) -> StackConfig:
    """Validate a stack's `aks-istio:platform` object; raise ConfigError listing every problem."""
    if not isinstance(raw, Mapping):
        raise ConfigError([f"aks-istio:platform: {raw!r} is not valid: the stack file must set it to a mapping"])
    return validate_completely(lambda data: StackConfig.model_validate(with_preset(data)), raw, StackConfig)
