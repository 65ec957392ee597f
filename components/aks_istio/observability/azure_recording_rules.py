"""The recording rule groups Azure's own Managed Prometheus onboarding creates, as pure data.

`az aks update --enable-azure-monitor-metrics` creates these groups (the CLI fetches their bodies from the
workspace's `alertRuleRecommendations`); IaC that creates the DCR itself must declare them, or the Azure portal
views and the Kubernetes dashboards that Managed Grafana ships show "No data".

Sources:
  Node and Kubernetes groups: Azure/prometheus-collector AddonBicepTemplate/FullAzureMonitorMetricsProfile.bicep
    and AddonTerraformTemplate/main.tf (the records and expressions below, whitespace normalised).
  UX group: the records Container insights' views read (`ux:*`); group names from the CLI
    (Azure/azure-cli, src/azure-cli/azure/cli/command_modules/acs/azuremonitormetrics/recordingrules/common.py).
The Bicep template misspells `KubernetesReccordingRulesRuleGroup-`; we use the CLI's spelling.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final


@dataclass(frozen=True)
class RecordingRule:
    record: str
    expression: str
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleGroupSpec:
    """One Microsoft.AlertsManagement/prometheusRuleGroups body without its wiring (scopes, location)."""

    name_prefix: str
    """The group's name is the prefix followed by the cluster name."""
    description: str
    rules: tuple[RecordingRule, ...]

    def name(self, cluster_name: str) -> str:
        # ARM allows 260 characters (CLI recordingrules/common.py truncates there).
        return f"{self.name_prefix}{cluster_name}"[:260]


_NODE = 'job="node"'
_MEM_AVAILABLE = (
    f"node_memory_MemAvailable_bytes{{{_NODE}}} or (node_memory_Buffers_bytes{{{_NODE}}} + "
    f"node_memory_Cached_bytes{{{_NODE}}} + node_memory_MemFree_bytes{{{_NODE}}} + "
    f"node_memory_Slab_bytes{{{_NODE}}})"
)
_POD_NODE = (
    "on (namespace, pod) group_left(node) topk by (namespace, pod) "
    '(1, max by (namespace, pod, node) (kube_pod_info{node!=""}))'
)
_ACTIVE_POD = 'max by (namespace, pod, cluster) ((kube_pod_status_phase{phase=~"Pending|Running"} == 1))'


def _network(direction: str, what: str) -> RecordingRule:
    return RecordingRule(
        f"instance:node_network_{direction}_{what}_excluding_lo:rate5m",
        f'sum without (device) (rate(node_network_{direction}_{what}_total{{{_NODE}, device!="lo"}}[5m]))',
    )


def _container_memory(metric: str) -> RecordingRule:
    return RecordingRule(
        f"node_namespace_pod_container:container_{metric}",
        f'container_{metric}{{job="cadvisor", image!=""}} * {_POD_NODE}',
    )


def _resource(kind: str, resource: str) -> tuple[RecordingRule, RecordingRule]:
    """Per-pod and per-namespace sums of active pods' requests or limits."""
    selector = f'kube_pod_container_resource_{kind}{{resource="{resource}",job="kube-state-metrics"}}'
    return (
        RecordingRule(
            f"cluster:namespace:pod_{resource}:active:kube_pod_container_resource_{kind}",
            f"{selector} * on (namespace, pod, cluster) group_left() {_ACTIVE_POD}",
        ),
        RecordingRule(
            f"namespace_{resource}:kube_pod_container_resource_{kind}:sum",
            f"sum by (namespace, cluster) (sum by (namespace, pod, cluster) (max by (namespace, pod, container, "
            f"cluster) ({selector}) * on (namespace, pod, cluster) group_left() {_ACTIVE_POD}))",
        ),
    )


def _owner(kind: str, workload_type: str) -> RecordingRule:
    return RecordingRule(
        "namespace_workload_pod:kube_pod_owner:relabel",
        f'max by (cluster, namespace, workload, pod) (label_replace(kube_pod_owner{{job="kube-state-metrics", '
        f'owner_kind="{kind}"}}, "workload", "$1", "owner_name", "(.*)"))',
        {"workload_type": workload_type},
    )


NODE_RECORDING_RULES: Final = RuleGroupSpec(
    "NodeRecordingRulesRuleGroup-",
    "Node Recording Rules RuleGroup",
    (
        RecordingRule(
            "instance:node_num_cpu:sum", f'count without (cpu, mode) (node_cpu_seconds_total{{{_NODE},mode="idle"}})'
        ),
        RecordingRule(
            "instance:node_cpu_utilisation:rate5m",
            "1 - avg without (cpu) (sum without (mode) "
            f'(rate(node_cpu_seconds_total{{{_NODE}, mode=~"idle|iowait|steal"}}[5m])))',
        ),
        RecordingRule(
            "instance:node_load1_per_cpu:ratio", f"(node_load1{{{_NODE}}} / instance:node_num_cpu:sum{{{_NODE}}})"
        ),
        RecordingRule(
            "instance:node_memory_utilisation:ratio",
            f"1 - (({_MEM_AVAILABLE}) / node_memory_MemTotal_bytes{{{_NODE}}})",
        ),
        RecordingRule("instance:node_vmstat_pgmajfault:rate5m", f"rate(node_vmstat_pgmajfault{{{_NODE}}}[5m])"),
        RecordingRule(
            "instance_device:node_disk_io_time_seconds:rate5m",
            f'rate(node_disk_io_time_seconds_total{{{_NODE}, device!=""}}[5m])',
        ),
        RecordingRule(
            "instance_device:node_disk_io_time_weighted_seconds:rate5m",
            f'rate(node_disk_io_time_weighted_seconds_total{{{_NODE}, device!=""}}[5m])',
        ),
        _network("receive", "bytes"),
        _network("transmit", "bytes"),
        _network("receive", "drop"),
        _network("transmit", "drop"),
    ),
)

KUBERNETES_RECORDING_RULES: Final = RuleGroupSpec(
    "KubernetesRecordingRulesRuleGroup-",
    "Kubernetes Recording Rules RuleGroup",
    (
        RecordingRule(
            "node_namespace_pod_container:container_cpu_usage_seconds_total:sum_irate",
            'sum by (cluster, namespace, pod, container) (irate(container_cpu_usage_seconds_total{job="cadvisor", '
            'image!=""}[5m])) * on (cluster, namespace, pod) group_left(node) topk by (cluster, namespace, pod) '
            '(1, max by (cluster, namespace, pod, node) (kube_pod_info{node!=""}))',
        ),
        _container_memory("memory_working_set_bytes"),
        _container_memory("memory_rss"),
        _container_memory("memory_cache"),
        _container_memory("memory_swap"),
        *_resource("requests", "memory"),
        *_resource("requests", "cpu"),
        *_resource("limits", "memory"),
        *_resource("limits", "cpu"),
        RecordingRule(
            "namespace_workload_pod:kube_pod_owner:relabel",
            'max by (cluster, namespace, workload, pod) (label_replace(label_replace(kube_pod_owner{job="kube-state-'
            'metrics", owner_kind="ReplicaSet"}, "replicaset", "$1", "owner_name", "(.*)") * on (replicaset, '
            "namespace) group_left(owner_name) topk by (replicaset, namespace) (1, max by (replicaset, namespace, "
            'owner_name) (kube_replicaset_owner{job="kube-state-metrics"})), "workload", "$1", "owner_name", "(.*)"))',
            {"workload_type": "deployment"},
        ),
        _owner("DaemonSet", "daemonset"),
        _owner("StatefulSet", "statefulset"),
        _owner("Job", "job"),
        RecordingRule(":node_memory_MemAvailable_bytes:sum", f"sum({_MEM_AVAILABLE}) by (cluster)"),
        RecordingRule(
            "cluster:node_cpu:ratio_rate5m",
            f'sum(rate(node_cpu_seconds_total{{{_NODE},mode!="idle",mode!="iowait",mode!="steal"}}[5m])) by (cluster) '
            f"/ count(sum(node_cpu_seconds_total{{{_NODE}}}) by (cluster, instance, cpu)) by (cluster)",
        ),
    ),
)

_UX_POD_OWNER = (
    "group_left (node, created_by_name, created_by_kind) (max by (node, created_by_name, created_by_kind, pod, "
    'namespace, cluster, microsoft_resourceid) (kube_pod_info{pod != "", job = "kube-state-metrics"}))'
)
_UX_CONTROLLER = "sum by (namespace, node, cluster, created_by_name, created_by_kind, microsoft_resourceid)"


def _ux_pod(record: str, series: str) -> RecordingRule:
    return RecordingRule(
        record,
        f"(sum by (namespace, pod, cluster, microsoft_resourceid) ({series})) * on (pod, namespace, cluster, "
        f"microsoft_resourceid) {_UX_POD_OWNER}",
    )


UX_RECORDING_RULES: Final = RuleGroupSpec(
    "UXRecordingRulesRuleGroup - ",
    "UX recording rules for Linux",
    (
        _ux_pod(
            "ux:pod_cpu_usage:sum_irate",
            'irate(container_cpu_usage_seconds_total{container != "", pod != "", job = "cadvisor"}[5m])',
        ),
        RecordingRule("ux:controller_cpu_usage:sum_irate", f"{_UX_CONTROLLER} (ux:pod_cpu_usage:sum_irate)"),
        _ux_pod(
            "ux:pod_workingset_memory:sum",
            'container_memory_working_set_bytes{container != "", pod != "", job = "cadvisor"}',
        ),
        RecordingRule("ux:controller_workingset_memory:sum", f"{_UX_CONTROLLER} (ux:pod_workingset_memory:sum)"),
        _ux_pod("ux:pod_rss_memory:sum", 'container_memory_rss{container != "", pod != "", job = "cadvisor"}'),
        RecordingRule("ux:controller_rss_memory:sum", f"{_UX_CONTROLLER} (ux:pod_rss_memory:sum)"),
        RecordingRule(
            "ux:node_cpu_usage:sum_irate",
            "sum by (instance, cluster, microsoft_resourceid) "
            f'((1 - irate(node_cpu_seconds_total{{{_NODE}, mode="idle"}}[5m])))',
        ),
        RecordingRule(
            "ux:node_memory_usage:sum",
            f"sum by (instance, cluster, microsoft_resourceid) ((node_memory_MemTotal_bytes{{{_NODE}}} - "
            f"node_memory_MemAvailable_bytes{{{_NODE}}}))",
        ),
    ),
)

AZURE_RECORDING_RULE_GROUPS: Final = (NODE_RECORDING_RULES, KUBERNETES_RECORDING_RULES, UX_RECORDING_RULES)
