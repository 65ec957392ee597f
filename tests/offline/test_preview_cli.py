"""`aks-istio preview`: every stack renders offline; bad stack files exit 2 and declare nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from aks_istio import cli
from aks_istio.offline.capture import run_program
from aks_istio.offline.render import capture_json, tree
from aks_istio.offline.stack_files import PROJECT_ROOT, available_stacks, stack_config
from tests.support import merge, raw_platform


def test_every_stack_file_is_previewed() -> None:
    assert available_stacks() == ["dev", "prod", "staging"]


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_preview_shows_the_cluster_and_its_mesh(stack: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["preview", "--stack", stack])
    out = capsys.readouterr().out
    assert code in (cli.EXIT_OK, cli.EXIT_VIOLATION)
    assert f"Stack {stack}:" in out
    assert "azure-native:containerservice:ManagedCluster" in out
    assert "serviceMeshProfile.istio.revisions: [asm-1-30]" in out
    assert "kubeconfig: [secret]" in out or "kubeconfig: (known after apply)" in out


def test_json_output_lists_resources_with_their_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    cli.main(["preview", "--stack", "dev", "--json"])
    document = json.loads(capsys.readouterr().out)
    types = {r["type"] for r in document["resources"]}
    assert "azure-native:containerservice:ManagedCluster" in types
    cluster = next(r for r in document["resources"] if r["type"] == "azure-native:containerservice:ManagedCluster")
    assert cluster["inputs"]["serviceMeshProfile"]["mode"] == "Istio"
    assert "policy" in document


def test_secret_values_never_appear_in_the_output(capsys: pytest.CaptureFixture[str]) -> None:
    cli.main(["preview", "--stack", "dev", "--json"])
    out = capsys.readouterr().out
    assert "BEGIN" not in out  # no PEM material, even mock material
    assert "[secret]" in out


def test_invalid_stack_file_exits_2_with_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = merge(raw_platform("dev"), {"cluster": {"tier": "Gold", "kubernetesVersoin": "1.34"}})
    path = tmp_path / "Pulumi.broken.yaml"
    path.write_text(yaml.safe_dump({"config": {"aks-istio:platform": raw}}))
    code = cli.main(["preview", "--stack", str(path)])
    captured = capsys.readouterr()
    assert code == cli.EXIT_INVALID_CONFIG
    assert "aks-istio:platform.cluster.tier: 'Gold'" in captured.err
    assert "aks-istio:platform.cluster.kubernetesVersoin: unknown key" in captured.err
    assert "Stack broken" not in captured.out  # nothing was rendered: nothing was declared


def test_invalid_stack_file_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "Pulumi.broken.yaml"
    path.write_text(yaml.safe_dump({"config": {"aks-istio:platform": {"environment": "qa"}}}))
    assert cli.main(["preview", "--stack", str(path), "--json"]) == cli.EXIT_INVALID_CONFIG
    document = json.loads(capsys.readouterr().out)
    [environment] = [e for e in document["configErrors"] if e["key"] == "aks-istio:platform.environment"]
    assert environment["message"].startswith("aks-istio:platform.environment: 'qa'")
    assert environment["line"] == 3
    assert document["exitCode"] == cli.EXIT_INVALID_CONFIG and document["outcome"] == "invalid-input"


def test_unknown_stack_names_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["preview", "--stack", "qa"]) == cli.EXIT_INVALID_CONFIG
    assert "known stacks: dev, prod, staging" in capsys.readouterr().err


def test_a_missing_stack_path_is_named_as_given(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", "--stack", "drafts/x.yaml"]) == cli.EXIT_INVALID_CONFIG
    err = capsys.readouterr().err
    assert "drafts/x.yaml: no such stack file" in err
    assert "Pulumi.drafts" not in err


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_rendering_twice_gives_identical_output(stack: str) -> None:
    first, second = (run_program(stack, stack_config(stack)) for _ in range(2))
    assert tree(first) == tree(second)
    assert capture_json(first) == capture_json(second)


def test_the_readme_command_works_as_a_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "aks_istio", "preview", "--stack", "dev"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode in (cli.EXIT_OK, cli.EXIT_VIOLATION), result.stderr
    assert "Stack dev:" in result.stdout
    assert "Traceback" not in result.stderr
