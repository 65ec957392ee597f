"""Settings of the add-on's Istio egress gateways on Static Egress Gateway: one gateway pool, the gateways."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from aks_istio.addon import support_matrix as sm
from aks_istio.config._base import K8S_NAME_PATTERN, POOL_NAME_PATTERN, Problems, Settings, valid_cidrs
from aks_istio.config.ingress import HOSTNAME_PATTERN, HpaSettings, Zone


class EgressPoolSettings(Settings):
    """The Static Egress Gateway node pool (mode Gateway): it gives egress traffic a fixed public IP prefix."""

    name: str = Field(default="egress", pattern=POOL_NAME_PATTERN, description="Pool name.")
    vm_size: str = Field(default="Standard_D2ds_v5", description="VM size of the gateway nodes.")
    public_ip_prefix_size: Literal[28, 29, 30, 31] = Field(
        default=31, description="Prefix of the pool's public IPs: /31 = 2 nodes ... /28 = 16 nodes."
    )
    count: int = Field(default=2, ge=1, description="Nodes (gateway pools have no autoscaler).")
    zones: list[Zone] = Field(default_factory=list, description="Availability zones.")

    @model_validator(mode="after")
    def _fits_prefix(self) -> EgressPoolSettings:
        problems = Problems()
        most = sm.gateway_pool_max_nodes(self.public_ip_prefix_size)
        if self.count > most:
            problems.add(
                "count", f"{self.count} nodes do not fit a /{self.public_ip_prefix_size} prefix; allowed: 1..{most}"
            )
        problems.raise_if_any()
        return self


class EgressHostSettings(Settings):
    """An external host apps reach through the egress gateway (a ServiceEntry with DNS resolution)."""

    host: str = Field(pattern=HOSTNAME_PATTERN.replace(r"(\*\.)?", ""), description="DNS name, no wildcards.")
    port: int = Field(default=443, ge=1, le=65535, description="Port on the external host.")
    protocol: Literal["TLS", "HTTP"] = Field(
        default="TLS", description="TLS: passthrough by SNI (HTTPS from the app); HTTP: plain HTTP."
    )


class EgressGatewaySettings(Settings):
    """One add-on egress gateway, its StaticGatewayConfiguration and the routing that sends hosts through it."""

    name: str = Field(description="Gateway name (Service `<name>`, Deployment `<name>-<revision>`).")
    namespace: str = Field(
        default=sm.ADDON_EGRESS_NAMESPACE, pattern=K8S_NAME_PATTERN, description="Namespace of gateway and its SGC."
    )
    gateway_configuration_name: str | None = Field(
        default=None, pattern=K8S_NAME_PATTERN, description="StaticGatewayConfiguration name; unset: <name>-sgc."
    )
    exclude_cidrs: list[str] = Field(default_factory=list, description="Destinations that bypass the gateway pool.")
    public_ip_prefix_id: str | None = Field(
        default=None,
        pattern=r"(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Network/publicIPPrefixes/[^/]+$",
        description="Bring your own public IP prefix; unset: AKS creates one.",
    )
    hosts: list[EgressHostSettings] = Field(default_factory=list, description="External hosts routed through it.")
    hpa: HpaSettings | None = Field(default=None, description="Replica bounds; unset: AKS's 2..5.")

    _exclude_cidrs = field_validator("exclude_cidrs")(valid_cidrs)

    @field_validator("name")
    @classmethod
    def _name(cls, name: str) -> str:
        if not sm.EGRESS_GATEWAY_NAME_PATTERN.match(name) or len(name) > sm.EGRESS_GATEWAY_NAME_MAX_LENGTH:
            raise ValueError(
                f"allowed: 1-{sm.EGRESS_GATEWAY_NAME_MAX_LENGTH} lowercase letters, digits, '-' and '.', "
                f"matching {sm.EGRESS_GATEWAY_NAME_PATTERN.pattern}"
            )
        return name

    @property
    def configuration_name(self) -> str:
        return self.gateway_configuration_name or f"{self.name.replace('.', '-')}-sgc"[:63]


class EgressSettings(Settings):
    """Istio egress gateways on Static Egress Gateway (GA 2025-11): one gateway pool, any number of gateways."""

    pool: EgressPoolSettings | None = Field(default=None, description="The gateway node pool; required with gateways.")
    gateways: list[EgressGatewaySettings] = Field(default_factory=list, description="Egress gateways.")

    @model_validator(mode="after")
    def _consistent(self) -> EgressSettings:
        problems = Problems()
        if self.gateways and self.pool is None:
            problems.add("pool", "is required for egress gateways (Static Egress Gateway); allowed: {name, ...}")
        if len(self.gateways) > sm.MAX_EGRESS_GATEWAYS:
            problems.add("gateways", f"{len(self.gateways)} gateways; allowed: up to {sm.MAX_EGRESS_GATEWAYS}")
        seen: set[tuple[str, str]] = set()
        configs: set[tuple[str, str]] = set()
        for index, gateway in enumerate(self.gateways):
            if (gateway.namespace, gateway.name) in seen:
                problems.add(f"gateways[{index}].name", f"{gateway.name!r} is listed twice in {gateway.namespace!r}")
            if (gateway.namespace, gateway.configuration_name) in configs:
                problems.add(
                    f"gateways[{index}].gatewayConfigurationName",
                    f"{gateway.configuration_name!r} is used by another gateway; each needs its own",
                )
            seen.add((gateway.namespace, gateway.name))
            configs.add((gateway.namespace, gateway.configuration_name))
        problems.raise_if_any()
        return self
