"""Issue #19 item 6 (part): two stacks of one project never declare the same Azure names
(offline/stack_names.py); dev, staging and prod keep theirs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from aks_istio import cli
from aks_istio.config import load_stack_config
from aks_istio.offline.stack_files import PROJECT_ROOT
from tests.support import merge, raw_platform

PROD = (PROJECT_ROOT / "stacks" / "Pulumi.prod.yaml").read_text()


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_dev_staging_and_prod_keep_their_names(stack: str) -> None:
    config = load_stack_config(raw_platform(stack))
    assert config.cluster_name == f"aks-istio-{stack}"


def project_with(tmp_path: Path, **stacks: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: payments\nruntime: python\nstackConfigDir: stacks\n")
    (tmp_path / "stacks").mkdir()
    for name, text in stacks.items():
        (tmp_path / "stacks" / f"Pulumi.{name}.yaml").write_text(text)
    return tmp_path


def test_a_copied_stack_that_keeps_the_others_names_is_refused_naming_both_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = project_with(tmp_path, prod=PROD, qa=PROD)
    monkeypatch.chdir(project)
    assert cli.main(["validate", "--stack", "qa"]) == cli.EXIT_INVALID_CONFIG
    err = capsys.readouterr().err
    line = PROD.splitlines().index("    environment: prod") + 1
    assert f"stacks/Pulumi.qa.yaml:{line}: aks-istio:platform.environment: declares the Azure names " in err
    assert "stacks/Pulumi.prod.yaml declares (cluster 'rg-aks-istio-prod/aks-istio-prod', resource group " in err
    renamed = PROD.replace("    cluster:\n", "    cluster:\n      name: aks-istio-qa\n", 1)
    (project / "stacks" / "Pulumi.qa.yaml").write_text(renamed)
    assert cli.main(["validate", "--stack", "qa"]) == cli.EXIT_OK, capsys.readouterr().err


def test_an_explicit_name_is_the_key_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dev = yaml.safe_load((PROJECT_ROOT / "stacks" / "Pulumi.dev.yaml").read_text())
    dev["config"]["aks-istio:platform"]["cluster"]["name"] = "shared"
    other = merge(yaml.safe_load(yaml.safe_dump(dev)), {"config": {"aks-istio:platform": {"environment": "staging"}}})
    project = project_with(tmp_path, dev=yaml.safe_dump(dev), qa=yaml.safe_dump(other))
    assert cli.main(["validate", "--stack", str(project / "stacks" / "Pulumi.qa.yaml")]) == cli.EXIT_INVALID_CONFIG
    assert "aks-istio:platform.cluster.name: declares the Azure names stacks/Pulumi.dev.yaml declares" in (
        capsys.readouterr().err
    )
