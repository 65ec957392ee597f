"""Settings of the add-on's two classic ingress gateways (docs/gateways.md).

The gateway Services stay the add-on's: only allowlisted annotations and `externalTrafficPolicy` are patched
onto them, never ports or protocol; HPAs never go below 2 replicas (aks_istio.addon.rules).
"""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import Field, field_validator, model_validator

from aks_istio.addon import rules
from aks_istio.addon import support_matrix as sm
from aks_istio.config._base import RESOURCE_GROUP_PATTERN, Problems, Settings, nearest, valid_cidrs

# Azure resource names: public IPs 1-80 chars, resource groups 1-90 (ARM naming rules).
PUBLIC_IP_NAME_PATTERN = r"^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,78}[a-zA-Z0-9_]$"
SUBNET_NAME_PATTERN = r"^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,78}[a-zA-Z0-9_]$"
HOSTNAME_PATTERN = r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$"
Zone = Literal["1", "2", "3"]
ANNOTATIONS_DOCUMENTED_AT = "https://learn.microsoft.com/azure/aks/istio-deploy-ingress#annotations, docs/gateways.md"


class HpaSettings(Settings):
    """Replica bounds of a gateway's HorizontalPodAutoscaler (AKS default 2..5 at 80% CPU)."""

    min_replicas: int = Field(description=f"At least {sm.GATEWAY_HPA_MIN_REPLICAS}: AKS refuses fewer.")
    max_replicas: int = Field(le=100, description="Upper bound; >= minReplicas.")

    @model_validator(mode="after")
    def _bounds(self) -> HpaSettings:
        problems = Problems()
        for key, problem in rules.hpa_problems(self.min_replicas, self.max_replicas):
            problems.add(key, problem)
        problems.raise_if_any()
        return self


class StaticIpSettings(Settings):
    """The external gateway's public IP: a Standard static IP we create (and protect in prod), or yours."""

    existing: bool = Field(default=False, description="Use an existing public IP named `name` instead.")
    name: str | None = Field(
        default=None, pattern=PUBLIC_IP_NAME_PATTERN, description="Unset: pip-<cluster>-ingress (required if existing)."
    )
    resource_group: str | None = Field(
        default=None,
        pattern=RESOURCE_GROUP_PATTERN,
        description="Group of the IP; the cluster identity gets Network Contributor on it. Unset: the platform's.",
    )
    zones: list[Zone] = Field(default_factory=list, description="Zones of a created IP; 1,2,3 = zone-redundant.")
    domain_name_label: str | None = Field(
        default=None, pattern=r"^[a-z][a-z0-9-]{1,61}[a-z0-9]$", description="DNS label <label>.<region>.cloudapp..."
    )

    @model_validator(mode="after")
    def _existing(self) -> StaticIpSettings:
        problems = Problems()
        if self.existing and self.name is None:
            problems.add("name", "is required when existing is true; allowed: the name of your public IP")
        if self.existing and (self.zones or self.domain_name_label):
            problems.add("zones", "zones and domainNameLabel only apply to an IP we create; allowed: existing: false")
        problems.raise_if_any()
        return self


class IngressSubnetSettings(Settings):
    """A subnet of the mesh VNet for the internal gateway's load balancer frontend."""

    name: str = Field(default="snet-ingress", pattern=SUBNET_NAME_PATTERN, description="Subnet name.")
    prefix: str = Field(description="Address prefix inside the VNet, e.g. 10.20.8.0/24.")

    @field_validator("prefix")
    @classmethod
    def _prefix(cls, prefix: str) -> str:
        try:
            ipaddress.IPv4Network(prefix)
        except ValueError:
            raise ValueError(f"{prefix!r} is not an IPv4 CIDR; allowed: e.g. 10.20.8.0/24") from None
        return prefix


class IngressGatewaySettings(Settings):
    """One of the add-on's two classic ingress gateways (`aks-istio-ingressgateway-{internal,external}`).

    The Service stays the add-on's: the platform only patches allowlisted annotations and
    `externalTrafficPolicy` onto it (server-side apply), never ports or protocol.
    """

    enabled: bool = Field(default=False, description="Deploy this gateway.")
    annotations: dict[str, str] = Field(
        default_factory=dict, description="Extra Service annotations, only from AKS's allowlist."
    )
    external_traffic_policy: Literal["Cluster", "Local"] | None = Field(
        default=None, description="Local keeps client source IPs (may unbalance load); unset: the add-on's."
    )
    allowed_service_tags: list[str] = Field(
        default_factory=list, description="Only these Azure service tags reach it, e.g. AzureFrontDoor.Backend."
    )
    allowed_ip_ranges: list[str] = Field(default_factory=list, description="Only these CIDRs reach the gateway.")
    hpa: HpaSettings | None = Field(default=None, description="Replica bounds; unset: AKS's 2..5.")
    static_ip: StaticIpSettings | None = Field(default=None, description="External only: pin a static public IP.")
    subnet: IngressSubnetSettings | None = Field(default=None, description="Internal only: a subnet of its own.")

    _allowed_ip_ranges = field_validator("allowed_ip_ranges")(valid_cidrs)

    @field_validator("allowed_service_tags")
    @classmethod
    def _tags(cls, tags: list[str]) -> list[str]:
        for tag in tags:
            if not tag or "," in tag or " " in tag:
                raise ValueError(f"{tag!r} is not a service tag name; allowed: e.g. AzureFrontDoor.Backend")
        return tags

    def managed_annotations(self) -> dict[str, str]:
        """Annotations the typed keys produce (the static IP's are added where its name is known)."""
        return rules.managed_gateway_annotations(
            allowed_service_tags=self.allowed_service_tags,
            allowed_ip_ranges=self.allowed_ip_ranges,
            subnet=self.subnet.name if self.subnet is not None else None,
        )

    @property
    def customized(self) -> bool:
        return bool(
            self.annotations
            or self.external_traffic_policy
            or self.allowed_service_tags
            or self.allowed_ip_ranges
            or self.hpa
            or self.static_ip
            or self.subnet
        )

    def check(self, mode: str, problems: Problems, path: str) -> None:
        if not self.enabled and self.customized:
            problems.add(f"{path}.enabled", "is false, so the settings beside it would be ignored; allowed: true")
        for key, problem in rules.ingress_mode_problems(
            mode, static_ip=self.static_ip is not None, subnet=self.subnet is not None
        ):
            problems.add(f"{path}.{key}", problem)
        # Each bad annotation at its own entry (`annotations.<name>`), where the user edits it.
        for key in self.annotations:
            if not sm.is_allowed_gateway_annotation(key):
                problems.add(
                    f"{path}.annotations.{key}",
                    f"{key!r} cannot be set on the add-on's gateway Service; allowed: "
                    + nearest(key, sm.allowed_gateway_annotations(), documented_at=ANNOTATIONS_DOCUMENTED_AT),
                )
        typed = set(self.managed_annotations())
        if self.static_ip is not None:
            typed |= {sm.GATEWAY_SERVICE_ANNOTATION_PIP_NAME, sm.GATEWAY_SERVICE_ANNOTATION_PIP_RESOURCE_GROUP}
        for key in sorted(typed & set(self.annotations)):
            problems.add(
                f"{path}.annotations.{key}",
                f"{key!r} is set from staticIp/subnet/allowedServiceTags/allowedIpRanges; remove it from annotations",
            )


class IngressSettings(Settings):
    """The internal and the external ingress gateway; the external one is opt-in."""

    internal: IngressGatewaySettings = Field(default_factory=IngressGatewaySettings)
    external: IngressGatewaySettings = Field(default_factory=IngressGatewaySettings)

    @model_validator(mode="after")
    def _per_mode(self) -> IngressSettings:
        problems = Problems()
        self.internal.check("Internal", problems, "internal")
        self.external.check("External", problems, "external")
        problems.raise_if_any()
        return self

    def gateways(self) -> dict[str, IngressGatewaySettings]:
        """Enabled gateways by add-on mode (`Internal`/`External`)."""
        return {
            mode: settings
            for mode, settings in (("Internal", self.internal), ("External", self.external))
            if settings.enabled
        }
