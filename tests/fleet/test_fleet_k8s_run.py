"""`fleet k8s-run`: the gated strategy and run created, started and approved through azure-mgmt-containerservicefleet
(API 2026-06-01), its requests sent through the SDK's own pipeline and transport and answered with recorded REST
bodies (tests/fixtures/fleet); the request bodies checked against Microsoft's models; approval only after the
wave's `fleet gate` passes on a real Prometheus."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import azure.mgmt.containerservicefleet.models as fleet_sdk
import pytest
import requests
import urllib3
from azure.core.credentials import AccessToken
from azure.core.pipeline.transport import RequestsTransport

from aks_istio.fleet import update_runs
from tests.components.arm_oracle import problems
from tests.fleet.prometheus_server import LocalPrometheus, Traffic, serve
from tests.fleet.support import FLEET_MANAGER, ROOT, example_copy, run

RECORDED = ROOT / "tests" / "fixtures" / "fleet"
FLEETS = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-fleet/providers/"
    "Microsoft.ContainerService/fleets/payments"
)
ROUTES = {
    ("PUT", f"{FLEETS}/updateStrategies/aks-istio-waves"): "updateStrategy-put.json",
    ("PUT", f"{FLEETS}/updateRuns/k8s-1-35"): "updateRun-put.json",
    ("POST", f"{FLEETS}/updateRuns/k8s-1-35/start"): "updateRun-start.json",
    ("GET", f"{FLEETS}/gates"): "gates-list.json",
    ("PATCH", f"{FLEETS}/gates/3f1b2c3d-0000-4000-8000-000000000002"): "gate-patch.json",
}


class RecordedArm(requests.adapters.BaseAdapter):
    """ARM as recorded: each request the SDK sends is kept and answered with its recorded body."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        self.sent.append(request)
        url = urlsplit(str(request.url))
        recorded = ROUTES.get((str(request.method), url.path))
        response = requests.Response()
        response.request, response.url = request, str(request.url)
        response.status_code = 200 if recorded else 404
        body = (RECORDED / recorded).read_text() if recorded else json.dumps({"error": {"code": "NotFound"}})
        headers = {"Content-Type": "application/json", "Content-Length": str(len(body.encode()))}
        response.raw = urllib3.HTTPResponse(
            body=io.BytesIO(body.encode()), headers=headers, status=response.status_code, preload_content=False
        )
        response.headers.update(headers)
        return response

    def close(self) -> None:
        pass

    def bodies(self, method: str) -> list[tuple[str, dict[str, Any], str]]:
        """(path, JSON body, api-version) of the requests of `method`."""
        return [
            (
                urlsplit(str(r.url)).path,
                json.loads(r.body if isinstance(r.body, (str, bytes)) else b"{}"),
                parse_qs(urlsplit(str(r.url)).query)["api-version"][0],
            )
            for r in self.sent
            if r.method == method
        ]


class StaticToken:
    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("recorded", int(time.time()) + 3600)


@pytest.fixture
def arm(monkeypatch: pytest.MonkeyPatch) -> RecordedArm:
    adapter = RecordedArm()
    session = requests.Session()
    session.mount("https://", adapter)
    real = update_runs.client

    def recorded_client(subscription_id: str) -> Any:
        return real(subscription_id, credential=StaticToken(), transport=RequestsTransport(session=session))

    monkeypatch.setattr(update_runs, "client", recorded_client)
    return adapter


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPrometheus]:
    yield from serve(
        tmp_path_factory.mktemp("prometheus"),
        [Traffic("aks-payments-weu-1", 12), Traffic("aks-payments-neu-1", 12, error_ratio=0.2)],
    )


def fleet_file(tmp_path: Path, endpoint: str = "") -> Path:
    fleet = example_copy(tmp_path)
    text = fleet.read_text() + FLEET_MANAGER
    if endpoint:
        text = text.replace("https://amw-payments-abcd.westeurope.prometheus.monitor.azure.com", endpoint)
    fleet.write_text(text)
    return fleet


def test_create_and_start_send_the_gated_waves_at_api_2026_06_01(
    tmp_path: Path, arm: RecordedArm, capsys: pytest.CaptureFixture[str]
) -> None:
    fleet = fleet_file(tmp_path)
    code, out, err = run(capsys, "k8s-run", "create", "--fleet", str(fleet), "--run", "k8s-1-35")
    assert code == 0, err
    assert f"created update run {FLEETS}/updateRuns/k8s-1-35" in out
    (strategy_put, run_put) = arm.bodies("PUT")
    assert strategy_put[2] == run_put[2] == "2026-06-01"
    stages = strategy_put[1]["properties"]["strategy"]["stages"]
    assert [(s["name"], s["maxConcurrency"], s["afterStageWaitInSeconds"]) for s in stages] == [
        ("canary", "1", 3600),
        ("europe", "2", 7200),
        ("americas", "3", 7200),
    ]
    assert stages[1]["afterGates"] == [{"displayName": "aks-istio fleet gate europe", "type": "Approval"}]
    assert run_put[1]["properties"]["updateStrategyId"] == f"{FLEETS}/updateStrategies/aks-istio-waves"
    assert run_put[1]["properties"]["managedClusterUpdate"]["upgrade"] == {"type": "Full", "kubernetesVersion": "1.35"}
    # Microsoft's models: every key known, every enum value allowed, every required field there.
    assert problems(strategy_put[1], fleet_sdk.FleetUpdateStrategy) == []
    assert problems(run_put[1], fleet_sdk.UpdateRun) == []
    code, out, err = run(capsys, "k8s-run", "start", "--fleet", str(fleet), "--run", "k8s-1-35")
    assert code == 0, err
    assert out.strip() == "started update run k8s-1-35: Running"


def test_approve_completes_the_gate_only_when_the_wave_passes_its_gate(
    tmp_path: Path, arm: RecordedArm, prometheus: LocalPrometheus, capsys: pytest.CaptureFixture[str]
) -> None:
    # europe: weu-1 healthy, neu-1 at a 20% 5xx ratio -> the gate fails and nothing is approved.
    fleet = fleet_file(tmp_path, prometheus.url)
    code, out, _ = run(capsys, "k8s-run", "approve", "--fleet", str(fleet), "--run", "k8s-1-35", "--wave", "europe")
    assert code == 1
    assert "gate FAILED" in out and "is NOT approved" in out
    assert arm.sent == []
    # The same wave once neu-1 is healthy (another cluster name, with healthy traffic) -> the pending gate is approved.
    neu = fleet.parent / "stacks" / "Pulumi.neu-1.yaml"
    neu.write_text(neu.read_text().replace("aks-payments-neu-1", "aks-payments-weu-1x"))
    fleet.write_text(
        fleet.read_text().replace("stacks/Pulumi.neu-1.yaml, wave: europe", "stacks/Pulumi.neu-1.yaml, wave: americas")
    )
    code, out, err = run(capsys, "k8s-run", "approve", "--fleet", str(fleet), "--run", "k8s-1-35", "--wave", "europe")
    assert code == 0, out + err
    assert "gate passed" in out
    assert "gate 3f1b2c3d-0000-4000-8000-000000000002 after wave europe: Completed" in out
    ((path, body, version),) = arm.bodies("PATCH")
    assert path.endswith("/gates/3f1b2c3d-0000-4000-8000-000000000002") and version == "2026-06-01"
    assert body == {"properties": {"state": "Completed"}}
    assert problems(body, fleet_sdk.GatePatch) == []


def test_without_fleet_manager_the_commands_refuse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "k8s-run", "start", "--fleet", str(example_copy(tmp_path)), "--run", "r")
    assert code == 2 and "fleet.fleetManager is not set" in err


def test_an_arm_error_is_reported_not_raised(
    tmp_path: Path, arm: RecordedArm, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "k8s-run", "start", "--fleet", str(fleet_file(tmp_path)), "--run", "no-such-run")
    assert code == 1 and err.startswith("error: Fleet Manager:") and "Traceback" not in err
