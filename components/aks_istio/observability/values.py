"""The observability values: Azure Monitor managed Prometheus and Azure Managed Grafana, wired for the Istio add-on.

Each is defined once, here: the stack file's `observability:` section is these classes (camelCase keys), the
components take them, and Pulumi's component-provider host describes them to other languages. Their rules run
wherever they are made (`aks_istio.value_checks`). No pydantic, no Pulumi. docs/observability.md.
"""

import enum
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from aks_istio.cluster.values import KubeStateMetrics
from aks_istio.value_checks import (
    LOCATION,
    STACK_FILE,
    SUBNET_ID,
    UUID,
    Problems,
    check,
    constrained,
    field_name,
    resource_id,
)

_ARM_ID = r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/"
WORKSPACE_ID: Final[dict[str, Any]] = resource_id(_ARM_ID + r"Microsoft\.Monitor/accounts/[^/]+$")
GRAFANA_ID: Final[dict[str, Any]] = resource_id(
    r"^/subscriptions/[^/]+/resourceGroups/(?P<rg>[^/]+)/providers/Microsoft\.Dashboard/grafana/(?P<name>[^/]+)$"
)
GRAFANA_NAME: Final[dict[str, Any]] = {
    "pattern": r"^[a-zA-Z][a-zA-Z0-9-]{0,21}[a-zA-Z0-9]$",
    "words": "2-23 letters, digits and '-', starting with a letter (Managed Grafana's names)",
}
GRAFANA_DNS_ZONE_ID: Final[dict[str, Any]] = {
    "pattern": _ARM_ID + r"Microsoft\.Network/privateDnsZones/privatelink\.grafana\.azure\.com$",
    "words": "the id of a privatelink.grafana.azure.com zone: /subscriptions/<id>/resourceGroups/<group>/providers/"
    "Microsoft.Network/privateDnsZones/privatelink.grafana.azure.com",
}
_DURATION = re.compile(r"^[1-9][0-9]*[sm]$")


@dataclass(frozen=True, kw_only=True)
class WorkspaceSettings:
    """The Azure Monitor workspace that stores the metrics (created, or an existing one)."""

    __pydantic_config__: ClassVar = STACK_FILE

    existing_id: str | None = constrained(None, **WORKSPACE_ID)
    """Reuse this workspace instead of creating one."""
    location: str | None = constrained(None, **LOCATION)
    """Region of the workspace; unset: the stack's location. The DCE, DCR and rule groups live here."""
    public_network_access: bool = True
    """Query endpoint reachable from public networks."""

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True, kw_only=True)
class IstioScrape:
    """Istio scraping by the managed collector (the `ama-metrics-prometheus-config` ConfigMap)."""

    __pydantic_config__: ClassVar = STACK_FILE

    interval: str = constrained("30s", pattern=_DURATION.pattern, words="<n>s or <n>m, e.g. 30s")
    """Scrape interval of the Istio jobs, e.g. 30s or 1m."""
    istiod: bool = True
    """Scrape the add-on's istiod (control-plane metrics)."""
    envoy: bool = True
    """Scrape every sidecar and gateway Envoy on :15090."""

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True, kw_only=True)
class IstioAlerts:
    """Thresholds of the Istio alert rules; they apply per destination service."""

    __pydantic_config__: ClassVar = STACK_FILE

    error_ratio: float = constrained(0.05, gt=0, lt=1)
    """5xx share of requests that fires an alert."""
    p99_latency_ms: int = constrained(1000, ge=10)
    """p99 request latency (ms) that fires an alert."""
    min_request_rate: float = constrained(1.0, ge=0)
    """Requests/s a service needs before ratio alerts apply (quiet services)."""
    for_minutes: int = constrained(5, ge=1, le=1440)
    """How long a condition holds before firing."""
    severity: int = constrained(2, ge=0, le=4)
    """Azure alert severity (0 critical .. 4 verbose)."""

    def __post_init__(self) -> None:
        check(self)


RECEIVER_NAME: Final[dict[str, Any]] = {
    "pattern": r"^[\w .-]{1,128}$",
    "words": "1-128 letters, digits, spaces, '.', '_' and '-'",
}


@dataclass(frozen=True, kw_only=True)
class EmailReceiver:
    """An e-mail receiver of the alert action group."""

    __pydantic_config__: ClassVar = STACK_FILE

    name: str = constrained(**RECEIVER_NAME)
    """Receiver name, unique in the group."""
    address: str = constrained(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", words="an e-mail address")
    """E-mail address."""

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True, kw_only=True)
class WebhookReceiver:
    """A webhook receiver of the alert action group (the URI is kept secret in Pulumi state)."""

    __pydantic_config__: ClassVar = STACK_FILE

    name: str = constrained(**RECEIVER_NAME)
    """Receiver name, unique in the group."""
    uri: str = constrained(pattern=r"^https://\S+$", words="an https:// URI")
    """HTTPS endpoint that receives the common alert schema."""

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True, kw_only=True)
class AlertSettings(IstioAlerts):
    """Istio alert rules and where they go. Thresholds apply per destination service."""

    enabled: bool = True
    """Create the Istio alert rule group."""
    emails: list[EmailReceiver] = field(default_factory=list)
    """E-mail receivers."""
    webhooks: list[WebhookReceiver] = field(default_factory=list)
    """Webhook receivers."""

    def __post_init__(self) -> None:
        check(self)

    @property
    def has_receivers(self) -> bool:
        return bool(self.emails or self.webhooks)

    def rules(self, problems: Problems) -> None:
        seen: set[str] = set()
        named: list[tuple[tuple[str, int], str]] = [(("emails", i), r.name) for i, r in enumerate(self.emails)]
        named += [(("webhooks", i), r.name) for i, r in enumerate(self.webhooks)]
        for path, receiver_name in named:
            if receiver_name in seen:
                problems.add((*path, "name"), f"{receiver_name!r} is used twice; names must be unique")
            seen.add(receiver_name)


class GrafanaSku(enum.StrEnum):
    """Managed Grafana's pricing tier."""

    STANDARD = "Standard"
    """SLA-backed, zone redundancy available."""
    ESSENTIAL = "Essential"
    """No SLA, no zone redundancy."""


GRAFANA_MAJOR_VERSIONS: Final = ("10", "11", "12")


def zone_redundancy_problems(sku: GrafanaSku, zone_redundant: bool, problems: Problems) -> None:
    """Zone redundancy is a Standard instance's."""
    if zone_redundant and sku != GrafanaSku.STANDARD:
        problems.add("zone_redundant", "true needs sku 'Standard'; allowed with 'Essential': false")


@dataclass(frozen=True, kw_only=True)
class GrafanaPrivateEndpointSettings:
    """A private endpoint for the Grafana instance (the only way in once public network access is off)."""

    __pydantic_config__: ClassVar = STACK_FILE

    enabled: bool | None = None
    """Unset: on exactly when the instance's public network access is off."""
    subnet_id: str | None = constrained(None, **SUBNET_ID)
    """Subnet of the endpoint. Unset: the cluster's node subnet."""
    private_dns_zone_id: str | None = constrained(None, **GRAFANA_DNS_ZONE_ID)
    """An existing privatelink.grafana.azure.com zone (e.g. your hub's). Unset: the stack creates the zone and
    links it to the endpoint's VNet."""

    def __post_init__(self) -> None:
        check(self)


def grafana_default_name(cluster_name: str) -> str:
    """`GrafanaSettings.name` when unset: `amg-<cluster>`, cut to Managed Grafana's 23 characters, ending in a letter
    or digit."""
    return f"amg-{cluster_name}"[:23].rstrip("-_")


@dataclass(frozen=True, kw_only=True)
class GrafanaSettings:
    """Azure Managed Grafana with the workspace as its data source, and the Istio dashboards."""

    __pydantic_config__: ClassVar = STACK_FILE

    enabled: bool = True
    """Create (or reuse) Managed Grafana."""
    existing_id: str | None = constrained(None, **GRAFANA_ID)
    """Reuse this Grafana: grant it read access and link the workspace yourself (see docs)."""
    name: str | None = constrained(None, **GRAFANA_NAME)
    """Unset: amg-<cluster>."""
    sku: GrafanaSku = GrafanaSku.STANDARD
    """Essential has no SLA."""
    major_version: str = constrained("11", choices=GRAFANA_MAJOR_VERSIONS)
    """Grafana major version."""
    public_network_access: bool | None = None
    """Unset: off in prod (reach it through a private endpoint), on elsewhere."""
    private_endpoint: GrafanaPrivateEndpointSettings = field(default_factory=GrafanaPrivateEndpointSettings)
    """A private endpoint for the Grafana instance (the only way in once public network access is off)."""
    zone_redundant: bool = False
    """Zone-redundant instance (Standard only)."""
    admins: list[str] = constrained(default_factory=list, **UUID)
    """Entra object ids that get Grafana Admin."""
    editors: list[str] = constrained(default_factory=list, **UUID)
    """Entra object ids that get Grafana Editor."""
    viewers: list[str] = constrained(default_factory=list, **UUID)
    """Entra object ids that get Grafana Viewer."""
    service_accounts: bool = False
    """Allow Grafana service accounts (needed for a dashboard-provisioning token)."""
    dashboards_token_config_key: str | None = constrained(
        None, pattern=r"^[A-Za-z][A-Za-z0-9_-]*$", words="a config key: letters, digits, '_' and '-'"
    )
    """Secret config key (aks-istio:<key>) with a service-account token; set: dashboards provisioned."""

    def __post_init__(self) -> None:
        check(self)

    def rules(self, problems: Problems) -> None:
        if self.existing_id is not None and self.private_endpoint.enabled:
            problems.add(
                ("private_endpoint", "enabled"),
                f"true is for an instance this stack creates; allowed with {field_name('existing_id')}: false (give "
                "the existing instance its endpoints where it is managed)",
            )
        zone_redundancy_problems(self.sku, self.zone_redundant, problems)
        if self.existing_id is not None and self.name is not None:
            existing = field_name("existing_id")
            problems.add("name", f"is ignored with {existing}; allowed: one of name, {existing}")
        if self.dashboards_token_config_key is not None and not self.service_accounts and self.existing_id is None:
            problems.add(
                "dashboards_token_config_key",
                "needs a service-account token, and Managed Grafana issues them only with "
                f"{field_name('service_accounts')}: true",
            )


@dataclass(frozen=True, kw_only=True)
class ObservabilitySettings:
    """Managed Prometheus + Managed Grafana wired for Istio metrics: one switch."""

    __pydantic_config__: ClassVar = STACK_FILE

    enabled: bool = False
    """Create and wire the whole metrics chain."""
    workspace: WorkspaceSettings = field(default_factory=WorkspaceSettings)
    """The Azure Monitor workspace that stores the metrics (created, or an existing one)."""
    kube_state_metrics: KubeStateMetrics = field(default_factory=KubeStateMetrics)
    """Extra Kubernetes labels and annotations kube-state-metrics turns into metric labels (cost: cardinality)."""
    scrape: IstioScrape = field(default_factory=IstioScrape)
    """Istio scraping by the managed collector (the `ama-metrics-prometheus-config` ConfigMap)."""
    recording_rules: bool = True
    """The node, Kubernetes and UX recording rules Azure's onboarding creates."""
    alerts: AlertSettings = field(default_factory=AlertSettings)
    """Istio alert rules and where they go. Thresholds apply per destination service."""
    grafana: GrafanaSettings = field(default_factory=GrafanaSettings)
    """Azure Managed Grafana with the workspace as its data source, and the Istio dashboards."""

    def __post_init__(self) -> None:
        check(self)
