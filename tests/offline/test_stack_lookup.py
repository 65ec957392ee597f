"""Which stack file `--stack` reads: a path as given; a name in the current folder's Pulumi project, only outside
any project (or in aks-istio's own) in the package's sample stacks. A file that is not YAML is an input problem
(exit 2, file and line), not a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from aks_istio import cli
from aks_istio.offline.stack_files import PROJECT_ROOT, locate

SAMPLES = PROJECT_ROOT / "stacks"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user's Pulumi project with its own dev stack, the current folder being a subfolder of it."""
    (tmp_path / "Pulumi.yaml").write_text("name: payments\nruntime: python\nstackConfigDir: envs\n")
    (tmp_path / "envs").mkdir()
    (tmp_path / "envs" / "Pulumi.dev.yaml").write_text((SAMPLES / "Pulumi.dev.yaml").read_text())
    (tmp_path / "app").mkdir()
    monkeypatch.chdir(tmp_path / "app")
    return tmp_path


def test_a_name_is_read_from_the_current_pulumi_project_first(project: Path) -> None:
    assert locate("dev") == ("dev", project / "envs" / "Pulumi.dev.yaml")


def test_a_name_a_teams_project_lacks_is_refused_never_taken_from_the_sample_stacks(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CI step checking `prod` in a project without it must not pass on the sample prod in its place."""
    assert cli.main(["check", "--stack", "prod", "--json"]) == cli.EXIT_INVALID_CONFIG
    [error] = json.loads(capsys.readouterr().out)["configErrors"]
    assert f"no stack of that name in the Pulumi project {project / 'Pulumi.yaml'}" in error["message"]
    assert f"looked for {project / 'envs' / 'Pulumi.prod.yaml'} (known stacks: dev)" in error["message"]
    assert "--stack path/to/Pulumi.prod.yaml" in error["message"]
    assert str(SAMPLES) not in error["message"]


def test_in_a_copy_of_the_aks_istio_project_a_name_it_lacks_comes_from_the_packages_stacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: aks-istio\nruntime: python\nstackConfigDir: stacks\n")
    (tmp_path / "stacks").mkdir()
    monkeypatch.chdir(tmp_path)
    assert locate("prod") == ("prod", SAMPLES / "Pulumi.prod.yaml")


def test_outside_any_project_names_come_from_the_sample_stacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert locate("staging") == ("staging", SAMPLES / "Pulumi.staging.yaml")


def test_an_unknown_name_says_where_it_looked(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", "--stack", "uat"]) == cli.EXIT_INVALID_CONFIG
    error = capsys.readouterr().err
    assert f"{project / 'envs' / 'Pulumi.uat.yaml'} (known stacks: dev)" in error
    assert str(SAMPLES) not in error  # the project is the user's: only it is searched


def test_outside_any_project_an_unknown_name_says_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", "--stack", "uat"]) == cli.EXIT_INVALID_CONFIG
    assert f"{SAMPLES / 'Pulumi.uat.yaml'} (known stacks: dev, prod, staging)" in capsys.readouterr().err


def test_a_stack_file_not_in_yaml_exits_2_with_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "Pulumi.broken.yaml"
    broken.write_text("config:\n  aks-istio:platform: [unclosed\n")
    assert cli.main(["check", "--stack", str(broken)]) == cli.EXIT_INVALID_CONFIG
    assert "\n  Pulumi.broken.yaml:3: not valid YAML" in capsys.readouterr().err


def test_a_stack_file_whose_config_is_not_a_mapping_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "Pulumi.list.yaml"
    broken.write_text(yaml.safe_dump({"config": ["aks-istio:platform"]}))
    assert cli.main(["preview", "--stack", str(broken)]) == cli.EXIT_INVALID_CONFIG
    assert "`config:` must be a mapping of config keys to values, found list" in capsys.readouterr().err


def test_a_broken_pulumi_yaml_in_the_current_project_exits_2(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "Pulumi.yaml").write_text("name: [payments\n")
    assert cli.main(["check", "--stack", "dev"]) == cli.EXIT_INVALID_CONFIG
    assert "\n  Pulumi.yaml:2: not valid YAML" in capsys.readouterr().err  # relative to the project's folder
