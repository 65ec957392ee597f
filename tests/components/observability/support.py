"""What the observability tests share: Istio's metric names, a PromQL reader and the stack captures."""

from __future__ import annotations

import functools
import re
from typing import Any

from aks_istio.offline.capture import Capture
from tests.support import capture_stack, merge, raw_platform

# Metrics Istio exports: Envoy's standard metrics (istio.io/latest/docs/reference/config/metrics/) and istiod's
# (pilot/sidecar-injector monitoring, istio.io/latest/docs/reference/commands/pilot-discovery/#metrics) plus the
# Go process metrics every Istio binary exports.
ISTIO_METRICS = frozenset(
    {
        "istio_requests_total",
        "istio_request_duration_milliseconds_bucket",
        "istio_request_duration_milliseconds_sum",
        "istio_request_duration_milliseconds_count",
        "istio_request_bytes_sum",
        "istio_response_bytes_sum",
        "istio_tcp_sent_bytes_total",
        "istio_tcp_received_bytes_total",
        "istio_tcp_connections_opened_total",
        "istio_tcp_connections_closed_total",
        "pilot_xds",
        "pilot_xds_pushes",
        "pilot_total_xds_rejects",
        "pilot_total_xds_internal_errors",
        "pilot_conflict_inbound_listener",
        "pilot_proxy_convergence_time_bucket",
        "sidecar_injection_requests_total",
        "sidecar_injection_failure_total",
        "process_resident_memory_bytes",
        "process_cpu_seconds_total",
    }
)
PROMQL_WORDS = frozenset(
    {"sum", "by", "rate", "irate", "increase", "histogram_quantile", "max", "and", "on", "or", "label_values"}
)


def metrics_in(expression: str) -> set[str]:
    """Series names a PromQL expression selects (a name directly before `{` or `[`, or a bare recorded name)."""
    without_strings = re.sub(r'"[^"]*"', '""', expression)
    selected = set(re.findall(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{\[]", without_strings))
    records = set(re.findall(r"\b([a-z_]+:[a-z0-9_]+:[a-z0-9_:]+)\b", without_strings))
    variables = set(re.findall(r"label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,", without_strings))
    return (selected | records | variables) - PROMQL_WORDS


def labels_in(expression: str) -> set[str]:
    """Label names an expression groups or filters by."""
    names: set[str] = set()
    for group in re.findall(r"\b(?:by|on)\s*\(([^)]*)\)", expression):
        names |= {x.strip() for x in group.split(",") if x.strip()}
    names |= set(re.findall(r"([a-z_]+)\s*(?:=~|!~|!=|=)\s*\"", expression))
    return names


def balanced(expression: str) -> bool:
    depth = {"(": 0, "{": 0, "[": 0}
    pairs = {")": "(", "}": "{", "]": "["}
    for char in re.sub(r'"[^"]*"', "", expression):
        if char in depth:
            depth[char] += 1
        elif char in pairs:
            depth[pairs[char]] -= 1
            if depth[pairs[char]] < 0:
                return False
    return not any(depth.values())


@functools.cache
def stack(name: str) -> Capture:
    return capture_stack(name)


def prod_with(**changes: Any) -> Capture:
    return capture_stack("prod", merge(raw_platform("prod"), changes))


def observability_types() -> tuple[str, ...]:
    return (
        "azure-native:monitor:",
        "azure-native:alertsmanagement:",
        "azure-native:dashboard:",
        "aks-istio:index:ManagedPrometheus",
        "aks-istio:index:ManagedGrafana",
    )
