"""Issue #19 item 8: `validate` checks stack files alone (no Pulumi SDK, no pack), `config-schema` gives editors the
stack file's JSON Schema, `.pre-commit-hooks.yaml` runs `validate` on the stack files a commit changes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from aks_istio import cli
from aks_istio.offline.config_schema import stack_file_schema
from aks_istio.offline.stack_files import PROJECT_ROOT, available_stacks

DEV = (PROJECT_ROOT / "stacks" / "Pulumi.dev.yaml").read_text()
HOOKS = PROJECT_ROOT / ".pre-commit-hooks.yaml"


def test_validate_reports_every_problem_at_once_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = DEV.replace('kubernetesVersion: "1.35"', 'kubernetesVersion: "1.35"\n      tier: Gold').replace(
        "minCount: 1", "minCount: 9"
    )
    path = tmp_path / "Pulumi.bad.yaml"
    path.write_text(bad)
    assert cli.main(["validate", "--stack", str(path), "--stack", "prod"]) == cli.EXIT_INVALID_CONFIG
    captured = capsys.readouterr()
    lines = bad.splitlines()
    tier = next(i for i, row in enumerate(lines, 1) if "tier: Gold" in row)
    assert f"  Pulumi.bad.yaml:{tier}: aks-istio:platform.cluster.tier: 'Gold' is not valid" in captured.err
    assert "invalid input (2 problems)" in captured.err  # the bad tier and minCount > maxCount, together
    assert "stacks/Pulumi.prod.yaml: stack prod is valid" in captured.out


def test_validate_imports_no_pulumi_sdk_and_no_pack() -> None:
    probe = (
        "import sys\nfrom aks_istio import cli\ncode = cli.main(['validate', '--stack', 'prod'])\n"
        "print(code, sorted({m.split('.')[0] for m in sys.modules} & {'pulumi', 'pulumi_azure_native', "
        "'pulumi_kubernetes', 'pulumi_policy', 'grpc'}))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT)
    assert out.stdout.splitlines()[-1] == "0 []", out.stdout + out.stderr


@pytest.mark.parametrize("stack", available_stacks())
def test_the_schema_accepts_every_sample_stack(stack: str) -> None:
    document = yaml.safe_load((PROJECT_ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())
    jsonschema.validate(document, stack_file_schema())


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"cluster": {"tier": "Gold"}}, ["tier"]),
        ({"cluster": {"kubernetesVersion": "1.35", "userPool": []}}, []),  # an unknown key
        ({"mesh": {"namespaces": [{"name": "apps", "mtls": "OFF"}]}}, ["mtls"]),
    ],
)
def test_the_schema_refuses_what_validation_refuses(change: dict[str, object], where: list[str]) -> None:
    document = yaml.safe_load(DEV)
    platform = document["config"]["aks-istio:platform"]
    for section, values in change.items():
        target = platform.setdefault(section, {})
        target.update(values)
    with pytest.raises(jsonschema.ValidationError) as caught:
        jsonschema.validate(document, stack_file_schema())
    assert all(part in [str(p) for p in caught.value.absolute_path] for part in where)


def test_the_committed_schema_is_the_generated_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["config-schema"]) == cli.EXIT_OK
    generated = json.loads(capsys.readouterr().out)
    committed = json.loads((PROJECT_ROOT / "docs" / "stack-file.schema.json").read_text())
    assert committed == generated, "regenerate: aks-istio config-schema > docs/stack-file.schema.json"


def test_the_pre_commit_hook_runs_validate_on_stack_files_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    [hook] = yaml.safe_load(HOOKS.read_text())
    assert hook["entry"] == "aks-istio validate" and hook["language"] == "python"
    pattern = re.compile(hook["files"])
    assert pattern.search("stacks/Pulumi.dev.yaml") and pattern.search("Pulumi.eu-prod.yml")
    assert not pattern.search("Pulumi.yaml") and not pattern.search("policy/PulumiPolicy.yaml")
    # pre-commit appends the changed files that match to the entry's arguments.
    broken = tmp_path / "Pulumi.broken.yaml"
    broken.write_text(DEV.replace("location: westeurope", "location: West Europe"))
    files = [str(PROJECT_ROOT / "stacks" / "Pulumi.dev.yaml"), str(broken)]
    assert cli.main([*hook["entry"].split()[1:], *files]) == cli.EXIT_INVALID_CONFIG
    assert "Pulumi.broken.yaml:5: aks-istio:platform.location" in capsys.readouterr().err
