"""The Istio dashboards, authored as code: pure functions returning Grafana dashboard JSON models.

Four dashboards, each answering one question:
- Istio Mesh: is the mesh healthy right now? (traffic, success ratio and p99 per service)
- Istio Service: how is one service doing, and who calls it?
- Istio Workload: what does one workload receive and send?
- Istio Control Plane: is istiod pushing configuration, and do proxies accept it?

Panels query the metrics Istio itself exports (Envoy's `istio_*` standard metrics, istiod's `pilot_*`), not our
recording rules, so they work on any cluster the scrape config reaches. Every query goes through a `datasource`
variable (type prometheus): Managed Grafana names the workspace's data source per workspace, and the variable
picks it up without a hard-coded uid. `cluster` is the label the managed collector adds to every series.

Plain dicts keep the import cheap (no SDK at program start); `python -m aks_istio.observability.dashboards DIR` writes
the JSON files for a manual import (`az grafana dashboard import --definition FILE`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from aks_istio.addon import support_matrix as sm

DATASOURCE: Final = {"type": "prometheus", "uid": "${datasource}"}
FOLDER_TITLE: Final = "Istio"
TAGS: Final = ["istio", "aks-istio"]
_HALF, _QUARTER = 12, 6

_IN = 'reporter="destination", cluster="$cluster"'
_SERVICE = f'{_IN}, destination_service_namespace="$namespace", destination_service_name="$service"'
_WORKLOAD_IN = f'{_IN}, destination_workload_namespace="$namespace", destination_workload="$workload"'
_WORKLOAD_OUT = (
    'reporter="source", cluster="$cluster", source_workload_namespace="$namespace", source_workload="$workload"'
)
_ISTIOD = 'cluster="$cluster", job="istiod"'


def _rate(selector: str, by: str = "", metric: str = "istio_requests_total") -> str:
    group = f" by ({by})" if by else ""
    return f"sum{group} (rate({metric}{{{selector}}}[5m]))"


def _success_ratio(selector: str, by: str = "") -> str:
    ok = selector + ', response_code!~"5.."'
    return f"{_rate(ok, by)} / {_rate(selector, by)}"


def _quantile(q: float, selector: str, by: str = "") -> str:
    labels = ", ".join(x for x in ("le", by) if x)
    return f"histogram_quantile({q}, {_rate(selector, labels, 'istio_request_duration_milliseconds_bucket')})"


def _target(expr: str, legend: str, ref: str) -> dict[str, Any]:
    return {"datasource": DATASOURCE, "expr": expr, "legendFormat": legend, "refId": ref}


def _panel(kind: str, title: str, queries: Sequence[tuple[str, str]], unit: str, width: int) -> dict[str, Any]:
    return {
        "type": kind,
        "title": title,
        "datasource": DATASOURCE,
        "targets": [_target(expr, legend, chr(ord("A") + i)) for i, (expr, legend) in enumerate(queries)],
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {},
        "gridPos": {"w": width, "h": 4 if kind == "stat" else 8, "x": 0, "y": 0},
    }


def stat(title: str, expr: str, unit: str) -> dict[str, Any]:
    return _panel("stat", title, [(expr, title)], unit, _QUARTER)


def graph(title: str, queries: Sequence[tuple[str, str]], unit: str) -> dict[str, Any]:
    return _panel("timeseries", title, queries, unit, _HALF)


def _layout(panels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Left to right, top to bottom, on Grafana's 24-column grid; ids in order."""
    x = y = row_height = 0
    for index, panel in enumerate(panels, start=1):
        pos = panel["gridPos"]
        if x + pos["w"] > 24:
            x, y, row_height = 0, y + row_height, 0
        pos["x"], pos["y"] = x, y
        x += pos["w"]
        row_height = max(row_height, pos["h"])
        panel["id"] = index
    return panels


def _datasource_variable() -> dict[str, Any]:
    return {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus", "hide": 0}


def _query_variable(name: str, label: str, query: str) -> dict[str, Any]:
    return {
        "name": name,
        "label": label,
        "type": "query",
        "datasource": DATASOURCE,
        "query": {"query": query, "refId": f"{name}-values"},
        "definition": query,
        "refresh": 2,
        "sort": 1,
        "includeAll": False,
        "multi": False,
    }


def _cluster_variable(metric: str) -> dict[str, Any]:
    return _query_variable("cluster", "Cluster", f"label_values({metric}, cluster)")


def _dashboard(
    uid: str, title: str, description: str, variables: list[dict[str, Any]], panels: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": list(TAGS),
        "timezone": "browser",
        "editable": True,
        "schemaVersion": 39,
        "version": 1,
        "refresh": "1m",
        "time": {"from": "now-1h", "to": "now"},
        "templating": {"list": [_datasource_variable(), *variables]},
        "annotations": {"list": []},
        "panels": _layout(panels),
    }


def mesh_dashboard() -> dict[str, Any]:
    by_service = "destination_service_namespace, destination_service_name"
    legend = "{{destination_service_name}}.{{destination_service_namespace}}"
    return _dashboard(
        "aks-istio-mesh",
        "Istio Mesh",
        "Traffic, success ratio and latency of every service in the mesh.",
        [_cluster_variable("istio_requests_total")],
        [
            stat("Requests/s", _rate(_IN), "reqps"),
            stat("Success ratio (non-5xx)", _success_ratio(_IN), "percentunit"),
            stat("4xx/s", _rate(_IN + ', response_code=~"4.."'), "reqps"),
            stat("5xx/s", _rate(_IN + ', response_code=~"5.."'), "reqps"),
            graph("Requests/s by service", [(_rate(_IN, by_service), legend)], "reqps"),
            graph("Success ratio by service", [(_success_ratio(_IN, by_service), legend)], "percentunit"),
            graph("p99 latency by service", [(_quantile(0.99, _IN, by_service), legend)], "ms"),
            graph(
                "TCP bytes/s by service",
                [
                    (_rate(_IN, by_service, "istio_tcp_received_bytes_total"), f"in {legend}"),
                    (_rate(_IN, by_service, "istio_tcp_sent_bytes_total"), f"out {legend}"),
                ],
                "Bps",
            ),
        ],
    )


def _namespace_variable(label: str) -> dict[str, Any]:
    return _query_variable(
        "namespace", "Namespace", f'label_values(istio_requests_total{{cluster="$cluster"}}, {label})'
    )


def service_dashboard() -> dict[str, Any]:
    return _dashboard(
        "aks-istio-service",
        "Istio Service",
        "One service as its server-side proxies report it: load, errors, latency and callers.",
        [
            _cluster_variable("istio_requests_total"),
            _namespace_variable("destination_service_namespace"),
            _query_variable(
                "service",
                "Service",
                'label_values(istio_requests_total{cluster="$cluster", destination_service_namespace="$namespace"}, '
                "destination_service_name)",
            ),
        ],
        [
            stat("Requests/s", _rate(_SERVICE), "reqps"),
            stat("Success ratio (non-5xx)", _success_ratio(_SERVICE), "percentunit"),
            stat("p50 latency", _quantile(0.5, _SERVICE), "ms"),
            stat("p99 latency", _quantile(0.99, _SERVICE), "ms"),
            graph("Requests/s by response code", [(_rate(_SERVICE, "response_code"), "{{response_code}}")], "reqps"),
            graph(
                "Latency percentiles",
                [(_quantile(q, _SERVICE), f"p{int(q * 100)}") for q in (0.5, 0.9, 0.99)],
                "ms",
            ),
            graph(
                "Requests/s by caller",
                [
                    (
                        _rate(_SERVICE, "source_workload_namespace, source_workload"),
                        "{{source_workload}}.{{source_workload_namespace}}",
                    )
                ],
                "reqps",
            ),
            graph(
                "TCP connections opened/s",
                [(_rate(_SERVICE, "source_workload", "istio_tcp_connections_opened_total"), "{{source_workload}}")],
                "cps",
            ),
        ],
    )


def workload_dashboard() -> dict[str, Any]:
    return _dashboard(
        "aks-istio-workload",
        "Istio Workload",
        "One workload's inbound and outbound traffic through its sidecars.",
        [
            _cluster_variable("istio_requests_total"),
            _namespace_variable("destination_workload_namespace"),
            _query_variable(
                "workload",
                "Workload",
                'label_values(istio_requests_total{cluster="$cluster", destination_workload_namespace="$namespace"}, '
                "destination_workload)",
            ),
        ],
        [
            stat("Inbound requests/s", _rate(_WORKLOAD_IN), "reqps"),
            stat("Inbound success ratio", _success_ratio(_WORKLOAD_IN), "percentunit"),
            stat("Outbound requests/s", _rate(_WORKLOAD_OUT), "reqps"),
            stat("Outbound success ratio", _success_ratio(_WORKLOAD_OUT), "percentunit"),
            graph(
                "Inbound requests/s by caller",
                [(_rate(_WORKLOAD_IN, "source_workload"), "{{source_workload}}")],
                "reqps",
            ),
            graph("Inbound p99 latency", [(_quantile(0.99, _WORKLOAD_IN), "p99")], "ms"),
            graph(
                "Outbound requests/s by destination",
                [(_rate(_WORKLOAD_OUT, "destination_service_name"), "{{destination_service_name}}")],
                "reqps",
            ),
            graph(
                "Outbound p99 latency by destination",
                [(_quantile(0.99, _WORKLOAD_OUT, "destination_service_name"), "{{destination_service_name}}")],
                "ms",
            ),
        ],
    )


def control_plane_dashboard() -> dict[str, Any]:
    return _dashboard(
        "aks-istio-control-plane",
        "Istio Control Plane",
        f"istiod ({sm.ADDON_SYSTEM_NAMESPACE}): connected proxies, pushes, errors, rejects and resources.",
        [_cluster_variable("pilot_xds")],
        [
            stat("Connected proxies", f"sum(pilot_xds{{{_ISTIOD}}})", "short"),
            stat("Push errors (5m)", f'sum(increase(pilot_xds_pushes{{{_ISTIOD}, type=~".+_senderr"}}[5m]))', "short"),
            stat("Rejected configs (5m)", f"sum(increase(pilot_total_xds_rejects{{{_ISTIOD}}}[5m]))", "short"),
            stat("Conflicting listeners", f"sum(pilot_conflict_inbound_listener{{{_ISTIOD}}})", "short"),
            graph(
                "Pushes/s by type", [(f"sum by (type) (rate(pilot_xds_pushes{{{_ISTIOD}}}[5m]))", "{{type}}")], "ops"
            ),
            graph(
                "Proxy convergence time",
                [
                    (
                        f"histogram_quantile({q}, sum by (le) "
                        f"(rate(pilot_proxy_convergence_time_bucket{{{_ISTIOD}}}[5m])))",
                        f"p{int(q * 100)}",
                    )
                    for q in (0.5, 0.99)
                ],
                "s",
            ),
            graph(
                "Rejects by type",
                [(f"sum by (type) (rate(pilot_total_xds_rejects{{{_ISTIOD}}}[5m]))", "{{type}}")],
                "ops",
            ),
            graph(
                "Sidecar injection",
                [
                    (f"sum(rate(sidecar_injection_requests_total{{{_ISTIOD}}}[5m]))", "requests"),
                    (f"sum(rate(sidecar_injection_failure_total{{{_ISTIOD}}}[5m]))", "failures"),
                ],
                "ops",
            ),
            graph(
                "istiod memory", [(f"sum by (pod) (process_resident_memory_bytes{{{_ISTIOD}}})", "{{pod}}")], "bytes"
            ),
            graph(
                "istiod CPU", [(f"sum by (pod) (rate(process_cpu_seconds_total{{{_ISTIOD}}}[5m]))", "{{pod}}")], "short"
            ),
        ],
    )


def dashboards() -> dict[str, dict[str, Any]]:
    """Every dashboard by uid."""
    built = [mesh_dashboard(), service_dashboard(), workload_dashboard(), control_plane_dashboard()]
    return {d["uid"]: d for d in built}


def write_files(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for uid, model in dashboards().items():
        path = directory / f"{uid}.json"
        path.write_text(json.dumps(model, indent=2) + "\n")
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - a tiny CLI for the manual import path
    for written_path in write_files(Path(sys.argv[1] if len(sys.argv) > 1 else "dashboards")):
        print(written_path)
