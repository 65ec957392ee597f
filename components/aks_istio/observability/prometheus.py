"""ManagedPrometheus: Azure Monitor managed Prometheus for one cluster, with Istio scraping, rules and alerts.

The chain Azure's own onboarding (`az aks update --enable-azure-monitor-metrics`) builds, declared so it can't
be half-built (hashicorp/terraform-provider-azurerm#23623, Azure/prometheus-collector#942 and #1307):
  Azure Monitor workspace (or an existing one) <- data collection rule (Prometheus forwarder) <- endpoint,
  both associated with the cluster (the rule as `ContainerInsightsMetricsExtension`, the endpoint as
  `configurationAccessEndpoint`); recording rule groups; Istio rule groups; the action group alerts go to; and
  the collector's Istio scrape jobs in `kube-system`.
The cluster's `azureMonitorProfile.metrics` is set by AksIstioCluster from the same settings.

Source keys (AKSDOCS, SUPP, MONDOCS, PROMCOL, BT, CLI) as in `aks_istio.addon.support_matrix`.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pulumi
import pulumi_kubernetes as k8s
from pulumi_azure_native import alertsmanagement, monitor

from aks_istio.addon import support_matrix as sm
from aks_istio.kubernetes_provider import (
    check_kubernetes_provider,
    kubernetes_provider_field,
    with_kubernetes_provider,
)
from aks_istio.observability.azure_recording_rules import AZURE_RECORDING_RULE_GROUPS, RecordingRule
from aks_istio.observability.istio_rules import (
    ISTIO_ALERT_GROUP_PREFIX,
    ISTIO_RECORDING_GROUP_PREFIX,
    IstioRule,
    istio_alert_rules,
    istio_recording_rules,
)
from aks_istio.observability.scrape import prometheus_config_data
from aks_istio.observability.values import EmailReceiver, IstioAlerts, IstioScrape, WebhookReceiver
from aks_istio.tokens import type_token

# Names the CLI gives the DCE and DCR: `MSProm-<workspace region>-<cluster>`, alphanumerics and '-' only, the DCE
# cut at 44 characters and the DCR at 64 (CLI azuremonitormetrics/dc/defaults.py).
DCE_NAME_MAX = 44
DCR_NAME_MAX = 64
DATA_SOURCE_NAME = "PrometheusDataSource"
DESTINATION_NAME = "MonitoringAccount1"
ACTION_GROUP_SHORT_NAME_MAX = 12


def collection_name(region: str, cluster_name: str, limit: int) -> str:
    return re.sub(r"[^A-Za-z0-9-]", "", f"MSProm-{region}-{cluster_name}")[:limit].rstrip("-")


def data_collection_rule_fields(workspace_id: pulumi.Input[str], endpoint_id: pulumi.Input[str]) -> dict[str, Any]:
    """The DCR body: forward Prometheus metrics into the workspace (https://github.com/Azure/prometheus-collector/blob/main/AddonBicepTemplate/FullAzureMonitorMetricsProfile.bicep)."""
    return {
        "kind": "Linux",
        "data_collection_endpoint_id": endpoint_id,
        "data_sources": {
            "prometheus_forwarder": [
                {"name": DATA_SOURCE_NAME, "streams": [sm.PROMETHEUS_STREAM], "label_include_filter": {}}
            ]
        },
        "destinations": {"monitoring_accounts": [{"account_resource_id": workspace_id, "name": DESTINATION_NAME}]},
        "data_flows": [{"streams": [sm.PROMETHEUS_STREAM], "destinations": [DESTINATION_NAME]}],
        "description": "DCR for Azure Monitor Metrics Profile (Managed Prometheus)",
    }


def recording_rule_payload(rule: RecordingRule) -> dict[str, Any]:
    payload: dict[str, Any] = {"record": rule.record, "expression": rule.expression, "enabled": True}
    if rule.labels:
        payload["labels"] = dict(rule.labels)
    return payload


def istio_rule_payload(rule: IstioRule, action_group_id: pulumi.Input[str] | None) -> dict[str, Any]:
    """One PrometheusRuleGroup rule; alerts auto-resolve and notify the action group when there is one."""
    payload: dict[str, Any] = {"expression": rule.expression, "enabled": True}
    if rule.record is not None:
        payload["record"] = rule.record
        return payload
    payload.update(
        alert=rule.alert,
        severity=rule.severity,
        for_=f"PT{rule.for_minutes}M",
        annotations=dict(rule.annotations),
        resolve_configuration={"auto_resolved": True, "time_to_resolve": "PT10M"},
    )
    if rule.labels:
        payload["labels"] = dict(rule.labels)
    if action_group_id is not None:
        payload["actions"] = [{"action_group_id": action_group_id}]
    return payload


def action_group_receivers(emails: Sequence[EmailReceiver], webhooks: Sequence[WebhookReceiver]) -> dict[str, Any]:
    """E-mail and webhook receivers; webhook URIs often carry a token, so they go in as secrets."""
    return {
        "email_receivers": [
            {"name": r.name, "email_address": r.address, "use_common_alert_schema": True} for r in emails
        ],
        "webhook_receivers": [
            {"name": r.name, "service_uri": pulumi.Output.secret(r.uri), "use_common_alert_schema": True}
            for r in webhooks
        ],
    }


def action_group_short_name(cluster_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]", "", cluster_name)[-ACTION_GROUP_SHORT_NAME_MAX:] or "aks-istio"


@dataclass(frozen=True, kw_only=True)
class ManagedPrometheusArgs:
    """Inputs of `ManagedPrometheus`."""

    kubernetes_provider: pulumi.Input[k8s.Provider] = kubernetes_provider_field()
    """The Kubernetes provider of the cluster this component's Kubernetes objects go to
    (`AksIstioCluster.k8s_provider`). Required: the ambient default provider is never used."""
    cluster_name: str
    """Name of the managed cluster (rule groups carry it; DCE/DCR names derive from it)."""
    cluster_id: pulumi.Input[str]
    """ARM id of the cluster: target of both associations and a scope of every rule group."""
    resource_group_name: pulumi.Input[str]
    """Group for the workspace, DCE, DCR, rule groups and action group."""
    location: str
    """The stack's region; the workspace's region unless `workspace.location` says otherwise."""
    tags: dict[str, str] = field(default_factory=dict)
    """Azure tags on every resource."""
    protect: bool = False
    """Protect the workspace (it holds the metrics)."""
    existing_workspace_id: str | None = None
    """Reuse this Azure Monitor workspace instead of creating one."""
    workspace_location: str | None = None
    """Region of the workspace, DCE, DCR and rule groups; unset: `location`."""
    workspace_public_network_access: bool = True
    """Query endpoint of a created workspace reachable from public networks."""
    scrape: IstioScrape = field(default_factory=IstioScrape)
    """Istio scrape jobs for the managed collector."""
    recording_rules: bool = True
    """The node, Kubernetes and UX recording rules Azure's onboarding creates."""
    alerts: IstioAlerts | None = field(default_factory=IstioAlerts)
    """Istio alert thresholds; None: no Istio alert rule group."""
    alert_emails: list[EmailReceiver] = field(default_factory=list)
    """E-mail receivers of the alerts."""
    alert_webhooks: list[WebhookReceiver] = field(default_factory=list)
    """Webhook receivers of the alerts."""

    def __post_init__(self) -> None:
        check_kubernetes_provider(self)


class ManagedPrometheus(pulumi.ComponentResource):
    """Azure Monitor managed Prometheus for the cluster: workspace, data collection endpoint and rule, their
    associations, recording and Istio alert rules, and the Istio scrape configuration."""

    workspace_id: pulumi.Output[str]
    """ARM id of the Azure Monitor workspace (created or reused)."""
    data_collection_endpoint_id: pulumi.Output[str]
    """The endpoint the collector reads its configuration from and sends through."""
    data_collection_rule_id: pulumi.Output[str]
    """The rule that forwards Prometheus metrics into the workspace."""
    rule_group_names: pulumi.Output[list[str]]
    """Names of the Prometheus rule groups (recording and alerts)."""
    action_group_id: pulumi.Output[str | None]
    """Where Istio alerts go; None without receivers."""

    def __init__(self, name: str, args: ManagedPrometheusArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        """Declare the component `name` (its children's names start with it) from `args`; `opts` are Pulumi's
        resource options.

        Fields of `args` (`ManagedPrometheusArgs`):
            kubernetes_provider: The Kubernetes provider of the cluster this component's Kubernetes objects go to
                (`AksIstioCluster.k8s_provider`). Required: the ambient default provider is never used.
            cluster_name: Name of the managed cluster (rule groups carry it; DCE/DCR names derive from it).
            cluster_id: ARM id of the cluster: target of both associations and a scope of every rule group.
            resource_group_name: Group for the workspace, DCE, DCR, rule groups and action group.
            location: The stack's region; the workspace's region unless `workspace.location` says otherwise.
            tags: Azure tags on every resource.
            protect: Protect the workspace (it holds the metrics).
            existing_workspace_id: Reuse this Azure Monitor workspace instead of creating one.
            workspace_location: Region of the workspace, DCE, DCR and rule groups; unset: `location`.
            workspace_public_network_access: Query endpoint of a created workspace reachable from public networks.
            scrape: Istio scrape jobs for the managed collector.
            recording_rules: The node, Kubernetes and UX recording rules Azure's onboarding creates.
            alerts: Istio alert thresholds; None: no Istio alert rule group.
            alert_emails: E-mail receivers of the alerts.
            alert_webhooks: Webhook receivers of the alerts.

        Outputs (attributes of the component):
            workspace_id: ARM id of the Azure Monitor workspace (created or reused).
            data_collection_endpoint_id: The endpoint the collector reads its configuration from and sends through.
            data_collection_rule_id: The rule that forwards Prometheus metrics into the workspace.
            rule_group_names: Names of the Prometheus rule groups (recording and alerts).
            action_group_id: Where Istio alerts go; None without receivers.
        """
        super().__init__(
            type_token("ManagedPrometheus"), name, None, with_kubernetes_provider(opts, args.kubernetes_provider)
        )
        region = args.workspace_location or args.location
        workspace_id = self._declare_workspace(name, args, region)
        collection = self._declare_data_collection(name, args, region, workspace_id)
        action_group_id = self._declare_action_group(name, args)
        group_names = [
            self._declare_rule_group(name, args, region, workspace_id, group)
            for group in rule_groups(args, action_group_id)
        ]
        if args.scrape.istiod or args.scrape.envoy:
            self._declare_scrape_config(name, args.scrape)

        self.workspace_id = workspace_id
        self.data_collection_endpoint_id = collection.endpoint_id
        self.data_collection_rule_id = collection.rule_id
        self.rule_group_names = pulumi.Output.all(*group_names).apply(list)
        self.action_group_id = pulumi.Output.from_input(action_group_id)
        self.register_outputs(
            {
                "workspace_id": self.workspace_id,
                "data_collection_endpoint_id": self.data_collection_endpoint_id,
                "data_collection_rule_id": self.data_collection_rule_id,
                "rule_group_names": self.rule_group_names,
                "action_group_id": self.action_group_id,
            }
        )

    def _declare_workspace(self, name: str, args: ManagedPrometheusArgs, region: str) -> pulumi.Output[str]:
        """The Azure Monitor workspace's id: the existing one, or one created here."""
        if args.existing_workspace_id is not None:
            return pulumi.Output.from_input(args.existing_workspace_id)
        workspace = monitor.AzureMonitorWorkspace(
            f"{name}-workspace",
            resource_group_name=args.resource_group_name,
            azure_monitor_workspace_name=f"amw-{args.cluster_name}",
            location=region,
            public_network_access="Enabled" if args.workspace_public_network_access else "Disabled",
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        created: pulumi.Output[str] = workspace.id
        return created

    def _declare_data_collection(
        self, name: str, args: ManagedPrometheusArgs, region: str, workspace_id: pulumi.Input[str]
    ) -> "DataCollection":
        """The data collection endpoint and rule, each associated with the cluster."""
        child = pulumi.ResourceOptions(parent=self)
        endpoint = monitor.DataCollectionEndpoint(
            f"{name}-dce",
            resource_group_name=args.resource_group_name,
            data_collection_endpoint_name=collection_name(region, args.cluster_name, DCE_NAME_MAX),
            location=region,
            kind="Linux",
            network_acls={"public_network_access": "Enabled"},
            tags=args.tags,
            opts=child,
        )
        rule = monitor.DataCollectionRule(
            f"{name}-dcr",
            resource_group_name=args.resource_group_name,
            data_collection_rule_name=collection_name(region, args.cluster_name, DCR_NAME_MAX),
            location=region,
            tags=args.tags,
            **data_collection_rule_fields(workspace_id, endpoint.id),
            opts=child,
        )
        # Without this association the ama-metrics pods crash-loop (Azure/prometheus-collector #942).
        monitor.DataCollectionRuleAssociation(
            f"{name}-dcra",
            association_name=sm.METRICS_DCRA_NAME,
            resource_uri=args.cluster_id,
            data_collection_rule_id=rule.id,
            description="Managed Prometheus for this cluster. Deleting it stops metrics collection.",
            opts=child,
        )
        monitor.DataCollectionRuleAssociation(
            f"{name}-dce-association",
            association_name=sm.DCE_ASSOCIATION_NAME,
            resource_uri=args.cluster_id,
            data_collection_endpoint_id=endpoint.id,
            description="Configuration endpoint of the metrics collector (needed for private link).",
            opts=child,
        )
        return DataCollection(endpoint_id=endpoint.id, rule_id=rule.id)

    def _declare_action_group(self, name: str, args: ManagedPrometheusArgs) -> pulumi.Output[str] | None:
        """The id of the action group the Istio alerts notify; None without alerts or without receivers."""
        if args.alerts is None or not (args.alert_emails or args.alert_webhooks):
            return None
        action_group = monitor.ActionGroup(
            f"{name}-alerts",
            resource_group_name=args.resource_group_name,
            action_group_name=f"ag-{args.cluster_name}-istio",
            group_short_name=action_group_short_name(args.cluster_name),
            location="Global",
            enabled=True,
            tags=args.tags,
            **action_group_receivers(args.alert_emails, args.alert_webhooks),
            opts=pulumi.ResourceOptions(parent=self),
        )
        created: pulumi.Output[str] = action_group.id
        return created

    def _declare_rule_group(
        self, name: str, args: ManagedPrometheusArgs, region: str, workspace_id: pulumi.Input[str], group: "RuleGroup"
    ) -> pulumi.Output[str]:
        """One PrometheusRuleGroup, evaluated every minute; its name."""
        declared = alertsmanagement.PrometheusRuleGroup(
            f"{name}-{group.role}",
            resource_group_name=args.resource_group_name,
            rule_group_name=group.name,
            location=region,
            description=group.description,
            # The CLI and PROMCOL's Terraform template scope groups to the workspace and the cluster.
            scopes=[workspace_id, args.cluster_id],
            cluster_name=args.cluster_name,
            enabled=True,
            interval="PT1M",
            rules=list(group.rules),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        group_name: pulumi.Output[str] = declared.name
        return group_name

    def _declare_scrape_config(self, name: str, scrape: IstioScrape) -> None:
        """The managed collector's Istio scrape jobs, in the ConfigMap it reads in kube-system."""
        k8s.core.v1.ConfigMap(
            f"{name}-scrape-config",
            metadata={"name": sm.AMA_METRICS_PROMETHEUS_CONFIGMAP, "namespace": sm.AMA_METRICS_NAMESPACE},
            data=prometheus_config_data(scrape),
            opts=pulumi.ResourceOptions(parent=self),
        )


class DataCollection(NamedTuple):
    """The ids of a `ManagedPrometheus`'s data collection endpoint and rule."""

    endpoint_id: pulumi.Output[str]
    rule_id: pulumi.Output[str]


class RuleGroup(NamedTuple):
    """One Prometheus rule group to declare."""

    role: str
    """The child's logical name after the component's (`<name>-<role>`)."""
    name: str
    """The rule group's ARM name."""
    description: str
    rules: list[dict[str, Any]]
    """PrometheusRuleGroup rule payloads."""


def rule_groups(args: ManagedPrometheusArgs, action_group_id: pulumi.Input[str] | None) -> list[RuleGroup]:
    """Azure's recording rules (when on), Istio's recording rules, then Istio's alerts (when on; they notify
    `action_group_id` when there is one)."""
    groups: list[RuleGroup] = []
    if args.recording_rules:
        for spec in AZURE_RECORDING_RULE_GROUPS:
            payloads = [recording_rule_payload(r) for r in spec.rules]
            groups.append(RuleGroup(_role(spec.name_prefix), spec.name(args.cluster_name), spec.description, payloads))
    groups.append(
        RuleGroup(
            "istio-recording",
            f"{ISTIO_RECORDING_GROUP_PREFIX}{args.cluster_name}",
            "Istio request rate, 5xx ratio and latency percentiles per service and workload",
            [istio_rule_payload(r, None) for r in istio_recording_rules()],
        )
    )
    if args.alerts is not None:
        groups.append(
            RuleGroup(
                "istio-alerts",
                f"{ISTIO_ALERT_GROUP_PREFIX}{args.cluster_name}",
                "Istio mesh alerts: 5xx ratio, p99 latency, istiod push errors and rejects, unready proxies",
                [istio_rule_payload(r, action_group_id) for r in istio_alert_rules(args.alerts)],
            )
        )
    return groups


def _role(name_prefix: str) -> str:
    """`NodeRecordingRulesRuleGroup-` -> `node-recording` (the child's logical name)."""
    head = name_prefix.split("RecordingRules")[0].lower()
    return f"{head}-recording"
