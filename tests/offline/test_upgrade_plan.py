"""`aks-istio upgrade-plan`: each phase's edit, changes and checks, from the stack file alone."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aks_istio import cli
from aks_istio.config import ConfigError, load_stack_config
from aks_istio.offline.upgrade_plan import plan
from tests.components.mesh.test_canary import FIXTURES, fixture_platform
from tests.support import merge


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(["upgrade-plan", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def fixture(name: str) -> str:
    return str(FIXTURES / f"{name}.yaml")


def phase_block(text: str, header: str) -> str:
    """The lines of one phase in the text output, from its header to the next blank line."""
    start = next(i for i, line in enumerate(text.splitlines()) if line.startswith(header))
    block = []
    for line in text.splitlines()[start:]:
        if not line.strip():
            break
        block.append(line)
    return "\n".join(block)


def test_plan_walks_start_migrate_complete_and_rollback_with_their_changes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--stack", fixture("step0-before"))
    assert code == cli.EXIT_OK
    assert out.startswith("Stack step0-before: canary upgrade asm-1-29 -> asm-1-30 on Kubernetes 1.34")
    start = phase_block(out, "1. start")
    assert "edit: mesh.upgrade: {to: asm-1-30, phase: start}" in start
    assert "revisions: ['asm-1-29'] -> ['asm-1-29', 'asm-1-30']" in start
    assert "+ ConfigMap aks-istio-system/istio-shared-configmap-asm-1-30 (created before the revisions change)" in start
    migrate = phase_block(out, "2. migrate")
    assert "namespace apps: istio.io/rev=asm-1-29 -> asm-1-30" in migrate
    complete = phase_block(out, "3. complete")
    assert "revisions: ['asm-1-29', 'asm-1-30'] -> ['asm-1-30']" in complete
    assert "- ConfigMap aks-istio-system/istio-shared-configmap-asm-1-29" in complete
    assert "gateway HPA settings now apply to the asm-1-30 gateways" in complete
    assert "(none)" in phase_block(out, "4. done")
    rollback = phase_block(out, "2b. rollback")
    assert "revisions: ['asm-1-29', 'asm-1-30'] -> ['asm-1-29']" in rollback
    assert "namespace legacy: istio.io/rev=asm-1-30 -> asm-1-29" in rollback


def test_plan_prints_the_checks_to_run_between_phases(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "--stack", fixture("step0-before"))
    start = phase_block(out, "1. start")
    assert "$ kubectl get pods -n aks-istio-system -L istio.io/rev" in start
    # gateway health per revision: the fixture enables the internal ingress gateway
    for revision in ("asm-1-29", "asm-1-30"):
        assert (
            f"$ kubectl rollout status deployment/aks-istio-ingressgateway-internal-{revision} -n aks-istio-ingress"
            in start
        )
    migrate = phase_block(out, "2. migrate")
    assert "$ kubectl get pods -A -L istio.io/rev" in migrate
    assert "$ istioctl -i aks-istio-system proxy-status" in migrate
    assert "kubectl get pods -n legacy -o jsonpath=" in migrate and "grep proxyv2" in migrate


def test_plan_marks_the_phase_the_stack_file_is_in_and_lists_its_restarts(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "--stack", fixture("step2-migrate-apps"))
    migrate = phase_block(out, "2. migrate")
    assert migrate.splitlines()[0].endswith("<- the stack file is here")
    assert "restart Deployment apps/frontend (migrate asm-1-29->asm-1-30)" in migrate
    assert "restart Deployment apps/frontend (rollback asm-1-29->asm-1-30)" in phase_block(out, "2b. rollback")


def test_plan_warns_when_no_restarts_are_declared(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "--stack", fixture("step1-start"))
    assert "warning: mesh.upgrade.restarts lists no Deployments" in out


def test_plan_json_has_every_phase(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--stack", fixture("step1-start"), "--json")
    document = json.loads(out)
    assert code == cli.EXIT_OK
    assert [p["phase"] for p in document["walk"]] == ["start", "migrate", "complete", "done"]
    assert [p["current"] for p in document["walk"]] == [True, False, False, False]
    assert document["rollback"]["revisions"] == ["asm-1-29"]


def test_a_refused_target_is_reported_like_a_bad_stack_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--stack", fixture("step0-before"), "--to", "asm-1-28")
    assert code == cli.EXIT_INVALID_CONFIG
    assert "aks-istio:platform.mesh.upgrade.to: 'asm-1-28' is older than mesh.revision: downgrades are refused" in err


def test_newest_revision_has_nothing_to_plan(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--stack", "dev")
    assert code == cli.EXIT_INVALID_CONFIG
    assert "asm-1-30 is the newest revision in the catalog" in err


def test_default_target_is_the_newest_allowed_on_the_clusters_kubernetes() -> None:
    # From asm-1-28 on 1.34 both asm-1-29 and asm-1-30 are allowed; on 1.31 only asm-1-29 runs.
    platform = merge(fixture_platform("step0-before"), {"mesh": {"revision": "asm-1-28"}})
    assert plan("x", load_stack_config(platform)).to == "asm-1-30"
    platform = merge(platform, {"cluster": {"kubernetesVersion": "1.31"}})
    assert plan("x", load_stack_config(platform)).to == "asm-1-29"
    with pytest.raises(ConfigError):
        plan("x", load_stack_config(platform), "asm-1-30")


def test_plan_shows_when_gateway_api_gateways_move(capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    import yaml

    from tests.components.gateways.test_gateway_api import SETTINGS

    platform = merge(fixture_platform("step0-before"), {"gateways": {"gatewayApi": SETTINGS}})
    path = tmp_path / "Pulumi.gw.yaml"
    path.write_text(yaml.safe_dump({"config": {"aks-istio:platform": platform}}))
    code, out, _ = run(capsys, "--stack", str(path))
    assert code == cli.EXIT_OK
    assert "Gateway API Gateways move to asm-1-30 (were on asm-1-29" in phase_block(out, "1. start")
    assert "Gateway API Gateways move to asm-1-29 (were on asm-1-30" in phase_block(out, "2b. rollback")
