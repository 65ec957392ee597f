"""Managed Prometheus: the metrics profile alone collects nothing without a data collection rule association.

Pitfall seen across IaC tools (azurerm #23623, Azure/prometheus-collector #942 and #1307, bicep-registry-modules
#4466): `azureMonitorProfile.metrics.enabled` is set, no DCR association exists, and ama-metrics crash-loops or the
cluster never shows up in the workspace.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from pulumi_policy import Severity

from ._common import (
    DCR_ASSOCIATION_KINDS,
    MANAGED_CLUSTER,
    NO_CONFIG,
    Config,
    Props,
    Undecidable,
    decided,
    get_bool,
    get_str,
)
from .deferred import Finding
from .factories import Meta, stack_policy
from .stack import StackResource, linked, of_kind

METRICS_PATH: Final = "azureMonitorProfile.metrics.enabled"


def _associates(dcra: StackResource, cluster: StackResource, clusters: Sequence[StackResource]) -> bool:
    try:
        if get_str(dcra.props, "dataCollectionRuleId") is None and get_str(dcra.props, "dataCollectionEndpointId"):
            return False  # the DCE association (configurationAccessEndpoint) does not route metrics
        uri = get_str(dcra.props, "resourceUri")
        name = get_str(cluster.props, "resourceName")
    except Undecidable:
        return linked(dcra, cluster, clusters)
    if uri and name and uri.lower().endswith(f"/managedclusters/{name.lower()}"):
        return True
    return linked(dcra, cluster, clusters)


def _metrics_on(cluster: Props) -> bool:
    return get_bool(cluster, METRICS_PATH) is True


def check_prometheus_dcra(resources: Sequence[StackResource], config: Config = NO_CONFIG) -> list[Finding]:
    clusters = of_kind(resources, (MANAGED_CLUSTER,))
    associations = of_kind(resources, DCR_ASSOCIATION_KINDS)
    return [
        (
            cluster.urn,
            f"{METRICS_PATH} is true but no DataCollectionRuleAssociation links this cluster to a data collection "
            "rule: ama-metrics crash-loops and no metrics reach the Azure Monitor workspace. Declare a DCE "
            "(kind Linux), a DCR with a prometheusForwarder data source sending Microsoft-PrometheusMetrics to the "
            "workspace, and a DataCollectionRuleAssociation with resourceUri = the cluster id.",
        )
        for cluster in clusters
        if decided(_metrics_on, cluster.props) and not any(_associates(a, cluster, clusters) for a in associations)
    ]


PROMETHEUS_DCRA = stack_policy(
    Meta(
        "managedcluster-prometheus-has-dcr-association",
        "A cluster with Managed Prometheus enabled has a data collection rule association.",
        Severity.HIGH,
        "Add the Azure Monitor workspace, DCE, DCR (Microsoft-PrometheusMetrics) and a DataCollectionRuleAssociation "
        "on the cluster, as `az aks update --enable-azure-monitor-metrics` would.",
        "https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable-arm",
        ("aks", "monitoring", "prometheus"),
    ),
    check_prometheus_dcra,
)

POLICIES: Final = (PROMETHEUS_DCRA,)
