"""`fleet gate` against a real Prometheus (Debian's package, backfilled with generated Istio metrics): it passes on
healthy metrics and fails on a high error ratio, high latency, no data, too little traffic, and proxies still on
the old revision before a complete; its PromQL is the SLO rules' own."""

from __future__ import annotations

import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from aks_istio.fleet.gate import slo_queries
from aks_istio.fleet.model import SloGate
from aks_istio.observability.istio_rules import istio_recording_rules
from tests.fleet.prometheus_server import LocalPrometheus, Traffic, serve
from tests.fleet.support import EXAMPLE, run

TRAFFIC = [
    Traffic("aks-payments-weu-canary", 12, error_ratio=0.001),
    Traffic("aks-payments-weu-1", 12, error_ratio=0.05),
    Traffic("aks-payments-neu-1", 12, istiod={"asm-1-28": 3, "asm-1-29": 40}),
    Traffic("aks-payments-neu-2", 12, istiod={"asm-1-28": 0, "asm-1-29": 43}),
    Traffic("aks-payments-eus-1", 12, slow_share=0.05),
    Traffic("aks-payments-wus-1", 0.2),
    # aks-payments-cus-1: no series at all
]


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPrometheus]:
    yield from serve(tmp_path_factory.mktemp("prometheus"), TRAFFIC)


def fleet_with(tmp_path: Path, endpoint: str, stacks: list[str], rename: dict[str, str] | None = None) -> Path:
    """A fleet of one gated wave `w` over these example stacks, its gate on `endpoint`."""
    shutil.copytree(EXAMPLE / "stacks", tmp_path / "stacks")
    for stack, name in (rename or {}).items():
        path = tmp_path / "stacks" / stack
        path.write_text(path.read_text().replace("aks-payments-neu-1", name))
    clusters = "".join(f"    - {{stack: stacks/{s}, wave: w}}\n" for s in stacks)
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(
        "fleet:\n  name: payments\n  target: {kubernetesVersion: '1.35', meshRevision: asm-1-30}\n"
        "  waves:\n    - {name: w, soakMinutes: 60, gate: slo}\n"
        f"  clusters:\n{clusters}"
        f"  gates:\n    slo:\n      prometheusQueryEndpoint: {endpoint}\n      windowMinutes: 30\n"
        "      maxErrorRatio: 0.01\n      maxP99LatencyMs: 800\n      minRequestsPerSecond: 1\n"
    )
    return fleet


def gate(capsys: pytest.CaptureFixture[str], fleet: Path, *extra: str) -> tuple[int, str, str]:
    return run(capsys, "gate", "--fleet", str(fleet), "--wave", "w", *extra)


def test_healthy_wave_passes_with_its_figures(
    tmp_path: Path, prometheus: LocalPrometheus, capsys: pytest.CaptureFixture[str]
) -> None:
    fleet = fleet_with(tmp_path, prometheus.url, ["Pulumi.weu-canary.yaml"])
    code, out, err = gate(capsys, fleet, "--json")
    assert code == 0, out + err
    result = json.loads(out)
    assert result["healthy"] is True and result["thresholds"]["maxErrorRatio"] == 0.01
    (cluster,) = result["clusters"]
    assert cluster["verdict"] == "healthy" and cluster["reasons"] == []
    assert cluster["requestsPerSecond"] == pytest.approx(12, rel=0.01)
    assert cluster["errorRatio"] == pytest.approx(0.001, rel=0.01)
    assert 25 < cluster["p99LatencyMs"] < 50  # requests of ~40 ms land in the 25-50 ms bucket
    code, out, _ = gate(capsys, fleet)
    assert code == 0 and "HEALTHY      aks-payments-weu-canary" in out and out.rstrip().endswith("gate passed")


@pytest.mark.parametrize(
    ("stack", "verdict", "reason"),
    [
        ("Pulumi.weu-1.yaml", "unhealthy", "5xx ratio 0.05 > maxErrorRatio 0.01"),
        ("Pulumi.eus-1.yaml", "unhealthy", "ms > maxP99LatencyMs 800"),
        ("Pulumi.wus-1.yaml", "inconclusive", "0.2 requests/s < minRequestsPerSecond 1: too little traffic"),
        ("Pulumi.cus-1.yaml", "inconclusive", "no Istio request metrics for cluster 'aks-payments-cus-1'"),
    ],
)
def test_unhealthy_or_inconclusive_clusters_fail_the_gate(
    tmp_path: Path,
    prometheus: LocalPrometheus,
    capsys: pytest.CaptureFixture[str],
    stack: str,
    verdict: str,
    reason: str,
) -> None:
    fleet = fleet_with(tmp_path, prometheus.url, ["Pulumi.weu-canary.yaml", stack])
    code, out, _ = gate(capsys, fleet, "--json")
    assert code == 1
    result = json.loads(out)
    assert result["healthy"] is False
    healthy, judged = result["clusters"]
    assert healthy["verdict"] == "healthy"
    assert judged["verdict"] == verdict and reason in " ".join(judged["reasons"]), judged
    code, out, _ = gate(capsys, fleet)
    assert code == 1 and f"{verdict.upper()}" in out and out.rstrip().endswith("gate FAILED")


def test_before_complete_proxies_on_the_old_revision_fail_the_gate(
    tmp_path: Path, prometheus: LocalPrometheus, capsys: pytest.CaptureFixture[str]
) -> None:
    # neu-1's stack file is in migrate (asm-1-28 -> asm-1-29); once the plan's migrate step is applied, the
    # next step is complete, so the gate asks whether any proxy is still connected to istiod-asm-1-28.
    fleet = fleet_with(tmp_path, prometheus.url, ["Pulumi.neu-1.yaml"])
    stack = tmp_path / "stacks" / "Pulumi.neu-1.yaml"
    stack.write_text(stack.read_text().replace("migrated: [apps]", "migrated: all"))
    code, out, _ = gate(capsys, fleet, "--json")
    assert code == 1
    (cluster,) = json.loads(out)["clusters"]
    assert cluster["oldRevisionProxies"] == 3
    assert "3 proxies still connected to istiod-asm-1-28" in cluster["reasons"][0]
    # The same cluster once every proxy left asm-1-28 (another cluster name in the same Prometheus).
    other = tmp_path / "other"
    fleet = fleet_with(other, prometheus.url, ["Pulumi.neu-1.yaml"], rename={"Pulumi.neu-1.yaml": "aks-payments-neu-2"})
    stack = other / "stacks" / "Pulumi.neu-1.yaml"
    stack.write_text(stack.read_text().replace("migrated: [apps]", "migrated: all"))
    code, out, _ = gate(capsys, fleet, "--json")
    assert code == 0, out
    assert json.loads(out)["clusters"][0]["oldRevisionProxies"] == 0


def test_an_unreachable_endpoint_fails_closed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fleet = fleet_with(tmp_path, "http://127.0.0.1:9", ["Pulumi.weu-canary.yaml"])
    code, out, _ = gate(capsys, fleet, "--json")
    assert code == 1
    result = json.loads(out)
    assert "cannot be queried" in result["error"] and result["clusters"][0]["verdict"] == "inconclusive"


def test_the_gate_sends_the_ci_token_and_azure_needs_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str | None] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen.append(self.headers.get("Authorization"))
            body = b'{"status": "success", "data": {"resultType": "vector", "result": []}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("AKS_ISTIO_PROMETHEUS_TOKEN", "ci-token")
        fleet = fleet_with(tmp_path, f"http://127.0.0.1:{server.server_port}", ["Pulumi.weu-canary.yaml"])
        code, _, _ = gate(capsys, fleet)
    finally:
        server.shutdown()
    assert code == 1  # no series: inconclusive
    assert seen and set(seen) == {"Bearer ci-token"}
    monkeypatch.delenv("AKS_ISTIO_PROMETHEUS_TOKEN")
    azure = tmp_path / "azure"
    fleet = fleet_with(azure, "https://amw.westeurope.prometheus.monitor.azure.com", ["Pulumi.weu-canary.yaml"])
    monkeypatch.setitem(__import__("sys").modules, "azure.identity", None)  # as without the [fleet] extra
    code, _, err = gate(capsys, fleet)
    assert code == 2 and "AKS_ISTIO_PROMETHEUS_TOKEN" in err and "aks-istio[fleet]" in err


def test_the_gate_queries_the_slo_rules_expressions_per_cluster() -> None:
    rules = {r.record: r.expression for r in istio_recording_rules()}
    queries = slo_queries(SloGate(prometheus_query_endpoint="https://x.example"), ["a", "b"])
    service = rules["istio:service:requests:rate5m"]
    assert queries["requests"] == service.replace(
        "by (cluster, destination_service_namespace, destination_service_name)", "by (cluster)"
    ).replace('reporter="destination"', 'reporter="destination", cluster=~"a|b"').replace("[5m]", "[30m]")
    assert "histogram_quantile(0.99, sum by (le, cluster)" in queries["p99"]
