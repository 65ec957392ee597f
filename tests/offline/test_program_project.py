"""Another team's project read as the Pulumi CLI reads it: project defaults, stack config, secure values never
decrypted, ESC imports only through the answers file, the stack and interpreter chosen as documented."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from aks_istio.offline.program_project import (
    DEFAULT_STACK,
    SECRET_PLACEHOLDER,
    ProgramInputError,
    load_answers,
    load_project,
)

PROJECT = """name: shop
runtime: {name: python}
stackConfigDir: envs
config:
  replicas: {type: integer, default: 2}
  region: westeurope
"""


def project(tmp_path: Path, stacks: dict[str, str], text: str = PROJECT) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(text)
    (tmp_path / "envs").mkdir()
    for name, body in stacks.items():
        (tmp_path / "envs" / f"Pulumi.{name}.yaml").write_text(body)
    return tmp_path


def test_config_is_project_defaults_then_the_stack_file_with_secure_values_as_secret_placeholders(
    tmp_path: Path,
) -> None:
    stack = (
        "config:\n  shop:region: northeurope\n  azure-native:location: westeurope\n"
        "  shop:db:\n    host: db.internal\n    password: {secure: v1:abc}\n  shop:token: {secure: v1:def}\n"
    )
    loaded = load_project(project(tmp_path, {"prod": stack}), None, {})
    assert loaded.stack == "prod"
    assert loaded.config["shop:replicas"] == "2" and loaded.config["shop:region"] == "northeurope"
    assert loaded.config["azure-native:location"] == "westeurope"
    assert loaded.config["shop:token"] == SECRET_PLACEHOLDER
    assert json.loads(loaded.config["shop:db"]) == {"host": "db.internal", "password": SECRET_PLACEHOLDER}
    assert sorted(loaded.secret_keys) == ["shop:db", "shop:token"]
    assert "v1:" not in json.dumps(loaded.config)
    assert loaded.python == Path(sys.executable)


def test_the_stack_is_the_only_one_or_the_one_named(tmp_path: Path) -> None:
    root = project(tmp_path, {"dev": "config: {}\n", "prod": "config: {}\n"})
    with pytest.raises(ProgramInputError, match=r"several stacks \(dev, prod\): choose one with --stack NAME"):
        load_project(root, None, {})
    assert load_project(root, "prod", {}).stack == "prod"
    with pytest.raises(ProgramInputError, match="no such stack file; the project's stacks: dev, prod"):
        load_project(root, "uat", {})


def test_a_project_without_stack_files_runs_on_its_defaults(tmp_path: Path) -> None:
    loaded = load_project(project(tmp_path, {}), None, {})
    assert (loaded.stack, loaded.stack_file, loaded.config["shop:replicas"]) == (DEFAULT_STACK, None, "2")


def test_esc_imports_need_their_config_in_the_answers_file(tmp_path: Path) -> None:
    root = project(tmp_path, {"prod": "environment: [acme/shop-prod]\nconfig:\n  shop:region: uksouth\n"})
    with pytest.raises(ProgramInputError, match=r"imports ESC environment\(s\) acme/shop-prod"):
        load_project(root, None, {})
    answers = {"environments": {"acme/shop-prod": {"region": "westus", "dbPort": 5432}}}
    loaded = load_project(root, None, answers)
    # The stack file's own value wins over the environment's, as in Pulumi.
    assert loaded.config["shop:region"] == "uksouth" and loaded.config["shop:dbPort"] == "5432"


def test_other_runtimes_and_bad_answers_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ProgramInputError, match="runtime is 'nodejs'"):
        load_project(project(tmp_path, {}, "name: web\nruntime: nodejs\n"), None, {})
    answers = tmp_path / "answers.yaml"
    answers.write_text("calls: {}\nstackRefs: {}\n")
    with pytest.raises(ProgramInputError, match=r"unknown key\(s\) stackRefs; allowed: calls, stackReferences"):
        load_answers(answers)
