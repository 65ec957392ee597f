"""The Istio dashboards are valid Grafana JSON whose queries read metrics Istio exports."""

from __future__ import annotations

import json
import re

import pytest

from aks_istio.observability.dashboards import DATASOURCE, dashboards, write_files
from tests.components.observability.support import ISTIO_METRICS, balanced, metrics_in

MODELS = dashboards()


def _exprs(model: dict) -> list[str]:
    return [t["expr"] for p in model["panels"] for t in p["targets"]]


def test_the_four_dashboards_exist_with_unique_uids() -> None:
    assert {m["title"] for m in MODELS.values()} == {
        "Istio Mesh",
        "Istio Service",
        "Istio Workload",
        "Istio Control Plane",
    }
    assert all(uid == m["uid"] and len(uid) <= 40 for uid, m in MODELS.items())


@pytest.mark.parametrize("uid", sorted(MODELS))
def test_dashboard_is_grafana_json_with_a_prometheus_datasource_variable(uid: str) -> None:
    model = json.loads(json.dumps(MODELS[uid]))
    assert {"uid", "title", "panels", "templating", "schemaVersion", "time"} <= set(model)
    variables = {v["name"]: v for v in model["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
    ids = [p["id"] for p in model["panels"]]
    assert len(ids) == len(set(ids))
    for panel in model["panels"]:
        assert panel["type"] in {"stat", "timeseries"}
        assert panel["datasource"] == DATASOURCE
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24 and grid["h"] > 0
        refs = [t["refId"] for t in panel["targets"]]
        assert refs and len(refs) == len(set(refs))
        assert all(t["datasource"] == DATASOURCE for t in panel["targets"])


@pytest.mark.parametrize("uid", sorted(MODELS))
def test_every_query_reads_istio_metrics_and_only_defined_variables(uid: str) -> None:
    model = MODELS[uid]
    defined = {v["name"] for v in model["templating"]["list"]}
    queries = _exprs(model) + [v["definition"] for v in model["templating"]["list"] if "definition" in v]
    for expression in queries:
        assert balanced(expression), expression
        metrics = metrics_in(expression)
        assert metrics and metrics <= ISTIO_METRICS, (expression, metrics - ISTIO_METRICS)
        assert set(re.findall(r"\$(\w+)", expression)) <= defined, expression


def test_panels_do_not_overlap() -> None:
    for model in MODELS.values():
        cells: set[tuple[int, int]] = set()
        for panel in model["panels"]:
            g = panel["gridPos"]
            area = {(x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])}
            assert not cells & area, panel["title"]
            cells |= area


def test_json_files_for_manual_import(tmp_path) -> None:  # type: ignore[no-untyped-def]
    written = write_files(tmp_path)
    assert sorted(p.name for p in written) == sorted(f"{uid}.json" for uid in MODELS)
    assert json.loads(written[0].read_text())["uid"] in MODELS
