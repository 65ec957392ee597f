"""ManagedPrometheus: the metrics chain exists whole, is connected, and turns off cleanly."""

from __future__ import annotations

import re

import pytest
import yaml

from aks_istio.addon import support_matrix as sm
from aks_istio.config import ConfigError
from aks_istio.observability.scrape import DROPPED_ENVOY_LABELS, DROPPED_ENVOY_METRICS, KEPT_ENVOY_METRICS
from aks_istio.offline.capture import Capture, Secret
from tests.components.observability.support import (
    balanced,
    labels_in,
    metrics_in,
    observability_types,
    prod_with,
    stack,
)
from tests.support import CONFIG_MAP, MANAGED_CLUSTER, config_of, one

WORKSPACE = "azure-native:monitor:AzureMonitorWorkspace"
DCE = "azure-native:monitor:DataCollectionEndpoint"
DCR = "azure-native:monitor:DataCollectionRule"
DCRA = "azure-native:monitor:DataCollectionRuleAssociation"
RULE_GROUP = "azure-native:alertsmanagement:PrometheusRuleGroup"
ACTION_GROUP = "azure-native:monitor:ActionGroup"
EXISTING_WORKSPACE = (
    "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-obs"
    "/providers/Microsoft.Monitor/accounts/amw-shared"
)


def _associations(capture: Capture) -> dict[str, dict]:
    return {r.inputs["associationName"]: r.inputs for r in capture.of_type(DCRA)}


def _groups(capture: Capture) -> dict[str, dict]:
    return {r.inputs["ruleGroupName"]: r.inputs for r in capture.of_type(RULE_GROUP)}


def _scrape_config(capture: Capture) -> dict:
    configmap = next(
        r for r in capture.of_type(CONFIG_MAP) if r.inputs["metadata"]["name"] == sm.AMA_METRICS_PROMETHEUS_CONFIGMAP
    )
    assert configmap.inputs["metadata"]["namespace"] == "kube-system"
    return yaml.safe_load(configmap.inputs["data"][sm.AMA_METRICS_PROMETHEUS_CONFIG_KEY])


def test_prod_chain_is_connected_from_cluster_to_workspace() -> None:
    capture = stack("prod")
    cluster_id = one(capture, MANAGED_CLUSTER).outputs["id"]
    workspace = one(capture, WORKSPACE)
    endpoint = one(capture, DCE)
    rule = one(capture, DCR)

    assert rule.inputs["dataCollectionEndpointId"] == endpoint.outputs["id"]
    destinations = rule.inputs["destinations"]["monitoringAccounts"]
    assert [d["accountResourceId"] for d in destinations] == [workspace.outputs["id"]]
    forwarder = rule.inputs["dataSources"]["prometheusForwarder"]
    assert [s for f in forwarder for s in f["streams"]] == ["Microsoft-PrometheusMetrics"]
    flows = rule.inputs["dataFlows"]
    assert flows == [{"streams": ["Microsoft-PrometheusMetrics"], "destinations": [destinations[0]["name"]]}]
    # The DCE, DCR and workspace share a region (ARM refuses a DCR in another region than its endpoint).
    assert {workspace.inputs["location"], endpoint.inputs["location"], rule.inputs["location"]} == {"westeurope"}

    associations = _associations(capture)
    assert set(associations) == {"ContainerInsightsMetricsExtension", "configurationAccessEndpoint"}
    assert all(a["resourceUri"] == cluster_id for a in associations.values())
    assert associations["ContainerInsightsMetricsExtension"]["dataCollectionRuleId"] == rule.outputs["id"]
    assert associations["configurationAccessEndpoint"]["dataCollectionEndpointId"] == endpoint.outputs["id"]
    assert "dataCollectionEndpointId" not in associations["ContainerInsightsMetricsExtension"]


def test_metrics_profile_is_on_with_kube_state_metrics_allowlists_from_config() -> None:
    metrics = one(stack("prod"), MANAGED_CLUSTER).inputs["azureMonitorProfile"]["metrics"]
    assert metrics["enabled"] is True
    assert metrics["kubeStateMetrics"] == {
        "metricLabelsAllowlist": "namespaces=[istio.io/rev]",
        "metricAnnotationsAllowList": "",
    }


def test_workspace_holds_data_so_prod_protects_it() -> None:
    assert one(stack("prod"), WORKSPACE).protect
    assert not one(stack("staging"), WORKSPACE).protect


@pytest.mark.parametrize("capture", [lambda: stack("dev"), lambda: prod_with(observability={"enabled": False})])
def test_observability_off_declares_none_of_it_and_disables_metrics(capture) -> None:  # type: ignore[no-untyped-def]
    result = capture()
    assert not [r.type for r in result.resources if r.type.startswith(observability_types())]
    assert not [r for r in result.of_type(CONFIG_MAP) if r.inputs["metadata"]["name"].startswith("ama-metrics")]
    assert one(result, MANAGED_CLUSTER).inputs["azureMonitorProfile"] == {"metrics": {"enabled": False}}


def test_an_existing_workspace_is_reused_not_created() -> None:
    capture = prod_with(observability={"workspace": {"existingId": EXISTING_WORKSPACE, "location": "northeurope"}})
    assert not capture.of_type(WORKSPACE)
    rule = one(capture, DCR)
    assert rule.inputs["destinations"]["monitoringAccounts"][0]["accountResourceId"] == EXISTING_WORKSPACE
    assert rule.inputs["location"] == one(capture, DCE).inputs["location"] == "northeurope"
    assert all(
        g["scopes"][0] == EXISTING_WORKSPACE and g["location"] == "northeurope" for g in _groups(capture).values()
    )
    integrations = one(capture, "azure-native:dashboard:Grafana").inputs["properties"]["grafanaIntegrations"]
    assert integrations["azureMonitorWorkspaceIntegrations"] == [
        {"azureMonitorWorkspaceResourceId": EXISTING_WORKSPACE}
    ]
    assert set(_associations(capture)) == {"ContainerInsightsMetricsExtension", "configurationAccessEndpoint"}


def test_rule_groups_are_azures_recording_groups_plus_istio_scoped_to_workspace_and_cluster() -> None:
    capture = stack("prod")
    cluster_id = one(capture, MANAGED_CLUSTER).outputs["id"]
    workspace_id = one(capture, WORKSPACE).outputs["id"]
    groups = _groups(capture)
    assert set(groups) == {
        "NodeRecordingRulesRuleGroup-aks-istio-prod",
        "KubernetesRecordingRulesRuleGroup-aks-istio-prod",
        "UXRecordingRulesRuleGroup - aks-istio-prod",
        "IstioRecordingRulesRuleGroup-aks-istio-prod",
        "IstioAlertRulesRuleGroup-aks-istio-prod",
    }
    for group in groups.values():
        assert group["scopes"] == [workspace_id, cluster_id]
        assert group["clusterName"] == "aks-istio-prod"
        assert group["interval"] == "PT1M"
        for rule in group["rules"]:
            assert ("record" in rule) != ("alert" in rule), rule
            assert balanced(rule["expression"]), rule["expression"]
    records = {r["record"] for r in groups["NodeRecordingRulesRuleGroup-aks-istio-prod"]["rules"]}
    assert {"instance:node_num_cpu:sum", "instance:node_cpu_utilisation:rate5m"} <= records


def test_every_recorded_series_an_alert_reads_is_recorded() -> None:
    groups = _groups(stack("prod"))
    recorded = {r["record"] for g in groups.values() for r in g["rules"] if "record" in r}
    for rule in groups["IstioAlertRulesRuleGroup-aks-istio-prod"]["rules"]:
        wanted = {m for m in metrics_in(rule["expression"]) if ":" in m}
        assert wanted <= recorded, (rule["alert"], wanted - recorded)


def test_alert_thresholds_come_from_config_and_alerts_notify_the_action_group() -> None:
    capture = stack("prod")
    alerts = {r["alert"]: r for r in _groups(capture)["IstioAlertRulesRuleGroup-aks-istio-prod"]["rules"]}
    assert set(alerts) == {
        "IstioHigh5xxRatio",
        "IstioHighP99Latency",
        "IstiodPushErrors",
        "IstioProxyRejectedConfig",
        "IstioComponentUnavailable",
        "IstioSidecarNotReady",
    }
    assert "> 0.02" in alerts["IstioHigh5xxRatio"]["expression"]  # prod stack: errorRatio 0.02
    assert "> 750" in alerts["IstioHighP99Latency"]["expression"]  # prod stack: p99LatencyMs 750
    action_group = one(capture, ACTION_GROUP)
    for alert in alerts.values():
        assert alert["for"] == "PT5M"
        assert alert["actions"] == [{"actionGroupId": action_group.outputs["id"]}]
    assert action_group.inputs["emailReceivers"][0]["emailAddress"] == "platform-oncall@example.com"
    assert len(action_group.inputs["groupShortName"]) <= 12


def test_webhook_receivers_stay_secret_and_no_receivers_means_no_action_group() -> None:
    hook = {"name": "pager", "uri": "https://hooks.example/T0KEN"}
    capture = prod_with(observability={"alerts": {"emails": [], "webhooks": [hook]}})
    receivers = one(capture, ACTION_GROUP).inputs["webhookReceivers"]
    assert receivers[0]["serviceUri"] == Secret("https://hooks.example/T0KEN")

    quiet = prod_with(observability={"alerts": {"emails": []}})
    assert not quiet.of_type(ACTION_GROUP)
    alerts = _groups(quiet)["IstioAlertRulesRuleGroup-aks-istio-prod"]["rules"]
    assert all("actions" not in a for a in alerts)


def test_scrape_config_targets_the_add_on_namespace_and_envoy_port() -> None:
    config = _scrape_config(stack("prod"))
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert set(jobs) == {"istiod", "envoy-stats"}
    istiod = jobs["istiod"]
    assert istiod["kubernetes_sd_configs"] == [{"role": "endpoints", "namespaces": {"names": ["aks-istio-system"]}}]
    keep = istiod["relabel_configs"][0]
    assert re.fullmatch(keep["regex"], "istiod-asm-1-30;http-monitoring")
    assert not re.fullmatch(keep["regex"], "istiod-asm-1-30;grpc-xds")
    envoy = jobs["envoy-stats"]
    assert envoy["metrics_path"] == "/stats/prometheus"
    rewrite = next(r for r in envoy["relabel_configs"] if r.get("target_label") == "__address__")
    assert re.sub(rewrite["regex"], rewrite["replacement"].replace("$1", r"\1"), "10.1.2.3:8080") == "10.1.2.3:15090"
    assert re.fullmatch(envoy["relabel_configs"][0]["regex"], "istio-proxy;http-envoy-prom")
    assert not re.fullmatch(envoy["relabel_configs"][0]["regex"], "app;http")


_RELABEL_KEYS = {"source_labels", "separator", "regex", "modulus", "target_label", "replacement", "action"}
_ACTIONS = {
    "replace",
    "keep",
    "drop",
    "keepequal",
    "dropequal",
    "hashmod",
    "labelmap",
    "labeldrop",
    "labelkeep",
    "lowercase",
    "uppercase",
}
_JOB_KEYS = {
    "job_name",
    "scrape_interval",
    "metrics_path",
    "scheme",
    "kubernetes_sd_configs",
    "relabel_configs",
    "metric_relabel_configs",
}


def test_scrape_config_is_valid_prometheus_configuration() -> None:
    config = _scrape_config(stack("prod"))
    assert set(config) == {"scrape_configs"}
    for job in config["scrape_configs"]:
        assert set(job) <= _JOB_KEYS, set(job) - _JOB_KEYS
        assert re.fullmatch(r"[0-9]+[smh]", job["scrape_interval"])
        for sd in job["kubernetes_sd_configs"]:
            assert sd["role"] in {"node", "service", "pod", "endpoints", "endpointslice", "ingress"}
        for relabel in job["relabel_configs"] + job["metric_relabel_configs"]:
            assert set(relabel) <= _RELABEL_KEYS, relabel
            assert relabel.get("action", "replace") in _ACTIONS
            re.compile(relabel.get("regex", "(.*)"))
            if relabel.get("action", "replace") == "replace":
                assert "target_label" in relabel
                assert re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", relabel["target_label"])


def test_envoy_relabeling_keeps_what_rules_and_dashboards_read_and_drops_the_rest() -> None:
    from aks_istio.observability.dashboards import dashboards

    keep, drop = re.compile(KEPT_ENVOY_METRICS), re.compile(DROPPED_ENVOY_METRICS)
    assert not keep.fullmatch("envoy_cluster_upstream_rq_total")
    assert drop.fullmatch("istio_request_bytes_bucket")
    expressions = [r["expression"] for g in _groups(stack("prod")).values() for r in g["rules"]]
    expressions += [t["expr"] for d in dashboards().values() for p in d["panels"] for t in p["targets"]]
    for expression in expressions:
        for metric in metrics_in(expression):
            if metric.startswith("istio_"):
                assert keep.fullmatch(metric) and not drop.fullmatch(metric), metric
        assert not labels_in(expression) & set(DROPPED_ENVOY_LABELS), expression


def test_scrape_configmap_goes_to_this_cluster() -> None:
    capture = stack("prod")
    configmap = next(r for r in capture.of_type(CONFIG_MAP) if r.inputs["metadata"]["name"].startswith("ama-metrics"))
    assert configmap.provider.startswith(one(capture, "pulumi:providers:kubernetes", "prod-k8s").urn)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"alerts": {"errorRatio": 2}}, "aks-istio:platform.observability.alerts.errorRatio: 2.0 is not valid"),
        ({"scrape": {"interval": "fast"}}, "aks-istio:platform.observability.scrape.interval: 'fast' is not valid"),
        (
            {"grafana": {"sku": "Essential", "zoneRedundant": True}},
            "aks-istio:platform.observability.grafana.zoneRedundant",
        ),
        ({"workspace": {"existingId": "amw-shared"}}, "aks-istio:platform.observability.workspace.existingId"),
        ({"retention": "90d"}, "aks-istio:platform.observability.retention: unknown key"),
    ],
)
def test_bad_observability_config_names_the_key(changes: dict, expected: str) -> None:
    with pytest.raises(ConfigError) as error:
        config_of("prod", observability=changes)
    assert any(p.startswith(expected) for p in error.value.problems), error.value.problems


def test_every_problem_is_reported_at_once() -> None:
    bad = {
        "alerts": {"errorRatio": 2},
        "scrape": {"interval": "x"},
        "grafana": {"sku": "Essential", "zoneRedundant": True},
    }
    with pytest.raises(ConfigError) as error:
        config_of("prod", observability=bad)
    assert len(error.value.problems) == 3, error.value.problems


def test_receiver_names_must_be_unique() -> None:
    emails = [{"name": "oncall", "address": "a@x.io"}, {"name": "oncall", "address": "b@x.io"}]
    with pytest.raises(ConfigError) as error:
        config_of("prod", observability={"alerts": {"emails": emails}})
    assert error.value.problems == [
        "aks-istio:platform.observability.alerts.emails[1].name: 'oncall' is used twice; names must be unique"
    ]
