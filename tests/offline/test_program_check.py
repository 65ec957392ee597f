"""`aks-istio check|preview --program DIR`: other teams' programs (tests/fixtures/programs/, written as public Pulumi
programs write AKS, classic azure, Kubernetes YAML and Helm), run under mocks in their own interpreter and judged by
the pack; each verdict is compared with the pack's own answer over gRPC for the same resources, and with the
findings recorded by hand from the programs (what must be mandatory, what must not)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from aks_istio import cli
from aks_istio.offline import program_run
from aks_istio.offline.analyzer_client import Analyzer, PolicyPackProcess, resolve_config
from aks_istio.offline.program_project import SECRET_PLACEHOLDER, load_answers, load_project
from aks_istio.offline.stack_files import PROJECT_ROOT
from aks_istio.offline.verdict import PACK_DIR, analyzer_resource

PROGRAMS = PROJECT_ROOT / "tests" / "fixtures" / "programs"
SCHEMA = json.loads((PROJECT_ROOT / "docs" / "preview-output.schema.json").read_text())
ADDON_TARGET = {"pack-settings": {"clusterRunsIstioAddon": "yes"}}


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


def check_json(program: str, *extra: str) -> tuple[int, dict[str, Any], str]:
    code, out, err = run_cli("check", "--program", str(PROGRAMS / program), "--json", *extra)
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA)
    return code, document, err


def findings(document: dict[str, Any], level: str | None = None) -> set[tuple[str, str]]:
    return {
        (v["policy"], v["resource"])
        for v in document["policy"]["violations"]
        if level is None or v["enforcement"] == level
    }


def pack_over_grpc(program: str, config: dict[str, Any] | None = None, answers: Path | None = None) -> set[tuple]:
    """The same program's resources, captured without any verdict, sent to a fresh pack as the engine sends them:
    Analyze for each, then AnalyzeStack once. (policy, resource, level) of every diagnostic."""
    answered = load_answers(answers)
    run = program_run.run(load_project(PROGRAMS / program, None, answered), answered)
    resources = [analyzer_resource(r) for r in run.capture.resources]
    with PolicyPackProcess(PACK_DIR, project="p", stack="s") as process:
        analyzer = Analyzer(process.stub())
        analyzer.configure(resolve_config(analyzer.info(), config or {}))
        diagnostics = [d for r in resources for d in analyzer.analyze(r)] + analyzer.analyze_stack(resources)
    levels = {0: "advisory", 1: "mandatory"}
    return {(d.policyName, d.urn.rsplit("::", 1)[-1], levels.get(d.enforcementLevel, "?")) for d in diagnostics}


def levelled(document: dict[str, Any]) -> set[tuple]:
    return {(v["policy"], v["resource"], v["enforcement"]) for v in document["policy"]["violations"]}


@pytest.fixture(scope="module")
def native() -> tuple[int, dict[str, Any], str]:
    return check_json("native-aks-addon")


def test_raw_azure_native_program_is_judged_as_the_pack_judges_its_resources(native: tuple) -> None:
    code, document, _ = native
    assert code == cli.EXIT_VIOLATION
    assert findings(document, "mandatory") == {
        ("agentpool-no-windows-with-istio", "win"),
        ("namespace-no-istio-injection-label", "payments"),
    }
    # Baselines stay advice with the pack's defaults (the program's stack is called dev: not our dev config).
    assert ("managedcluster-local-accounts-disabled", "payments-aks") in findings(document, "advisory")
    assert document["policy"]["environment"] is None and document["policy"]["tier"] is None
    assert levelled(document) == pack_over_grpc("native-aks-addon")


def test_each_finding_is_placed_at_the_line_that_declared_its_resource(native: tuple) -> None:
    _, document, _ = native
    source = (PROGRAMS / "native-aks-addon" / "__main__.py").read_text().splitlines()
    placed = {v["resource"]: (v["file"], v["line"]) for v in document["policy"]["violations"]}
    assert placed["win"][0] == "tests/fixtures/programs/native-aks-addon/__main__.py"
    assert source[placed["win"][1] - 1].startswith("windows = containerservice.AgentPool(")
    assert source[placed["payments"][1] - 1].startswith("apps = k8s.core.v1.Namespace(")
    assert source[placed["payments-aks"][1] - 1].startswith("cluster = containerservice.ManagedCluster(")


def test_secure_config_reaches_the_program_as_a_secret_placeholder_and_is_never_printed() -> None:
    code, out, _ = run_cli("preview", "--program", str(PROGRAMS / "native-aks-addon"), "--json")
    document = json.loads(out)
    assert code == cli.EXIT_VIOLATION
    cluster = next(r for r in document["resources"] if r["name"] == "payments-aks")
    key = cluster["inputs"]["linuxProfile"]["ssh"]["publicKeys"][0]["keyData"]
    assert key == "[secret]"
    assert "v1:8yP2Xw5T0bq1cPZk" not in out and SECRET_PLACEHOLDER not in out
    assert document["outputs"]["kubeconfig"] == "[secret]"


def test_sarif_points_each_finding_at_the_programs_source_file() -> None:
    code, out, _ = run_cli("check", "--program", str(PROGRAMS / "native-aks-addon"), "--sarif")
    assert code == cli.EXIT_VIOLATION
    results = json.loads(out)["runs"][0]["results"]
    windows = next(r for r in results if r["ruleId"] == "agentpool-no-windows-with-istio")
    location = windows["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "tests/fixtures/programs/native-aks-addon/__main__.py"
    assert windows["level"] == "error"
    assert json.loads(out)["runs"][0]["automationDetails"]["id"] == "aks-istio/payments-aks/dev/"


def test_classic_fleet_refuses_only_the_cluster_with_osm_beside_the_addon() -> None:
    code, document, _ = check_json("classic-fleet")
    assert code == cli.EXIT_VIOLATION
    assert findings(document, "mandatory") == {("managedcluster-no-osm-with-istio", "aks-neu")}
    # The Windows pool belongs to the cluster without the mesh: advice only, never the add-on rule.
    assert ("agentpool-no-windows-with-istio", "win-batch") not in findings(document)
    clusters = {v["resource"]: v for v in document["policy"]["violations"] if v["resource"].startswith("aks-")}
    assert {v["file"] for v in clusters.values()} == {"tests/fixtures/programs/classic-fleet/fleet.py"}
    assert levelled(document) == pack_over_grpc("classic-fleet")


@pytest.fixture(scope="module")
def yaml_program() -> tuple[int, dict[str, Any], str]:
    config = PROGRAMS / "k8s-istio-yaml" / "addon-target.json"
    return check_json("k8s-istio-yaml", "--policy-config", str(config))


def test_kubernetes_yaml_is_expanded_and_every_object_judged(yaml_program: tuple) -> None:
    code, document, _ = yaml_program
    assert code == cli.EXIT_VIOLATION
    assert findings(document, "mandatory") == {
        ("istio-no-blocked-custom-resources", "mesh-storefront/metrics"),
        ("istio-no-self-managed-install", "istio-base"),
        ("istio-no-self-managed-install", "istiod"),
        ("namespace-no-istio-injection-label", "namespace-storefront"),
        ("istio-no-blocked-custom-resources", "istio-system/control-plane"),  # from yaml v1, rendered in the SDK
    }
    # The PeerAuthentication came from a YAML string in the program, placed where the program declared it.
    permissive = next(v for v in document["policy"]["violations"] if v["resource"] == "policies-storefront/default")
    assert permissive["file"] == "tests/fixtures/programs/k8s-istio-yaml/__main__.py"
    wasm = next(v for v in document["policy"]["violations"] if v["resource"] == "mesh-storefront/metrics")
    assert (wasm["file"], wasm["line"]) == ("tests/fixtures/programs/k8s-istio-yaml/manifests/mesh.yaml", 27)
    # yaml v1 registers its objects from an apply: no frame of the program, so they sit at their ConfigFile's line.
    operator = next(v for v in document["policy"]["violations"] if v["resource"] == "istio-system/control-plane")
    source = (PROGRAMS / "k8s-istio-yaml" / "__main__.py").read_text().splitlines()
    assert source[operator["line"] - 1].startswith('k8s.yaml.ConfigFile("legacy"')
    assert document["policy"]["configFile"] == "tests/fixtures/programs/k8s-istio-yaml/addon-target.json"
    config = json.loads((PROGRAMS / "k8s-istio-yaml" / "addon-target.json").read_text())
    assert levelled(document) == pack_over_grpc("k8s-istio-yaml", config)


def test_what_cannot_be_rendered_is_a_warning_with_the_count(yaml_program: tuple) -> None:
    _, document, _ = yaml_program
    warnings = [w["message"] for w in document["warnings"]]
    assert all(w["key"] is None for w in document["warnings"])
    # Each warning sits at the program's line that declared what it is about.
    redis = next(w for w in document["warnings"] if "Helm chart 'redis'" in w["message"])
    nginx = next(w for w in document["warnings"] if "Helm chart 'ingress-nginx'" in w["message"])
    source = (PROGRAMS / "k8s-istio-yaml" / "__main__.py").read_text().splitlines()
    assert redis["file"] == nginx["file"] == "tests/fixtures/programs/k8s-istio-yaml/__main__.py"
    assert source[redis["line"] - 1].startswith("k8s.helm.v4.Chart(")
    assert source[nginx["line"] - 1].startswith("k8s.helm.v3.Chart(")
    assert any("Helm chart 'redis'" in w and "not judged" in w for w in warnings)
    assert any(w.startswith("Helm release 'istio-base'") for w in warnings)
    assert any(w.startswith("Helm chart 'ingress-nginx' (chart ingress-nginx 4.11.3 from https://") for w in warnings)
    assert any(w.startswith("2 of the 14 declared resources could not be opened offline") for w in warnings)


def test_kubernetes_only_program_with_pack_defaults_reports_addon_rules_as_advice() -> None:
    code, document, _ = check_json("k8s-istio-yaml")
    assert code == cli.EXIT_OK
    assert findings(document, "mandatory") == set()
    assert ("stack-istio-addon-target-declared", "mesh-storefront/metrics") in findings(document, "advisory")


def test_the_programs_own_error_is_its_traceback_labelled_as_its_own() -> None:
    code, out, err = run_cli("check", "--program", str(PROGRAMS / "failing"))
    assert code == cli.EXIT_INVALID_CONFIG and out == ""
    assert "an error in the program, not in aks-istio; nothing was judged" in err
    assert 'pools.py", line 5, in pool_counts' in err and err.rstrip().endswith("KeyError: 'count'")
    assert "program_harness" not in err and "aks_istio" not in err


def test_an_esc_import_without_answers_stops_the_check_and_says_how_to_answer() -> None:
    code, _, err = run_cli("check", "--program", str(PROGRAMS / "shared-network"))
    assert code == cli.EXIT_INVALID_CONFIG
    assert "imports ESC environment(s) acme/aks-prod" in err and "--answers FILE" in err


@pytest.mark.parametrize(
    ("answers", "named"),
    [
        ("environments: {acme/aks-prod: {checkout-aks:kubernetesVersion: '1.35'}}", "stack reference 'acme/platform-"),
        (
            "environments: {acme/aks-prod: {checkout-aks:kubernetesVersion: '1.35'}}\n"
            "stackReferences: {acme/platform-network/prod: {resourceGroupName: rg, vnetName: hub}}",
            "provider function azure-native:network:getSubnet",
        ),
    ],
)
def test_a_call_the_mocks_cannot_answer_is_named_exit_2(answers: str, named: str, tmp_path: Path) -> None:
    file = tmp_path / "answers.yaml"
    file.write_text(answers)
    code, out, err = run_cli("check", "--program", str(PROGRAMS / "shared-network"), "--answers", str(file))
    assert code == cli.EXIT_INVALID_CONFIG, out
    assert named in err and "docs/policy.md#answers-file" in err


def test_the_answers_file_supplies_stack_references_calls_and_esc_config() -> None:
    answers = PROGRAMS / "shared-network" / "answers.yaml"
    code, document, _ = check_json("shared-network", "--answers", str(answers))
    assert code == cli.EXIT_VIOLATION
    assert findings(document, "mandatory") == {("managedcluster-no-osm-with-istio", "checkout")}
    assert levelled(document) == pack_over_grpc("shared-network", answers=answers)


def test_the_program_runs_in_its_own_virtualenv(tmp_path: Path) -> None:
    program = tmp_path / "team"
    shutil.copytree(PROGRAMS / "native-aks-addon", program)
    (program / "Pulumi.yaml").write_text(
        (PROGRAMS / "native-aks-addon" / "Pulumi.yaml")
        .read_text()
        .replace("runtime:\n  name: python\n", "runtime:\n  name: python\n  options:\n    virtualenv: venv\n")
    )
    os.symlink(sys.prefix, program / "venv")  # this interpreter's environment, under the program's name for it
    code, out, _ = run_cli("check", "--program", str(program))
    assert code == cli.EXIT_VIOLATION
    assert f"python {program / 'venv' / 'bin' / 'python'}" in out
    missing = tmp_path / "other"
    shutil.copytree(PROGRAMS / "native-aks-addon", missing)
    shutil.copy(program / "Pulumi.yaml", missing / "Pulumi.yaml")
    code, _, err = run_cli("check", "--program", str(missing))
    assert code == cli.EXIT_INVALID_CONFIG and "runtime.options.virtualenv 'venv' has no interpreter" in err


def old_pulumi(site: Path) -> None:
    """A pulumi from before source positions: its RegisterResourceRequest has no `sourcePosition`."""
    proto = site / "pulumi" / "runtime" / "proto"
    proto.mkdir(parents=True)
    (site / "pulumi" / "__init__.py").write_text("class RunError(Exception):\n    pass\n")
    (site / "pulumi" / "runtime" / "__init__.py").write_text("")
    (proto / "__init__.py").write_text("")
    (proto / "resource_pb2.py").write_text(
        "class _Descriptor:\n    fields_by_name = {'type': None, 'name': None, 'object': None}\n\n\n"
        "class RegisterResourceRequest:\n    DESCRIPTOR = _Descriptor()\n"
    )
    (site / "pulumi-3.50.0.dist-info").mkdir()
    (site / "pulumi-3.50.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: pulumi\nVersion: 3.50.0\n")


def test_a_pulumi_too_old_to_say_where_resources_are_declared_is_refused(tmp_path: Path) -> None:
    import venv

    program = tmp_path / "team"
    shutil.copytree(PROGRAMS / "failing", program)
    venv.create(program / "venv", with_pip=False)
    (site,) = (program / "venv" / "lib").glob("python3*/site-packages")
    old_pulumi(site)
    (program / "Pulumi.yaml").write_text("name: old\nruntime:\n  name: python\n  options:\n    virtualenv: venv\n")
    code, _, err = run_cli("check", "--program", str(program))
    assert code == cli.EXIT_INVALID_CONFIG
    assert "pulumi 3.50.0 does not report where each resource is declared" in err


def test_bad_project_stack_and_config_files_exit_2_without_running_anything(tmp_path: Path) -> None:
    code, _, err = run_cli("check", "--program", str(tmp_path))
    assert code == cli.EXIT_INVALID_CONFIG and "no Pulumi.yaml here" in err
    code, _, err = run_cli("check", "--program", str(PROGRAMS / "native-aks-addon"), "--stack", "prod")
    assert code == cli.EXIT_INVALID_CONFIG and "the project's stacks: dev" in err
    bad = tmp_path / "config.json"
    bad.write_text("{not json")
    code, _, err = run_cli("check", "--program", str(PROGRAMS / "native-aks-addon"), "--policy-config", str(bad))
    assert code == cli.EXIT_INVALID_CONFIG and "not valid JSON" in err
    code, _, err = run_cli("check", "--stack", "dev", "--answers", str(bad))
    assert code == cli.EXIT_INVALID_CONFIG and "go with --program" in err


def test_existing_resources_read_with_get_are_not_judged(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: pools\nruntime: python\n")
    cluster_id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/shared"
    (tmp_path / "__main__.py").write_text(
        "from pulumi_azure_native import containerservice\n"
        f"shared = containerservice.ManagedCluster.get('shared', id={cluster_id!r})\n"
        "containerservice.AgentPool('apps', resource_group_name='rg', resource_name_=shared.name,"
        " agent_pool_name='apps', vm_size='Standard_D4ds_v5', os_type='Linux', count=2)\n"
    )
    code, out, _ = run_cli("check", "--program", str(tmp_path), "--json")
    document = json.loads(out)
    assert code == cli.EXIT_OK
    assert {v["resource"] for v in document["policy"]["violations"]} == {"apps"}


def test_the_policy_config_levels_are_the_ones_the_analyzer_protocol_has() -> None:
    # A policy config is checked before the program runs, without the Pulumi SDK the protocol's module needs.
    from aks_istio.offline.analyzer_client import LEVELS
    from aks_istio.offline.program_check import ENFORCEMENT_LEVELS

    assert set(ENFORCEMENT_LEVELS) == set(LEVELS)
