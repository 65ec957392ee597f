"""Settings of the add-on's gateways: classic ingress, Gateway API ingress and egress (docs/gateways.md).

Everything here is limited to what AKS lets users change (support_matrix): the ingress Services take only the
allowlisted annotations and `externalTrafficPolicy`, never ports or protocol; Gateway API customization
ConfigMaps take only the allowlisted fields; HPAs never go below 2 replicas.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator, model_validator

from aks_istio.addon import rules
from aks_istio.addon import support_matrix as sm
from aks_istio.config._base import (
    K8S_NAME_PATTERN,
    POOL_NAME_PATTERN,
    RESOURCE_GROUP_PATTERN,
    Problems,
    Settings,
    allowed,
    valid_cidrs,
)

if TYPE_CHECKING:
    from aks_istio.config.cluster import ClusterSettings
    from aks_istio.config.mesh import MeshSettings

# Azure resource names: public IPs 1-80 chars, resource groups 1-90 (ARM naming rules).
PUBLIC_IP_NAME_PATTERN = r"^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,78}[a-zA-Z0-9_]$"
SUBNET_NAME_PATTERN = r"^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,78}[a-zA-Z0-9_]$"
HOSTNAME_PATTERN = r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$"
Zone = Literal["1", "2", "3"]


class HpaSettings(Settings):
    """Replica bounds of a gateway's HorizontalPodAutoscaler (AKS default 2..5 at 80% CPU)."""

    min_replicas: int = Field(description=f"At least {sm.GATEWAY_HPA_MIN_REPLICAS}: AKS refuses fewer.")
    max_replicas: int = Field(le=100, description="Upper bound; >= minReplicas.")

    @model_validator(mode="after")
    def _bounds(self) -> HpaSettings:
        problems = Problems()
        if self.min_replicas < sm.GATEWAY_HPA_MIN_REPLICAS:
            problems.add(
                "minReplicas",
                f"{self.min_replicas} is below the add-on's minimum (it conflicts with the gateway's "
                f"PodDisruptionBudget); allowed: >= {sm.GATEWAY_HPA_MIN_REPLICAS}",
            )
        if self.max_replicas < self.min_replicas:
            problems.add("maxReplicas", f"{self.max_replicas} is below minReplicas {self.min_replicas}")
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

    @field_validator("annotations")
    @classmethod
    def _allowlisted(cls, annotations: dict[str, str]) -> dict[str, str]:
        unknown = sorted(key for key in annotations if not sm.is_allowed_gateway_annotation(key))
        if unknown:
            raise ValueError(
                f"{', '.join(repr(k) for k in unknown)} cannot be set on the add-on's gateway Service; "
                f"allowed: {allowed(sm.allowed_gateway_annotations())}"
            )
        return annotations

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
        typed = set(self.managed_annotations())
        if self.static_ip is not None:
            typed |= {sm.GATEWAY_SERVICE_ANNOTATION_PIP_NAME, sm.GATEWAY_SERVICE_ANNOTATION_PIP_RESOURCE_GROUP}
        for key in sorted(typed & set(self.annotations)):
            problems.add(
                f"{path}.annotations",
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


# --- Gateway API -------------------------------------------------------------------------------------------------


def _customization(data: dict[str, Any]) -> dict[str, Any]:
    problems = sm.gateway_api_customization_problems(data)
    if problems:
        raise ValueError("; ".join(problems))
    return data


class GatewayListenerSettings(Settings):
    """One listener of a Gateway API `Gateway`."""

    name: str = Field(pattern=K8S_NAME_PATTERN, description="Listener name.")
    port: int = Field(ge=1, le=65535, description="Port on the gateway's load balancer.")
    protocol: Literal["HTTP", "HTTPS"] = Field(default="HTTP", description="HTTPS terminates TLS at the gateway.")
    hostname: str | None = Field(default=None, pattern=HOSTNAME_PATTERN, description="Host the listener serves.")
    certificate_secret: str | None = Field(
        default=None, pattern=K8S_NAME_PATTERN, description="HTTPS: TLS Secret in the Gateway's namespace."
    )
    allowed_routes: Literal["Same", "All"] = Field(default="Same", description="Namespaces whose routes may attach.")

    @model_validator(mode="after")
    def _tls(self) -> GatewayListenerSettings:
        problems = Problems()
        if self.protocol == "HTTPS" and self.certificate_secret is None:
            problems.add("certificateSecret", "is required for HTTPS; allowed: the name of a kubernetes.io/tls Secret")
        if self.protocol == "HTTP" and self.certificate_secret is not None:
            problems.add("certificateSecret", "only applies to HTTPS listeners; allowed: protocol: HTTPS")
        problems.raise_if_any()
        return self


class GatewayApiGatewaySettings(Settings):
    """A Gateway API `Gateway` of class `istio`; AKS provisions `<name>-istio` (Deployment, Service, HPA, PDB)."""

    name: str = Field(pattern=K8S_NAME_PATTERN, description="Gateway name.")
    namespace: str = Field(pattern=K8S_NAME_PATTERN, description="Namespace of the Gateway and its routes.")
    internal: bool = Field(default=True, description="Internal load balancer (else a public one).")
    internal_subnet: str | None = Field(
        default=None, pattern=SUBNET_NAME_PATTERN, description="Internal: subnet of the mesh VNet for the frontend."
    )
    annotations: dict[str, str] = Field(
        default_factory=dict, description="spec.infrastructure.annotations, copied onto the generated Service."
    )
    listeners: list[GatewayListenerSettings] = Field(
        default_factory=lambda: [GatewayListenerSettings(name="http", port=80)],
        min_length=1,
        description="Listeners; default one HTTP listener on 80.",
    )
    parameters: dict[str, Any] = Field(
        default_factory=dict,
        description="Per-gateway customization ConfigMap (deployment, service, horizontalPodAutoscaler, "
        "podDisruptionBudget), allowlisted fields only; wins over classDefaults.",
    )

    _parameters = field_validator("parameters")(_customization)

    @model_validator(mode="after")
    def _consistent(self) -> GatewayApiGatewaySettings:
        problems = Problems()
        if self.internal_subnet is not None and not self.internal:
            problems.add("internalSubnet", "only applies to internal gateways; allowed: internal: true")
        if sm.LOAD_BALANCER_INTERNAL_ANNOTATION in self.annotations:
            problems.add("annotations", f"{sm.LOAD_BALANCER_INTERNAL_ANNOTATION!r} is set from `internal`; remove it")
        names = [listener.name for listener in self.listeners]
        for index, name in enumerate(names):
            if names.index(name) != index:
                problems.add(f"listeners[{index}].name", f"{name!r} is used twice; listener names must be unique")
        problems.raise_if_any()
        return self


class GatewayApiSettings(Settings):
    """Gateway API ingress with the add-on (GA 2026-05, asm-1-26+): managed CRDs, Gateways, customization."""

    enabled: bool = Field(default=False, description="Install the managed Gateway API CRDs and the Gateways below.")
    class_defaults: dict[str, Any] = Field(
        default_factory=dict,
        description="Patched into AKS's istio-gateway-class-defaults ConfigMap; allowlisted fields only.",
    )
    gateways: list[GatewayApiGatewaySettings] = Field(default_factory=list, description="Gateways to create.")

    _class_defaults = field_validator("class_defaults")(_customization)

    @model_validator(mode="after")
    def _consistent(self) -> GatewayApiSettings:
        problems = Problems()
        if not self.enabled and (self.gateways or self.class_defaults):
            problems.add("enabled", "is false, so gateways/classDefaults would be ignored; allowed: true")
        seen: set[tuple[str, str]] = set()
        for index, gateway in enumerate(self.gateways):
            key = (gateway.namespace, gateway.name)
            if key in seen:
                problems.add(f"gateways[{index}].name", f"{gateway.name!r} is listed twice in {gateway.namespace!r}")
            seen.add(key)
        problems.raise_if_any()
        return self


# --- Egress --------------------------------------------------------------------------------------------------------


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


class GatewaySettings(Settings):
    """Ingress and egress gateways."""

    ingress: IngressSettings = Field(default_factory=IngressSettings)
    gateway_api: GatewayApiSettings = Field(default_factory=GatewayApiSettings)
    egress: EgressSettings = Field(default_factory=EgressSettings)
    app_routing_istio: bool = Field(
        default=False,
        description="The cluster runs app-routing's Istio Gateway API implementation (approuting-istio); "
        "it cannot coexist with the add-on's Gateway API ingress.",
    )


def stack_problems(
    gateways: GatewaySettings,
    *,
    mesh: MeshSettings,
    cluster: ClusterSettings,
    problems: Problems,
) -> None:
    """Rules that need the rest of the stack: revisions, mesh config, network and pools."""
    if gateways.gateway_api.enabled:
        for problem in rules.gateway_api_problems(mesh.named_revisions, app_routing_istio=gateways.app_routing_istio):
            problems.add("gateways.gatewayApi.enabled", f"true {problem}")
    egress = gateways.egress
    if egress.gateways:
        mode = _outbound_mode(mesh.mesh_config.fields)
        if mode != "REGISTRY_ONLY":
            problems.add(
                "mesh.meshConfig.fields.outboundTrafficPolicy.mode",
                f"{mode or 'unset (ALLOW_ANY)'!r} lets workloads bypass gateways.egress; allowed with egress "
                "gateways: REGISTRY_ONLY",
            )
    if egress.pool is not None:
        taken = [cluster.system_pool.name] + [p.name for p in cluster.user_pools]
        if egress.pool.name in taken:
            problems.add("gateways.egress.pool.name", f"{egress.pool.name!r} is already a node pool; pick another")
    subnet = gateways.ingress.internal.subnet
    if subnet is not None and cluster.network.existing_subnet_id is None:
        _subnet_fits(subnet, cluster, problems)


def _outbound_mode(fields: Mapping[str, Any]) -> str | None:
    policy = fields.get("outboundTrafficPolicy")
    return str(policy.get("mode")) if isinstance(policy, Mapping) and policy.get("mode") else None


def _subnet_fits(subnet: IngressSubnetSettings, cluster: ClusterSettings, problems: Problems) -> None:
    path = "gateways.ingress.internal.subnet.prefix"
    try:
        prefix = ipaddress.IPv4Network(subnet.prefix)
        vnet = ipaddress.IPv4Network(cluster.network.vnet_address_space)
        nodes = ipaddress.IPv4Network(cluster.network.node_subnet_prefix)
    except ValueError:
        return  # the network section reports its own bad CIDRs
    if not prefix.subnet_of(vnet):
        problems.add(path, f"{subnet.prefix!r} is outside cluster.network.vnetAddressSpace {str(vnet)!r}")
    elif prefix.overlaps(nodes):
        problems.add(path, f"{subnet.prefix!r} overlaps cluster.network.nodeSubnetPrefix {str(nodes)!r}")
    if subnet.name == "snet-nodes":
        problems.add("gateways.ingress.internal.subnet.name", "'snet-nodes' is the node subnet; pick another name")


__all__ = [
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
    "StaticIpSettings",
    "stack_problems",
]
