"""Istio recording and alert rules for Azure Monitor managed Prometheus, as pure data.

Microsoft ships no Istio rules (neither the az CLI's azuremonitormetrics rule groups nor Azure/prometheus-collector's
templates have any), so these are ours. The recording rules pre-compute
per-service request rate, 5xx ratio and latency percentiles from the Envoy metrics the scrape config keeps
(`istio_requests_total`, `istio_request_duration_milliseconds_bucket`, reporter="destination"); the alerts read
those records, istiod's `pilot_*` metrics and kube-state-metrics (scraped by default by the add-on).
Thresholds come from `IstioAlerts` (the stack's `observability.alerts`).
"""

from dataclasses import dataclass, field, replace
from typing import Final

from aks_istio.addon import support_matrix as sm
from aks_istio.observability.values import IstioAlerts

ISTIO_RECORDING_GROUP_PREFIX: Final = "IstioRecordingRulesRuleGroup-"
ISTIO_ALERT_GROUP_PREFIX: Final = "IstioAlertRulesRuleGroup-"

SERVICE_LABELS: Final = ("cluster", "destination_service_namespace", "destination_service_name")
WORKLOAD_LABELS: Final = ("cluster", "destination_workload_namespace", "destination_workload")
_SERVER_SIDE = 'reporter="destination"'
QUANTILES: Final = {"p50": 0.5, "p90": 0.9, "p99": 0.99}


@dataclass(frozen=True)
class IstioRule:
    """One rule: a `record` or an `alert` (never both), as the PrometheusRuleGroup API takes it."""

    expression: str
    record: str | None = None
    alert: str | None = None
    for_minutes: int | None = None
    severity: int | None = None
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)


def _by(labels: tuple[str, ...]) -> str:
    return "by (" + ", ".join(labels) + ")"


def _selector(matchers: str) -> str:
    return f"{_SERVER_SIDE}, {matchers}" if matchers else _SERVER_SIDE


# The SLO expressions, written once: the recording rules below aggregate them per service and per workload over
# 5m; the fleet gate (aks_istio.fleet.gate) aggregates the same expressions per cluster over its window.
def request_rate(labels: tuple[str, ...], window: str = "5m", matchers: str = "") -> str:
    """Requests per second through the mesh (server side), summed by `labels`."""
    return f"sum {_by(labels)} (rate(istio_requests_total{{{_selector(matchers)}}}[{window}]))"


def error_rate(labels: tuple[str, ...], window: str = "5m", matchers: str = "") -> str:
    """5xx responses per second, summed by `labels`."""
    return f'sum {_by(labels)} (rate(istio_requests_total{{{_selector(matchers)}, response_code=~"5.."}}[{window}]))'


def error_ratio(errors: str, requests: str) -> str:
    """5xx share of requests; a series with traffic and no 5xx has no errors series, and `or` gives it 0."""
    return f"({errors} / {requests}) or ({requests} * 0)"


def latency_quantile(quantile: float, labels: tuple[str, ...], window: str = "5m", matchers: str = "") -> str:
    """Request duration (ms) at `quantile`, from the Envoy histogram summed by `labels`."""
    return (
        f"histogram_quantile({quantile}, sum {_by(('le', *labels))} "
        f"(rate(istio_request_duration_milliseconds_bucket{{{_selector(matchers)}}}[{window}])))"
    )


def _level_rules(level: str, labels: tuple[str, ...]) -> list[IstioRule]:
    requests = f"istio:{level}:requests:rate5m"
    errors = f"istio:{level}:requests_5xx:rate5m"
    rules = [
        IstioRule(record=requests, expression=request_rate(labels)),
        IstioRule(record=errors, expression=error_rate(labels)),
        IstioRule(record=f"istio:{level}:error_ratio:rate5m", expression=error_ratio(errors, requests)),
    ]
    for name, quantile in QUANTILES.items():
        rules.append(
            IstioRule(
                record=f"istio:{level}:request_duration_ms:{name}",
                expression=latency_quantile(quantile, labels),
            )
        )
    return rules


def istio_recording_rules() -> list[IstioRule]:
    """Per service and per workload: request rate, 5xx rate and ratio, p50/p90/p99 latency (ms)."""
    return _level_rules("service", SERVICE_LABELS) + _level_rules("workload", WORKLOAD_LABELS)


def _mesh_namespaces_regex() -> str:
    return "|".join((sm.ADDON_SYSTEM_NAMESPACE, sm.ADDON_INGRESS_NAMESPACE, sm.ADDON_EGRESS_NAMESPACE))


def istio_alert_rules(settings: IstioAlerts) -> list[IstioRule]:
    """The alerts that matter for the mesh; each says what broke and where to look."""
    busy = f"istio:service:requests:rate5m > {settings.min_request_rate:g}"
    service = "{{ $labels.destination_service_name }}.{{ $labels.destination_service_namespace }}"
    rules = [
        IstioRule(
            alert="IstioHigh5xxRatio",
            expression=f"(istio:service:error_ratio:rate5m > {settings.error_ratio:g}) and on "
            f"({', '.join(SERVICE_LABELS)}) ({busy})",
            annotations={
                "summary": f"More than {settings.error_ratio:.1%} of requests to {service} fail with 5xx.",
                "dashboard": "Istio Service",
            },
        ),
        IstioRule(
            alert="IstioHighP99Latency",
            expression=f"(istio:service:request_duration_ms:p99 > {settings.p99_latency_ms}) and on "
            f"({', '.join(SERVICE_LABELS)}) ({busy})",
            annotations={
                "summary": f"p99 latency of {service} is above {settings.p99_latency_ms} ms.",
                "dashboard": "Istio Service",
            },
        ),
        IstioRule(
            alert="IstiodPushErrors",
            # istiod failed to send config to proxies, or hit internal errors building it.
            expression='sum by (cluster) (increase(pilot_xds_pushes{type=~".+_senderr"}[5m])) > 0 or '
            "sum by (cluster) (increase(pilot_total_xds_internal_errors[5m])) > 0",
            annotations={"summary": "istiod cannot push configuration to proxies.", "dashboard": "Istio Control Plane"},
        ),
        IstioRule(
            alert="IstioProxyRejectedConfig",
            # Envoy NACKed what istiod sent: usually a bad VirtualService/DestinationRule/EnvoyFilter.
            expression="sum by (cluster, type) (increase(pilot_total_xds_rejects[5m])) > 0",
            annotations={
                "summary": "Proxies reject configuration from istiod (check recent Istio resources).",
                "dashboard": "Istio Control Plane",
            },
        ),
        IstioRule(
            alert="IstioComponentUnavailable",
            # The add-on's own deployments: istiod in aks-istio-system, gateways in aks-istio-ingress/-egress.
            expression=f'kube_deployment_status_replicas_available{{namespace=~"{_mesh_namespaces_regex()}"}} '
            f'< kube_deployment_spec_replicas{{namespace=~"{_mesh_namespaces_regex()}"}}',
            annotations={
                "summary": "{{ $labels.namespace }}/{{ $labels.deployment }} has fewer ready replicas than desired.",
                "dashboard": "Istio Control Plane",
            },
        ),
        IstioRule(
            alert="IstioSidecarNotReady",
            expression="max by (cluster, namespace, pod, reason) "
            '(kube_pod_container_status_waiting_reason{container="istio-proxy"}) > 0',
            annotations={
                "summary": "istio-proxy in {{ $labels.namespace }}/{{ $labels.pod }} waits ({{ $labels.reason }}).",
                "dashboard": "Istio Workload",
            },
        ),
    ]
    return [replace(rule, for_minutes=settings.for_minutes, severity=settings.severity) for rule in rules]
