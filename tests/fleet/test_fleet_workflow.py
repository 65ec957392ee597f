"""`fleet workflow`: the example GitHub Actions rollout is the fleet file's, valid under GitHub's workflow schema
(check-jsonschema's vendored copy, no network), one job per wave in order with its matrix and gate between."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.fleet.support import EXAMPLE, ROOT, run

WORKFLOW = EXAMPLE / "rollout.yml"
FLEET = "examples/fleet/fleet.yaml"


def schema_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
    )


def test_the_example_workflow_is_generated_from_the_fleet_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run(capsys, "workflow", "--fleet", FLEET)
    assert code == 0, err
    assert out == WORKFLOW.read_text(), f"regenerate: aks-istio fleet workflow --fleet {FLEET} > {WORKFLOW}"


def test_the_workflow_validates_against_githubs_schema_and_a_broken_one_does_not(tmp_path: Path) -> None:
    result = schema_check(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr
    broken = yaml.safe_load(WORKFLOW.read_text())
    broken["jobs"]["wave-europe"]["strategy"]["max-parallel"] = "five"
    del broken["jobs"]["gate-europe"]["runs-on"]
    path = tmp_path / "broken.yml"
    path.write_text(yaml.safe_dump(broken))
    assert schema_check(path).returncode == 1


def test_waves_run_in_order_each_matrix_bounded_and_gated_before_the_next() -> None:
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    assert list(jobs) == [
        "plan",
        "wave-canary",
        "gate-canary",
        "wave-europe",
        "gate-europe",
        "wave-americas",
        "gate-americas",
    ]
    assert [jobs[j]["needs"] for j in list(jobs)[1:]] == list(jobs)[:-1]
    assert jobs["wave-europe"]["strategy"]["max-parallel"] == 2
    assert jobs["wave-americas"]["strategy"]["max-parallel"] == 3
    assert [m["stack"] for m in jobs["wave-americas"]["strategy"]["matrix"]["include"]] == ["eus-1", "wus-1", "cus-1"]
    assert jobs["wave-europe"]["environment"] == "fleet-europe"
    gate = jobs["gate-europe"]["steps"]
    assert any(s.get("run") == "sleep 7200" for s in gate)
    assert gate[-1]["run"] == f"aks-istio fleet gate --fleet {FLEET} --wave europe"
    up = jobs["wave-canary"]["steps"][-1]["run"]
    assert "pulumi up --yes --config-file ${{ matrix.file }} --policy-pack policy" in up
