"""Settings of Azure Monitor managed Prometheus and Azure Managed Grafana, wired for the Istio add-on.

Source keys (AKSDOCS, SUPP, MONDOCS, PROMCOL, BT, CLI) as in `aks_istio.addon.support_matrix`.
"""

from __future__ import annotations

import re
from typing import Literal
from uuid import UUID

from pydantic import Field, field_validator, model_validator

from aks_istio.config._base import LOCATION_PATTERN, Problems, Settings
from aks_istio.value_checks import SUBNET_ID

SUBNET_ID_PATTERN = SUBNET_ID["pattern"]

_ARM_ID = r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/"
WORKSPACE_ID_PATTERN = _ARM_ID + r"Microsoft\.Monitor/accounts/[^/]+$"
GRAFANA_ID_PATTERN = _ARM_ID + r"Microsoft\.Dashboard/grafana/[^/]+$"
GRAFANA_NAME_PATTERN = r"^[a-zA-Z][a-zA-Z0-9-]{0,21}[a-zA-Z0-9]$"  # Managed Grafana: 2-23 letters, digits, '-'
GRAFANA_DNS_ZONE_ID_PATTERN = _ARM_ID + r"Microsoft\.Network/privateDnsZones/privatelink\.grafana\.azure\.com$"
# kube-state-metrics allowlist entries: a resource (plural, lower case) and the label/annotation keys to keep,
# rendered as `namespaces=[a,b],pods=[c]` (AKSDOCS/MONDOCS `--ksm-metric-labels-allow-list`).
_KSM_RESOURCE = re.compile(r"^[a-z][a-z0-9]*$")
_KSM_KEY = re.compile(r"^(\*|[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?)$")
_DURATION = re.compile(r"^[1-9][0-9]*[sm]$")


class WorkspaceSettings(Settings):
    """The Azure Monitor workspace that stores the metrics (created, or an existing one)."""

    existing_id: str | None = Field(
        default=None, pattern=WORKSPACE_ID_PATTERN, description="Reuse this workspace instead of creating one."
    )
    location: str | None = Field(
        default=None,
        pattern=LOCATION_PATTERN,
        description="Region of the workspace; unset: the stack's location. The DCE, DCR and rule groups live here.",
    )
    public_network_access: bool = Field(default=True, description="Query endpoint reachable from public networks.")


class KubeStateMetricsSettings(Settings):
    """Extra Kubernetes labels and annotations kube-state-metrics turns into metric labels (cost: cardinality)."""

    labels_allowlist: dict[str, list[str]] = Field(
        default_factory=dict, description="Resource -> label keys, e.g. {namespaces: [team], pods: [app]}."
    )
    annotations_allowlist: dict[str, list[str]] = Field(
        default_factory=dict, description="Resource -> annotation keys."
    )

    @field_validator("labels_allowlist", "annotations_allowlist")
    @classmethod
    def _entries(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for resource, keys in value.items():
            if not _KSM_RESOURCE.match(resource):
                raise ValueError(f"{resource!r} is not a resource name; allowed: plural lower case, e.g. pods")
            for key in keys:
                if not _KSM_KEY.match(key):
                    raise ValueError(f"{key!r} under {resource!r} is not a label key; allowed: a key or '*'")
        return value


class ScrapeSettings(Settings):
    """Istio scraping by the managed collector (the `ama-metrics-prometheus-config` ConfigMap)."""

    interval: str = Field(default="30s", description="Scrape interval of the Istio jobs, e.g. 30s or 1m.")
    istiod: bool = Field(default=True, description="Scrape the add-on's istiod (control-plane metrics).")
    envoy: bool = Field(default=True, description="Scrape every sidecar and gateway Envoy on :15090.")

    @field_validator("interval")
    @classmethod
    def _interval(cls, value: str) -> str:
        if not _DURATION.match(value):
            raise ValueError(f"{value!r} is not a duration; allowed: <n>s or <n>m, e.g. 30s")
        return value


class _ReceiverSettings(Settings):
    name: str = Field(pattern=r"^[\w .-]{1,128}$", description="Receiver name, unique in the group.")


class EmailReceiverSettings(_ReceiverSettings):
    """An e-mail receiver of the alert action group."""

    address: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="E-mail address.")


class WebhookReceiverSettings(_ReceiverSettings):
    """A webhook receiver of the alert action group (the URI is kept secret in Pulumi state)."""

    uri: str = Field(pattern=r"^https://\S+$", description="HTTPS endpoint that receives the common alert schema.")


class AlertSettings(Settings):
    """Istio alert rules and where they go. Thresholds apply per destination service."""

    enabled: bool = Field(default=True, description="Create the Istio alert rule group.")
    error_ratio: float = Field(default=0.05, gt=0, lt=1, description="5xx share of requests that fires an alert.")
    p99_latency_ms: int = Field(default=1000, ge=10, description="p99 request latency (ms) that fires an alert.")
    min_request_rate: float = Field(
        default=1.0, ge=0, description="Requests/s a service needs before ratio alerts apply (quiet services)."
    )
    for_minutes: int = Field(default=5, ge=1, le=1440, description="How long a condition holds before firing.")
    severity: int = Field(default=2, ge=0, le=4, description="Azure alert severity (0 critical .. 4 verbose).")
    emails: list[EmailReceiverSettings] = Field(default_factory=list, description="E-mail receivers.")
    webhooks: list[WebhookReceiverSettings] = Field(default_factory=list, description="Webhook receivers.")

    @property
    def has_receivers(self) -> bool:
        return bool(self.emails or self.webhooks)

    @model_validator(mode="after")
    def _unique_names(self) -> AlertSettings:
        problems = Problems()
        seen: set[str] = set()
        named: list[tuple[str, str]] = [(f"emails[{i}]", r.name) for i, r in enumerate(self.emails)]
        named += [(f"webhooks[{i}]", r.name) for i, r in enumerate(self.webhooks)]
        for path, receiver_name in named:
            if receiver_name in seen:
                problems.add(f"{path}.name", f"{receiver_name!r} is used twice; names must be unique")
            seen.add(receiver_name)
        problems.raise_if_any()
        return self


class GrafanaPrivateEndpointSettings(Settings):
    """A private endpoint for the Grafana instance (the only way in once public network access is off)."""

    enabled: bool | None = Field(
        default=None, description="Unset: on exactly when the instance's public network access is off."
    )
    subnet_id: str | None = Field(
        default=None, pattern=SUBNET_ID_PATTERN, description="Subnet of the endpoint. Unset: the cluster's node subnet."
    )
    private_dns_zone_id: str | None = Field(
        default=None,
        description="An existing privatelink.grafana.azure.com zone (e.g. your hub's). Unset: the stack creates "
        "the zone and links it to the endpoint's VNet.",
    )

    @field_validator("private_dns_zone_id")
    @classmethod
    def _grafana_zone(cls, zone_id: str | None) -> str | None:
        if zone_id is not None and not re.match(GRAFANA_DNS_ZONE_ID_PATTERN, zone_id):
            raise ValueError(
                "not the id of a privatelink.grafana.azure.com zone; allowed: /subscriptions/<id>/resourceGroups/"
                "<group>/providers/Microsoft.Network/privateDnsZones/privatelink.grafana.azure.com"
            )
        return zone_id


class GrafanaSettings(Settings):
    """Azure Managed Grafana with the workspace as its data source, and the Istio dashboards."""

    enabled: bool = Field(default=True, description="Create (or reuse) Managed Grafana.")
    existing_id: str | None = Field(
        default=None,
        pattern=GRAFANA_ID_PATTERN,
        description="Reuse this Grafana: grant it read access and link the workspace yourself (see docs).",
    )
    name: str | None = Field(default=None, pattern=GRAFANA_NAME_PATTERN, description="Unset: amg-<cluster>.")
    sku: Literal["Standard", "Essential"] = Field(default="Standard", description="Essential has no SLA.")
    major_version: Literal["10", "11", "12"] = Field(default="11", description="Grafana major version.")
    public_network_access: bool | None = Field(
        default=None, description="Unset: off in prod (reach it through a private endpoint), on elsewhere."
    )
    private_endpoint: GrafanaPrivateEndpointSettings = Field(default_factory=GrafanaPrivateEndpointSettings)
    zone_redundant: bool = Field(default=False, description="Zone-redundant instance (Standard only).")
    admins: list[UUID] = Field(default_factory=list, description="Entra object ids that get Grafana Admin.")
    editors: list[UUID] = Field(default_factory=list, description="Entra object ids that get Grafana Editor.")
    viewers: list[UUID] = Field(default_factory=list, description="Entra object ids that get Grafana Viewer.")
    service_accounts: bool = Field(
        default=False, description="Allow Grafana service accounts (needed for a dashboard-provisioning token)."
    )
    dashboards_token_config_key: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z][A-Za-z0-9_-]*$",
        description="Secret config key (aks-istio:<key>) with a service-account token; set: dashboards provisioned.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> GrafanaSettings:
        problems = Problems()
        if self.existing_id is not None and self.private_endpoint.enabled:
            problems.add(
                "privateEndpoint.enabled",
                "true is for an instance this stack creates; allowed with existingId: false (give the existing "
                "instance its endpoints where it is managed)",
            )
        if self.zone_redundant and self.sku != "Standard":
            problems.add("zoneRedundant", "true needs sku 'Standard'; allowed with 'Essential': false")
        if self.existing_id is not None and self.name is not None:
            problems.add("name", "is ignored with existingId; allowed: one of name, existingId")
        if self.dashboards_token_config_key is not None and not self.service_accounts and self.existing_id is None:
            problems.add(
                "dashboardsTokenConfigKey",
                "needs a service-account token, and Managed Grafana issues them only with serviceAccounts: true",
            )
        problems.raise_if_any()
        return self


class ObservabilitySettings(Settings):
    """Managed Prometheus + Managed Grafana wired for Istio metrics: one switch."""

    enabled: bool = Field(default=False, description="Create and wire the whole metrics chain.")
    workspace: WorkspaceSettings = Field(default_factory=WorkspaceSettings)
    kube_state_metrics: KubeStateMetricsSettings = Field(default_factory=KubeStateMetricsSettings)
    scrape: ScrapeSettings = Field(default_factory=ScrapeSettings)
    recording_rules: bool = Field(
        default=True, description="The node, Kubernetes and UX recording rules Azure's onboarding creates."
    )
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    grafana: GrafanaSettings = Field(default_factory=GrafanaSettings)
