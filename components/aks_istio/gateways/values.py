"""The gateways' values: the add-on's classic ingress gateways, its egress gateways, Gateway API ingress.

Each is defined once, here: the stack file's `gateways:` section is these classes (camelCase keys), the gateway
components take them, and Pulumi's component-provider host describes them to other languages. Their rules run
wherever they are made (`aks_istio.value_checks`); the add-on's own limits are `aks_istio.addon.rules`'. No
pydantic, no Pulumi. docs/gateways.md.

Classic ingress: the gateway Services stay the add-on's, only allowlisted annotations and
`externalTrafficPolicy` are patched onto them, never ports or protocol; HPAs never go below 2 replicas.
"""

import enum
import ipaddress
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from aks_istio.addon import rules
from aks_istio.addon import support_matrix as sm
from aks_istio.cluster.values import ZONES, ClusterSpec, EgressPool, ipv4_cidrs_reason
from aks_istio.gateways.app_ingress_values import AppRoute, IngressApi
from aks_istio.gateways.modes import ExternalTrafficPolicy, IngressMode
from aks_istio.value_checks import (
    K8S_NAME,
    RESOURCE_GROUP,
    STACK_FILE,
    Key,
    Problems,
    as_path,
    camel,
    check,
    constrained,
    field_name,
    nearest,
    resource_id,
)

# Azure resource names: public IPs and subnets 1-80 characters (ARM naming rules).
AZURE_NAME: Final[dict[str, Any]] = {
    "pattern": r"^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,78}[a-zA-Z0-9_]$",
    "words": "1-80 letters, digits, '_', '.' and '-', starting with a letter or digit",
}
ANNOTATIONS_DOCUMENTED_AT: Final = (
    "https://learn.microsoft.com/azure/aks/istio-deploy-ingress#annotations, docs/gateways.md"
)
TYPED_FIELDS: Final = ("static_ip", "subnet", "allowed_service_tags", "allowed_ip_ranges")
"""The gateway options that set Service annotations themselves (an annotation of theirs is refused)."""
HOSTNAME_PATTERN: Final = r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$"


def ipv4_cidr_reason(prefix: str) -> str | None:
    """Why `prefix` is not an IPv4 CIDR, or None."""
    try:
        ipaddress.IPv4Network(prefix)
    except ValueError:
        return f"{prefix!r} is not an IPv4 CIDR; allowed: e.g. 10.20.8.0/24"
    return None


def service_tags_reason(tags: list[str]) -> str | None:
    """Why `tags` are not Azure service tag names, or None."""
    for tag in tags:
        if not tag or "," in tag or " " in tag:
            return f"{tag!r} is not a service tag name; allowed: e.g. AzureFrontDoor.Backend"
    return None


def customization_reason(data: dict[str, Any]) -> str | None:
    """Why a Gateway API customization ConfigMap's data holds fields AKS does not allowlist, or None."""
    problems = sm.gateway_api_customization_problems(data)
    return "; ".join(problems) if problems else None


@dataclass(frozen=True, kw_only=True)
class GatewayHpa:
    """Replica bounds of a gateway's HorizontalPodAutoscaler (AKS default 2..5 at 80% CPU; the add-on refuses
    fewer than 2)."""

    __pydantic_config__: ClassVar = STACK_FILE

    min_replicas: int
    """At least 2: AKS refuses fewer."""
    max_replicas: int = constrained(le=100)
    """Upper bound; >= minReplicas."""

    def __post_init__(self) -> None:
        check(self)

    def rules(self, problems: Problems) -> None:
        if problems.fine("max_replicas"):
            for key, problem in rules.hpa_problems(self.min_replicas, self.max_replicas):
                problems.add(key, problem)


@dataclass(frozen=True, kw_only=True)
class StaticPublicIp:
    """The external gateway's public IP: a Standard static IP we create (and protect in prod), or yours."""

    __pydantic_config__: ClassVar = STACK_FILE

    existing: bool = False
    """Use an existing public IP named `name` instead."""
    name: str | None = constrained(None, **AZURE_NAME)
    """Unset: pip-<cluster>-ingress (required if existing)."""
    resource_group: str | None = constrained(None, **RESOURCE_GROUP)
    """Group of the IP; the cluster identity gets Network Contributor on it. Unset: the platform's."""
    zones: list[str] = constrained(default_factory=list, choices=ZONES)
    """Zones of a created IP; 1,2,3 = zone-redundant."""
    domain_name_label: str | None = constrained(
        None, pattern=r"^[a-z][a-z0-9-]{1,61}[a-z0-9]$", words="DNS label <label>.<region>.cloudapp..."
    )
    """DNS label <label>.<region>.cloudapp..."""

    def __post_init__(self) -> None:
        check(self)

    def rules(self, problems: Problems) -> None:
        if self.existing and self.name is None:
            problems.add("name", "is required when existing is true; allowed: the name of your public IP")
        if self.existing and (self.zones or self.domain_name_label):
            problems.add("zones", "zones and domainNameLabel only apply to an IP we create; allowed: existing: false")


def default_public_ip_name(cluster_name: str) -> str:
    """The static IP's name where the stack file leaves it unset."""
    return f"pip-{cluster_name}-ingress"


@dataclass(frozen=True, kw_only=True)
class GatewaySubnet:
    """A subnet of the mesh VNet for the internal gateway's load balancer frontend."""

    __pydantic_config__: ClassVar = STACK_FILE

    name: str = constrained("snet-ingress", **AZURE_NAME)
    """Subnet name."""
    prefix: str = constrained(check=ipv4_cidr_reason)
    """Address prefix inside the VNet, e.g. 10.20.8.0/24."""

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True, kw_only=True)
class IngressGatewayOptions:
    """How one of the add-on's classic ingress gateways is customized: only through what AKS allows (the Service
    stays the add-on's; allowlisted annotations and `externalTrafficPolicy` are patched onto it)."""

    __pydantic_config__: ClassVar = STACK_FILE

    annotations: dict[str, str] = field(default_factory=dict)
    """Extra Service annotations, only from AKS's allowlist."""
    external_traffic_policy: ExternalTrafficPolicy | None = None
    """Local keeps client source IPs (may unbalance load); unset: the add-on's."""
    allowed_service_tags: list[str] = constrained(default_factory=list, check=service_tags_reason)
    """Only these Azure service tags reach it, e.g. AzureFrontDoor.Backend."""
    allowed_ip_ranges: list[str] = constrained(default_factory=list, check=ipv4_cidrs_reason)
    """Only these CIDRs reach the gateway."""
    hpa: GatewayHpa | None = None
    """Replica bounds; unset: AKS's 2..5."""
    static_ip: StaticPublicIp | None = None
    """External only: pin a static public IP."""
    subnet: GatewaySubnet | None = None
    """Internal only: a subnet of its own."""

    def __post_init__(self) -> None:
        check(self)

    def rules(self, problems: Problems) -> None:
        # Each bad annotation at its own entry (`annotations.<name>`), where the user edits it.
        for key in self.annotations:
            if not sm.is_allowed_gateway_annotation(key):
                problems.add(
                    ("annotations", Key(key)),
                    f"{key!r} cannot be set on the add-on's gateway Service; allowed: "
                    + nearest(key, sm.allowed_gateway_annotations(), documented_at=ANNOTATIONS_DOCUMENTED_AT),
                )

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

    def mode_problems(self, mode: IngressMode, problems: Problems, *at: str) -> None:
        """What this gateway (of `mode`) cannot take: a static IP is the external one's, a subnet the internal
        one's; an annotation a typed field sets."""
        for key, problem in rules.ingress_mode_problems(
            mode, static_ip=self.static_ip is not None, subnet=self.subnet is not None, named=field_name
        ):
            problems.add((*at, *as_path(key)), problem)
        typed = set(self.managed_annotations())  # what TYPED_FIELDS set
        if self.static_ip is not None:
            typed |= {sm.GATEWAY_SERVICE_ANNOTATION_PIP_NAME, sm.GATEWAY_SERVICE_ANNOTATION_PIP_RESOURCE_GROUP}
        for key in sorted(typed & set(self.annotations)):
            problems.add(
                (*at, "annotations", Key(key)),
                f"{key!r} is set from {'/'.join(map(field_name, TYPED_FIELDS))}; remove it from annotations",
            )


@dataclass(frozen=True, kw_only=True)
class IngressGatewaySettings(IngressGatewayOptions):
    """One of the add-on's two classic ingress gateways (`aks-istio-ingressgateway-{internal,external}`).

    The Service stays the add-on's: the platform only patches allowlisted annotations and
    `externalTrafficPolicy` onto it (server-side apply), never ports or protocol.
    """

    enabled: bool = False
    """Deploy this gateway."""

    def __post_init__(self) -> None:
        check(self)

    def check_as(self, mode: IngressMode, problems: Problems, at: str) -> None:
        if not self.enabled and self.customized:
            problems.add((at, "enabled"), "is false, so the settings beside it would be ignored; allowed: true")
        self.mode_problems(mode, problems, at)


@dataclass(frozen=True, kw_only=True)
class IngressSettings:
    """The internal and the external ingress gateway; the external one is opt-in."""

    __pydantic_config__: ClassVar = STACK_FILE

    internal: IngressGatewaySettings = field(default_factory=IngressGatewaySettings)
    """The internal gateway (`aks-istio-ingressgateway-internal`)."""
    external: IngressGatewaySettings = field(default_factory=IngressGatewaySettings)
    """The external gateway (`aks-istio-ingressgateway-external`), opt-in."""

    def __post_init__(self) -> None:
        check(self)

    def rules(self, problems: Problems) -> None:
        self.internal.check_as(IngressMode.INTERNAL, problems, "internal")
        self.external.check_as(IngressMode.EXTERNAL, problems, "external")

    def gateways(self) -> dict[IngressMode, IngressGatewaySettings]:
        """Enabled gateways by add-on mode."""
        return {
            mode: settings
            for mode, settings in ((IngressMode.INTERNAL, self.internal), (IngressMode.EXTERNAL, self.external))
            if settings.enabled
        }


class EgressProtocol(enum.StrEnum):
    """How an external host is reached through the gateway."""

    TLS = "TLS"
    """Passthrough by SNI (HTTPS from the app)."""
    HTTP = "HTTP"
    """Plain HTTP."""


@dataclass(frozen=True, kw_only=True)
class EgressHost:
    """An external host apps reach through the egress gateway (a ServiceEntry with DNS resolution)."""

    __pydantic_config__: ClassVar = STACK_FILE

    host: str = constrained(pattern=HOSTNAME_PATTERN.replace(r"(\*\.)?", ""), words="a DNS name, no wildcards")
    """DNS name, no wildcards."""
    port: int = constrained(443, ge=1, le=65535)
    """Port on the external host."""
    protocol: EgressProtocol = EgressProtocol.TLS
    """TLS: passthrough by SNI (HTTPS from the app); HTTP: plain HTTP."""

    def __post_init__(self) -> None:
        check(self)


def egress_gateway_name_reason(name: str) -> str | None:
    """Why `name` is not an egress gateway name the add-on takes, or None."""
    if not sm.EGRESS_GATEWAY_NAME_PATTERN.match(name) or len(name) > sm.EGRESS_GATEWAY_NAME_MAX_LENGTH:
        return (
            f"allowed: 1-{sm.EGRESS_GATEWAY_NAME_MAX_LENGTH} lowercase letters, digits, '-' and '.', "
            f"matching {sm.EGRESS_GATEWAY_NAME_PATTERN.pattern}"
        )
    return None


@dataclass(frozen=True, kw_only=True)
class EgressGateway:
    """One add-on egress gateway, its StaticGatewayConfiguration and the routing that sends hosts through it."""

    __pydantic_config__: ClassVar = STACK_FILE

    name: str = constrained(check=egress_gateway_name_reason)
    """Gateway name (Service `<name>`, Deployment `<name>-<revision>`)."""
    namespace: str = constrained(sm.ADDON_EGRESS_NAMESPACE, **K8S_NAME)
    """Namespace of gateway and its SGC."""
    gateway_configuration_name: str | None = constrained(None, **K8S_NAME)
    """StaticGatewayConfiguration name; unset: <name>-sgc."""
    exclude_cidrs: list[str] = constrained(default_factory=list, check=ipv4_cidrs_reason)
    """Destinations that bypass the gateway pool."""
    public_ip_prefix_id: str | None = constrained(
        None,
        **resource_id(
            r"(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Network/publicIPPrefixes/[^/]+$"
        ),
    )
    """Bring your own public IP prefix; unset: AKS creates one."""
    hosts: list[EgressHost] = field(default_factory=list)
    """External hosts routed through it."""
    hpa: GatewayHpa | None = None
    """Replica bounds; unset: AKS's 2..5."""

    def __post_init__(self) -> None:
        check(self)

    @property
    def configuration_name(self) -> str:
        """The StaticGatewayConfiguration's name: as set, else `<name>-sgc`."""
        return self.gateway_configuration_name or f"{self.name.replace('.', '-')}-sgc"[:63]


class ListenerProtocol(enum.StrEnum):
    """Protocol of a Gateway listener: HTTPS terminates TLS at the gateway."""

    HTTP = "HTTP"
    """Plain HTTP."""
    HTTPS = "HTTPS"
    """TLS terminated at the gateway with the listener's certificate."""


class AllowedRoutes(enum.StrEnum):
    """Namespaces whose routes may attach to a listener."""

    SAME = "Same"
    """Routes in the gateway's own namespace only."""
    ALL = "All"
    """Routes in any namespace."""


@dataclass(frozen=True, kw_only=True)
class GatewayListener:
    """One listener of a Gateway API `Gateway`."""

    __pydantic_config__: ClassVar = STACK_FILE

    name: str = constrained(**K8S_NAME)
    """Listener name."""
    port: int = constrained(ge=1, le=65535)
    """Port on the gateway's load balancer."""
    protocol: ListenerProtocol = ListenerProtocol.HTTP
    """HTTPS terminates TLS at the gateway."""
    hostname: str | None = constrained(None, pattern=HOSTNAME_PATTERN, words="a DNS name, e.g. shop.example.com")
    """Host the listener serves."""
    certificate_secret: str | None = constrained(None, **K8S_NAME)
    """HTTPS: TLS Secret in the Gateway's namespace."""
    allowed_routes: AllowedRoutes = AllowedRoutes.SAME
    """Namespaces whose routes may attach."""

    def __post_init__(self) -> None:
        check(self)

    def rules(self, problems: Problems) -> None:
        for key, problem in rules.listener_tls_problems(self.protocol, self.certificate_secret):
            problems.add(key, problem)


def _http_listener() -> list[GatewayListener]:
    return [GatewayListener(name="http", port=80)]


@dataclass(frozen=True, kw_only=True)
class GatewayApiGateway:
    """A Gateway API `Gateway` of class `istio`; AKS provisions `<name>-istio` (Deployment, Service, HPA, PDB)."""

    __pydantic_config__: ClassVar = STACK_FILE

    name: str = constrained(**K8S_NAME)
    """Gateway name."""
    namespace: str = constrained(**K8S_NAME)
    """Namespace of the Gateway and its routes."""
    internal: bool = True
    """Internal load balancer (else a public one)."""
    internal_subnet: str | None = constrained(None, **AZURE_NAME)
    """Internal: subnet of the mesh VNet for the frontend."""
    annotations: dict[str, str] = field(default_factory=dict)
    """spec.infrastructure.annotations, copied onto the generated Service."""
    listeners: list[GatewayListener] = constrained(default_factory=_http_listener, min_items=1)
    """Listeners; default one HTTP listener on 80."""
    parameters: dict[str, Any] = constrained(default_factory=dict, check=customization_reason)
    """Per-gateway customization ConfigMap (deployment, service, horizontalPodAutoscaler, podDisruptionBudget),
    allowlisted fields only; wins over classDefaults (any JSON: Kubernetes object fields)."""

    def __post_init__(self) -> None:
        check(self)

    def rules(self, problems: Problems) -> None:
        if self.internal_subnet is not None and not self.internal:
            problems.add("internal_subnet", "only applies to internal gateways; allowed: internal: true")
        if sm.LOAD_BALANCER_INTERNAL_ANNOTATION in self.annotations:
            problems.add("annotations", f"{sm.LOAD_BALANCER_INTERNAL_ANNOTATION!r} is set from `internal`; remove it")
        names = [listener.name for listener in self.listeners]
        for index, name in enumerate(names):
            if names.index(name) != index:
                problems.add(("listeners", index, "name"), f"{name!r} is used twice; listener names must be unique")


@dataclass(frozen=True, kw_only=True)
class GatewayApiSettings:
    """Gateway API ingress with the add-on (GA 2026-05, asm-1-26+): managed CRDs, Gateways, customization."""

    __pydantic_config__: ClassVar = STACK_FILE

    enabled: bool = False
    """Install the managed Gateway API CRDs and the Gateways below."""
    class_defaults: dict[str, Any] = constrained(default_factory=dict, check=customization_reason)
    """Patched into AKS's istio-gateway-class-defaults ConfigMap; allowlisted fields only (any JSON:
    Kubernetes object fields)."""
    gateways: list[GatewayApiGateway] = field(default_factory=list)
    """Gateways to create."""

    def __post_init__(self) -> None:
        check(self)

    def rules(self, problems: Problems) -> None:
        if not self.enabled and (self.gateways or self.class_defaults):
            problems.add("enabled", "is false, so gateways/classDefaults would be ignored; allowed: true")
        seen: set[tuple[str, str]] = set()
        for index, gateway in enumerate(self.gateways):
            key = (gateway.namespace, gateway.name)
            if key in seen:
                problems.add(("gateways", index, "name"), f"{gateway.name!r} is listed twice in {gateway.namespace!r}")
            seen.add(key)


@dataclass(frozen=True, kw_only=True)
class EgressSettings:
    """Istio egress gateways on Static Egress Gateway (GA 2025-11): one gateway pool, any number of gateways."""

    __pydantic_config__: ClassVar = STACK_FILE

    pool: EgressPool | None = None
    """The gateway node pool; required with gateways."""
    gateways: list[EgressGateway] = field(default_factory=list)
    """Egress gateways."""

    def __post_init__(self) -> None:
        check(self)

    def rules(self, problems: Problems) -> None:
        if self.gateways and self.pool is None:
            problems.add("pool", "is required for egress gateways (Static Egress Gateway); allowed: {name, ...}")
        if len(self.gateways) > sm.MAX_EGRESS_GATEWAYS:
            problems.add("gateways", f"{len(self.gateways)} gateways; allowed: up to {sm.MAX_EGRESS_GATEWAYS}")
        seen: set[tuple[str, str]] = set()
        configs: set[tuple[str, str]] = set()
        for index, gateway in enumerate(self.gateways):
            if (gateway.namespace, gateway.name) in seen:
                problems.add(("gateways", index, "name"), f"{gateway.name!r} is listed twice in {gateway.namespace!r}")
            if (gateway.namespace, gateway.configuration_name) in configs:
                problems.add(
                    ("gateways", index, "gateway_configuration_name"),
                    f"{gateway.configuration_name!r} is used by another gateway; each needs its own",
                )
            seen.add((gateway.namespace, gateway.name))
            configs.add((gateway.namespace, gateway.configuration_name))


@dataclass(frozen=True, kw_only=True)
class GatewaySettings:
    """Ingress and egress gateways."""

    __pydantic_config__: ClassVar = STACK_FILE

    ingress: IngressSettings = field(default_factory=IngressSettings)
    """The internal and the external ingress gateway; the external one is opt-in."""
    gateway_api: GatewayApiSettings = field(default_factory=GatewayApiSettings)
    """Gateway API ingress with the add-on (GA 2026-05, asm-1-26+): managed CRDs, Gateways, customization."""
    egress: EgressSettings = field(default_factory=EgressSettings)
    """Istio egress gateways on Static Egress Gateway (GA 2025-11): one gateway pool, any number of gateways."""
    app_routing_istio: bool = False
    """The cluster runs app-routing's Istio Gateway API implementation (approuting-istio); it cannot coexist
    with the add-on's Gateway API ingress."""
    apps: list[AppRoute] = field(default_factory=list)
    """Apps the platform publishes through the add-on's gateways, each an AppIngress: name, hosts, backend
    {service, namespace, port}, gateway, api, tlsMode, certificate, pathRoutes, timeout, retries, access
    (docs/gateways.md)."""

    def __post_init__(self) -> None:
        check(self)


def gateway_stack_problems(
    gateways: GatewaySettings,
    *,
    named_revisions: list[str],
    outbound_mode: str | None,
    cluster: ClusterSpec,
    plugin_ca: bool,
    problems: Problems,
) -> None:
    """Rules that need the rest of the stack: revisions, mesh config, network, pools and the secrets provider
    (`plugin_ca`: the plug-in CA turns it on), with paths from the stack file's root."""
    if gateways.gateway_api.enabled:
        for problem in rules.gateway_api_problems(
            named_revisions,
            app_routing_istio=gateways.app_routing_istio,
            allowed_instead="upgrade mesh.revision first, or enabled: false",
            named=lambda field: f"gateways.{camel(field)}",
        ):
            problems.add("gateways.gatewayApi.enabled", f"true {problem}")
    egress = gateways.egress
    if egress.gateways and outbound_mode != "REGISTRY_ONLY":
        problems.add(
            "mesh.meshConfig.fields.outboundTrafficPolicy.mode",
            f"{outbound_mode or 'unset (ALLOW_ANY)'!r} lets workloads bypass gateways.egress; allowed with egress "
            "gateways: REGISTRY_ONLY",
        )
    if egress.pool is not None and egress.pool.name in cluster.pool_names:
        problems.add("gateways.egress.pool.name", f"{egress.pool.name!r} is already a node pool; pick another")
    _app_problems(gateways, secrets_provider=cluster.key_vault_secrets_provider or plugin_ca, problems=problems)
    subnet = gateways.ingress.internal.subnet
    if subnet is not None and cluster.network.existing_subnet_id is None:
        _subnet_fits(subnet, cluster, problems)


def _app_problems(gateways: GatewaySettings, *, secrets_provider: bool, problems: Problems) -> None:
    """What each app needs from the rest of the stack: its gateway on, the secrets provider add-on for a
    certificate, client addresses kept for source ranges; and names and hosts that do not collide."""
    seen_names: dict[tuple[str, str], int] = {}
    seen_hosts: dict[tuple[str, str, str], int] = {}
    for index, app in enumerate(gateways.apps):
        key = f"gateways.apps[{index}]"
        if app.terminates_tls and not secrets_provider:
            problems.add(
                "cluster.keyVaultSecretsProvider",
                f"false, but {key} ({app.name}) syncs its {app.tls_mode.value} certificate from Key Vault with that "
                "add-on; allowed: true",
            )
        if app.api is IngressApi.GATEWAY_API:
            if not gateways.gateway_api.enabled:
                problems.add(
                    f"{key}.api", "'GatewayApi' needs the managed Gateway API; allowed: gatewayApi.enabled: true"
                )
        else:
            mode = app.gateway.value.lower()
            ingress = gateways.ingress.internal if app.gateway is IngressMode.INTERNAL else gateways.ingress.external
            if not ingress.enabled:
                problems.add(
                    f"{key}.gateway",
                    f"{app.gateway.value!r} is off; allowed: an enabled one (gateways.ingress.{mode}.enabled: true)",
                )
            elif (
                app.access is not None
                and app.access.source_ranges
                and ingress.external_traffic_policy != ExternalTrafficPolicy.LOCAL
            ):
                problems.add(
                    f"{key}.access.sourceRanges",
                    f"need the client's address, which the {mode} gateway keeps only with externalTrafficPolicy "
                    f"Local; allowed: gateways.ingress.{mode}.externalTrafficPolicy: Local, or no sourceRanges",
                )
        name = (app.backend.namespace, app.name)
        if name in seen_names:
            problems.add(
                f"{key}.name",
                f"{app.name!r} in {app.backend.namespace} is also apps[{seen_names[name]}]; allowed: a name unique "
                "per namespace",
            )
        seen_names.setdefault(name, index)
        for host in app.hosts:
            where = (app.api.value, app.gateway.value, host)
            if where in seen_hosts:
                problems.add(
                    f"{key}.hosts",
                    f"{host!r} is also served by apps[{seen_hosts[where]}] on that gateway; allowed: one app per host",
                )
            seen_hosts.setdefault(where, index)


def _subnet_fits(subnet: GatewaySubnet, cluster: ClusterSpec, problems: Problems) -> None:
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
