"""The whole configuration of one stack, validated once before any resource is declared."""

import enum
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

from aks_istio.cluster.values import ClusterSpec
from aks_istio.config.invalid import ConfigError
from aks_istio.config.presets import exposure_problems, prod_problems, with_preset
from aks_istio.gateways.values import GatewaySettings, gateway_stack_problems
from aks_istio.mesh.values import (
    ALL_NAMESPACES,
    ALL_NAMESPACES_IN_STACK_FILE,
    MeshSettings,
    outbound_mode,
    revision_kubernetes_problems,
)
from aks_istio.observability.values import ObservabilitySettings
from aks_istio.value_checks import (
    ENVIRONMENT_NAME,
    LOCATION,
    RESOURCE_GROUP,
    STACK_FILE,
    Problem,
    Problems,
    check,
    choices_text,
    constrained,
    environment_name_reason,
    not_valid,
)

if TYPE_CHECKING:
    from pydantic import TypeAdapter


class Tier(enum.StrEnum):
    """Which preset a stack starts from and which of its rules apply (`aks_istio.config.presets`)."""

    DEV = "dev"
    """Small and cheap."""
    STAGING = "staging"
    """Zone-redundant system pool, Standard tier."""
    PROD = "prod"
    """Zone-redundant, Standard tier, protected, hardened (`prod_problems`)."""


Environment = Tier
"""The earlier name of `Tier` (when `environment` could only be a tier)."""

TIERS: tuple[str, ...] = tuple(t.value for t in Tier)


@dataclass(frozen=True, kw_only=True)
class ResourceGroupSettings:
    """Where the platform's Azure resources live."""

    __pydantic_config__: ClassVar = STACK_FILE

    name: str | None = constrained(None, **RESOURCE_GROUP)
    """Unset: rg-<cluster>."""
    existing: bool = False
    """Use an existing group of that name instead of creating one."""

    def __post_init__(self) -> None:
        check(self)

    def rules(self, problems: Problems) -> None:
        if self.existing and self.name is None:
            problems.add("name", "is required when existing is true; allowed: the name of the existing group")


@dataclass(frozen=True, kw_only=True)
class StackConfig:
    """`aks-istio:platform` in stacks/Pulumi.<env>.yaml."""

    __pydantic_config__: ClassVar = STACK_FILE

    environment: str = constrained(**ENVIRONMENT_NAME)
    """The environment's name, e.g. qa or eu-prod; the Azure names derive from it (aks-istio-<environment>)."""
    tier: Tier | None = None
    """The preset and rules: dev, staging or prod. Unset: the environment's own name, which must then be one."""
    location: str = constrained(**LOCATION)
    """Azure region, e.g. westeurope."""
    resource_group: ResourceGroupSettings = field(default_factory=ResourceGroupSettings)
    """Where the platform's Azure resources live."""
    protect: bool = False
    """Protect stateful and slow-to-rebuild resources."""
    tags: dict[str, str] = field(default_factory=dict)
    """Azure tags on every resource."""
    cluster: ClusterSpec
    """The managed cluster."""
    mesh: MeshSettings
    """The add-on's service mesh profile and the mesh defaults the platform lays on it."""
    gateways: GatewaySettings = field(default_factory=GatewaySettings)
    """Ingress and egress gateways."""
    observability: ObservabilitySettings = field(default_factory=ObservabilitySettings)
    """Managed Prometheus + Managed Grafana wired for Istio metrics: one switch."""

    def __post_init__(self) -> None:
        check(self)

    @property
    def preset_tier(self) -> Tier:
        """`tier`, else the environment's name as a tier (validation refuses a stack where it is none)."""
        if self.tier is not None:
            return self.tier
        return Tier(self.environment) if self.environment in TIERS else Tier.DEV

    @property
    def cluster_name(self) -> str:
        return self.cluster.name or f"aks-istio-{self.environment}"

    @property
    def resource_group_name(self) -> str:
        return self.resource_group.name or f"rg-{self.cluster_name}"

    def rules(self, problems: Problems) -> None:
        """Rules across sections: a tier for the environment, the revisions against Kubernetes, prod hardening,
        gateways against the rest."""
        if self.tier is None and problems.fine("environment", "tier"):
            untiered = untiered_environment(self.environment)
            if untiered is not None:
                problems.add("environment", untiered)
        if problems.fine(("cluster", "kubernetes_version")):
            revision_kubernetes_problems(self.mesh, self.cluster.kubernetes_version, problems)
        prod_problems(self, problems)
        exposure_problems(self, problems)
        gateway_stack_problems(
            self.gateways,
            named_revisions=self.mesh.named_revisions,
            outbound_mode=outbound_mode(self.mesh.mesh_config.fields),
            cluster=self.cluster,
            plugin_ca=self.mesh.plugin_ca is not None,
            problems=problems,
        )

    @staticmethod
    def unbuilt_problems(raw: Mapping[str, Any]) -> list[Problem]:
        """The rules that need only the stack file's object as written, checked when the whole config cannot be
        built (a required key missing): an environment named by the team without a tier."""
        environment = raw.get("environment")
        if "tier" in raw or not isinstance(environment, str) or environment_name_reason(environment) is not None:
            return []
        untiered = untiered_environment(environment)
        return [Problem(("environment",), untiered)] if untiered is not None else []


def untiered_environment(environment: str) -> str | None:
    """Why `environment` cannot stand without `tier` (it is not itself a tier), or None."""
    if environment in TIERS:
        return None
    return not_valid(
        environment,
        f"without tier, allowed: {choices_text(TIERS)}; for an environment named by the team, set tier to the "
        "preset it takes (dev, staging or prod), e.g. tier: prod",
    )


@cache
def stack_config_adapter() -> "TypeAdapter[StackConfig]":
    """pydantic's reader of the stack file's object into `StackConfig` (built once, on first use)."""
    from pydantic import TypeAdapter

    return TypeAdapter(StackConfig)


def dump_stack_config(config: StackConfig) -> dict[str, Any]:
    """`config` as the stack file's object (camelCase keys, unset values left out)."""
    dumped: dict[str, Any] = stack_config_adapter().dump_python(config, mode="json", by_alias=True, exclude_none=True)
    return dumped


VALIDATED: ContextVar[tuple[Mapping[str, Any], StackConfig] | None] = ContextVar("validated_stack_config", default=None)
"""A stack file's object and its config, as the offline command validated them before running the program in this
context (`aks_istio.offline.capture.run_program(validated=...)`): the program's own `load_stack_config` of the same
object takes that config instead of validating it again. Unset under the engine, where the program validates."""


def load_stack_config(raw: Mapping[str, Any] | None) -> StackConfig:
    """Validate a stack's `aks-istio:platform` object; raise ConfigError listing every problem."""
    validated = VALIDATED.get()
    if validated is not None and validated[0] == raw:
        return validated[1]  # validated once, by the command that runs this program (same object, same rules)
    if not isinstance(raw, Mapping):
        raise ConfigError([f"aks-istio:platform: {raw!r} is not valid: the stack file must set it to a mapping"])
    from aks_istio.config.errors import validate_completely  # reading a stack file loads pydantic; nothing else

    adapter = stack_config_adapter()
    return validate_completely(adapter.validate_python, raw, StackConfig, prepare=stack_file_object)


def stack_file_object(raw: Mapping[str, Any]) -> dict[str, Any]:
    """`raw` as the value types read it: laid over its environment's preset, with the stack file's shorthand
    `mesh.upgrade.migrated: all` as the list it stands for."""
    data = with_preset(raw)
    upgrade = (data.get("mesh") or {}).get("upgrade") if isinstance(data.get("mesh"), Mapping) else None
    if isinstance(upgrade, Mapping) and upgrade.get("migrated") == ALL_NAMESPACES_IN_STACK_FILE:
        data["mesh"] = {**data["mesh"], "upgrade": {**upgrade, "migrated": [ALL_NAMESPACES]}}
    return data
