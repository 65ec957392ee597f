"""Istio scrape jobs for the managed collector (ama-metrics), as pure data.

The collector reads extra jobs from the `ama-metrics-prometheus-config` ConfigMap in kube-system, data key
`prometheus-config` (https://learn.microsoft.com/azure/aks/istio-metrics-managed-prometheus; https://learn.microsoft.com/azure/azure-monitor/containers/prometheus-metrics-scrape-configuration).
Microsoft's samples scrape `istio-system`, where the add-on has nothing: its istiod runs in `aks-istio-system`
(MicrosoftDocs/azure-monitor-docs #102), so the jobs here name the add-on's namespace and ports explicitly.

Two jobs:
- `istiod`: the control plane's `http-monitoring` port (15014) on the `istiod-asm-1-N` Services.
- `envoy-stats`: every sidecar and gateway Envoy at :15090 /stats/prometheus, found by its `*-envoy-prom` port
  on the `istio-proxy` container (upstream Istio's own scrape job). Only `istio_*` series are kept and labels
  that multiply series without helping dashboards or alerts are dropped.
"""

from typing import Any, Final

import yaml

from aks_istio.addon import support_matrix as sm
from aks_istio.observability.values import IstioScrape

ISTIOD_JOB: Final = "istiod"
ENVOY_JOB: Final = "envoy-stats"
# Istio's standard labels that add series but no answer our dashboards and alerts ask: per-revision, identity,
# protocol and flag detail. Request rate/latency stay broken down by source/destination workload and service.
DROPPED_ENVOY_LABELS: Final = (
    "source_principal",
    "destination_principal",
    "source_canonical_revision",
    "destination_canonical_revision",
    "source_version",
    "destination_version",
    "source_cluster",
    "destination_cluster",
    "source_app",
    "destination_app",
    "destination_service",
    "request_protocol",
    "grpc_response_status",
    "response_flags",
    "connection_security_policy",
)
KEPT_ENVOY_METRICS: Final = r"istio_.*"
# Byte-size histograms are the largest Istio series families and no panel or alert reads their buckets.
DROPPED_ENVOY_METRICS: Final = r"istio_(request|response)_bytes_bucket"
KEPT_ISTIOD_METRICS: Final = (
    r"(pilot|galley|citadel|istiod|sidecar_injection)_.*|process_cpu_seconds_total|process_resident_memory_bytes"
    r"|go_goroutines"
)


def _pod_identity_labels() -> list[dict[str, Any]]:
    return [
        {"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"},
        {"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod"},
    ]


def istiod_job(settings: IstioScrape) -> dict[str, Any]:
    return {
        "job_name": ISTIOD_JOB,
        "scrape_interval": settings.interval,
        "kubernetes_sd_configs": [{"role": "endpoints", "namespaces": {"names": [sm.ADDON_SYSTEM_NAMESPACE]}}],
        "relabel_configs": [
            {
                # `istiod-asm-1-N` (one per revision during a canary upgrade), port `http-monitoring`.
                "source_labels": ["__meta_kubernetes_service_name", "__meta_kubernetes_endpoint_port_name"],
                "action": "keep",
                "regex": "istiod(-asm-[0-9]+-[0-9]+)?;http-monitoring",
            },
            *_pod_identity_labels(),
            {"source_labels": ["__meta_kubernetes_service_name"], "target_label": "service"},
        ],
        "metric_relabel_configs": [{"source_labels": ["__name__"], "action": "keep", "regex": KEPT_ISTIOD_METRICS}],
    }


def envoy_job(settings: IstioScrape) -> dict[str, Any]:
    return {
        "job_name": ENVOY_JOB,
        "scrape_interval": settings.interval,
        "metrics_path": sm.ENVOY_PROMETHEUS_PATH,
        "kubernetes_sd_configs": [{"role": "pod"}],
        "relabel_configs": [
            {
                "source_labels": ["__meta_kubernetes_pod_container_name", "__meta_kubernetes_pod_container_port_name"],
                "action": "keep",
                "regex": "istio-proxy;.*-envoy-prom",
            },
            {"source_labels": ["__meta_kubernetes_pod_phase"], "action": "keep", "regex": "Running"},
            {
                "source_labels": ["__address__"],
                "action": "replace",
                "regex": r"([^:]+)(?::\d+)?",
                "replacement": f"$1:{sm.ENVOY_PROMETHEUS_PORT}",
                "target_label": "__address__",
            },
            *_pod_identity_labels(),
        ],
        "metric_relabel_configs": [
            {"source_labels": ["__name__"], "action": "keep", "regex": KEPT_ENVOY_METRICS},
            {"source_labels": ["__name__"], "action": "drop", "regex": DROPPED_ENVOY_METRICS},
            {"action": "labeldrop", "regex": "|".join(DROPPED_ENVOY_LABELS)},
        ],
    }


def scrape_config(settings: IstioScrape) -> dict[str, Any]:
    """The Prometheus configuration document with the enabled Istio jobs."""
    jobs = []
    if settings.istiod:
        jobs.append(istiod_job(settings))
    if settings.envoy:
        jobs.append(envoy_job(settings))
    return {"scrape_configs": jobs}


def prometheus_config_data(settings: IstioScrape) -> dict[str, str]:
    """The ConfigMap's data: the document as YAML under the key the collector reads."""
    return {sm.AMA_METRICS_PROMETHEUS_CONFIG_KEY: yaml.safe_dump(scrape_config(settings), sort_keys=False)}
