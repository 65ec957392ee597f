"""The fleet file: its published JSON Schema, and validation of the whole file with every problem at its line."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from aks_istio.fleet.model import FleetTarget, SloGate, Wave, fleet_schema, load_fleet
from aks_istio.value_checks import InvalidValueError
from tests.fleet.support import EXAMPLE, ROOT, example_copy, run

SCHEMA = ROOT / "docs" / "fleet.schema.json"


def test_published_schema_is_the_models_schema_and_accepts_the_example() -> None:
    published = json.loads(SCHEMA.read_text())
    assert published == fleet_schema(), "regenerate: aks-istio fleet schema > docs/fleet.schema.json"
    jsonschema.validate(yaml.safe_load((EXAMPLE / "fleet.yaml").read_text()), published)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"fleet": {"name": "x", "target": {}, "waves": [], "clusters": [], "typo": 1}}, published)


def test_schema_command_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema")
    assert code == 0
    assert json.loads(out) == json.loads(SCHEMA.read_text())


def test_example_fleet_reads_every_stack_file_with_its_cluster_name() -> None:
    fleet = load_fleet(EXAMPLE / "fleet.yaml")
    assert [w.name for w in fleet.settings.waves] == ["canary", "europe", "americas"]
    assert [m.cluster_name for m in fleet.wave_members("europe")] == ["aks-payments-weu-1", "aks-payments-neu-1"]
    assert len(fleet.members) == 6


BROKEN = """\
fleet:
  name: payments
  target: {kubernetesVersion: "1.36", meshRevision: asm-1-28}
  waves:
    - {name: canary, soakMinutes: 60, gate: slo}
    - {name: europe, gate: sli, maxParallel: 0}
  clusters:
    - {stack: stacks/Pulumi.weu-canary.yaml, wave: canary}
    - {stack: stacks/Pulumi.nowhere.yaml, wave: europe}
    - {stack: stacks/Pulumi.weu-1.yaml, wave: asia}
  gates:
    slo:
      prometheusQueryEndpoint: http://prometheus.example.com
      windowMinute: 30
"""


def test_every_problem_at_once_at_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fleet = example_copy(tmp_path)
    fleet.write_text(BROKEN)
    code, out, err = run(capsys, "plan", "--fleet", str(fleet))
    assert code == 2, err
    assert out == ""
    where = str(fleet)
    expected = [
        (3, "fleet.target.meshRevision: 'asm-1-28' does not run on Kubernetes 1.36"),
        (3, "fleet.target.kubernetesVersion: '1.36' does not run mesh revision asm-1-28"),
        (6, "fleet.waves[1].gate: 'sli' is not a gate; allowed: slo"),
        (6, "fleet.waves[1].maxParallel: 0 is not valid: allowed: >= 1"),
        (9, "fleet.clusters[1].stack: 'stacks/Pulumi.nowhere.yaml': no such stack file"),
        (10, "fleet.clusters[2].wave: 'asia' is in no wave of the fleet; allowed: canary, europe"),
        (
            13,
            "fleet.gates.slo.prometheusQueryEndpoint: 'http://prometheus.example.com' is not valid: allowed: an https "
            "URL",
        ),
        (14, "fleet.gates.slo.windowMinute: unknown key (did you mean 'windowMinutes'?)"),
    ]
    for line, message in expected:
        assert f"{where}:{line}: {message}" in err, f"missing {line}: {message} in\n{err}"
    assert "problems" in err.splitlines()[0]


def test_a_bad_value_is_reported_beside_missing_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Required keys missing keep the file from being read whole; the values that are there are still checked."""
    fleet = example_copy(tmp_path)
    fleet.write_text(
        "fleet:\n"
        "  waves: [{name: canary, soakMinutes: -5}]\n"
        "  clusters: [{stack: stacks/Pulumi.weu-canary.yaml}]\n"
        "  fleetManager: {subscriptionId: nope, resourceGroup: rg, name: fleet, location: westeurope}\n"
    )
    code, _, err = run(capsys, "plan", "--fleet", str(fleet))
    assert code == 2
    for line, message in [
        (1, "fleet.name: required key is missing"),
        (1, "fleet.target: required key is missing"),
        (3, "fleet.clusters[0].wave: required key is missing"),
        (2, "fleet.waves[0].soakMinutes: -5 is not valid: allowed: >= 0"),
        (
            4,
            "fleet.fleetManager.subscriptionId: 'nope' is not valid: does not have the allowed form; allowed: a "
            "subscription id (a UUID)",
        ),
    ]:
        assert f"{fleet}:{line}: {message}\n" in err, f"missing {line}: {message} in\n{err}"


def test_the_fleet_values_built_in_code_refuse_what_the_file_refuses() -> None:
    """The fleet file's values are value types like the stack file's: a program building them gets the same
    refusal, naming the fields as Python does."""
    with pytest.raises(InvalidValueError) as caught:
        SloGate(prometheus_query_endpoint="http://prometheus.example.com", window_minutes=0)
    assert str(caught.value) == (
        "SloGate: prometheus_query_endpoint: 'http://prometheus.example.com' is not valid: allowed: an https URL, "
        "https://<workspace>.<region>.prometheus.monitor.azure.com (plain http only on localhost, for a local "
        "Prometheus); window_minutes: 0 is not valid: allowed: >= 1"
    )
    with pytest.raises(InvalidValueError) as caught:
        FleetTarget(kubernetes_version="1.36", mesh_revision="asm-1-28")
    assert [".".join(map(str, p.path)) for p in caught.value.problems] == ["mesh_revision", "kubernetes_version"]
    assert str(caught.value).endswith("(or change mesh_revision)")  # the field's Python name, not meshRevision
    with pytest.raises(InvalidValueError, match=r"^Wave: name: 'Canary' is not valid: does not have the allowed form"):
        Wave(name="Canary")
    assert SloGate(
        prometheus_query_endpoint="https://w.westeurope.prometheus.monitor.azure.com/"
    ).prometheus_query_endpoint == ("https://w.westeurope.prometheus.monitor.azure.com")


def test_a_stack_file_that_is_not_valid_is_named_at_its_cluster(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fleet = example_copy(tmp_path)
    stack = fleet.parent / "stacks" / "Pulumi.weu-1.yaml"
    stack.write_text(stack.read_text().replace("revision: asm-1-28", "revision: asm-1-99x"))
    code, _, err = run(capsys, "plan", "--fleet", str(fleet))
    assert code == 2
    assert f"{fleet}:11: fleet.clusters[1].stack: 'stacks/Pulumi.weu-1.yaml' is not a valid stack file" in err
    assert "aks-istio:platform.mesh.revision" in err


def test_two_stacks_of_one_cluster_name_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fleet = example_copy(tmp_path)
    stack = fleet.parent / "stacks" / "Pulumi.neu-1.yaml"
    stack.write_text(stack.read_text().replace("aks-payments-neu-1", "aks-payments-weu-1"))
    code, _, err = run(capsys, "plan", "--fleet", str(fleet))
    assert code == 2
    assert "fleet.clusters[2].stack: 'stacks/Pulumi.neu-1.yaml' names cluster 'aks-payments-weu-1'" in err


def test_missing_fleet_file_and_yaml_errors_are_input_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "plan", "--fleet", str(tmp_path / "nope.yaml"))
    assert code == 2 and "cannot be read" in err
    bad = tmp_path / "fleet.yaml"
    bad.write_text("fleet:\n\tname: x\n")
    code, _, err = run(capsys, "plan", "--fleet", str(bad))
    assert code == 2 and f"{bad}:2: not valid YAML" in err


def test_a_wave_named_twice_is_listed_once_among_the_allowed_waves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fleet = example_copy(tmp_path)
    document = yaml.safe_load(fleet.read_text())
    document["fleet"]["waves"] = [{"name": "canary"}, {"name": "canary"}]
    document["fleet"]["clusters"][0]["wave"] = "europe"
    fleet.write_text(yaml.safe_dump(document))
    code, _, err = run(capsys, "plan", "--fleet", str(fleet))
    assert code == 2
    assert "'canary' is the name of an earlier wave" in err
    assert "'europe' is in no wave of the fleet; allowed: canary\n" in err, err
