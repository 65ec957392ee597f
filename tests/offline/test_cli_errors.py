"""Bad input is exit 2 with the file, the line, the key and what is allowed; no command prints a traceback."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from aks_istio import cli
from aks_istio.config import ConfigError, load_stack_config
from aks_istio.offline.stack_files import PROJECT_ROOT
from tests.support import merge, raw_platform

DEV = (PROJECT_ROOT / "stacks" / "Pulumi.dev.yaml").read_text()
DEV_KUBERNETES = DEV.split('kubernetesVersion: "', 1)[1].split('"', 1)[0]
"""The dev stack's Kubernetes version (the sample stacks move with the revision catalog)."""


def stack_file(tmp_path: Path, text: str, name: str = "Pulumi.broken.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["check", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_yaml_syntax_error_names_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = DEV.replace("    location: westeurope", "    location: [westeurope")
    path = stack_file(tmp_path, text)
    code, _, err = check(capsys, "--stack", path)
    assert code == cli.EXIT_INVALID_CONFIG
    # Named from its root (here, outside any repository or Pulumi project, its own folder), never absolute.
    assert f"\n  {Path(path).name}:" in err and "not valid YAML" in err and str(tmp_path) not in err


def invalid_at(capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, needle: str) -> str:
    """Check `text` as a stack file: exit 2; returns stderr from `file:line:` of the line holding `needle`."""
    path = stack_file(tmp_path, text)
    code, _, err = check(capsys, "--stack", path)
    assert code == cli.EXIT_INVALID_CONFIG
    where = f"{Path(path).name}:{line_of(text, needle)}:"
    assert where in err
    return err[err.index(where) :]


@pytest.mark.parametrize(
    ("indented", "tabbed"),
    [
        ("    location: westeurope", "\tlocation: westeurope"),
        # A nested key's line opened by a tab: libyaml says only "found character that cannot start any token".
        ("      kubernetesVersion:", "\t  kubernetesVersion:"),
    ],
)
def test_a_tab_gets_a_hint_and_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], indented: str, tabbed: str
) -> None:
    text = DEV.replace(indented, tabbed, 1)
    assert text != DEV
    err = invalid_at(capsys, tmp_path, text, tabbed)
    assert "indent with spaces" in err


def test_an_unquoted_version_says_to_quote_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = DEV.replace(f'kubernetesVersion: "{DEV_KUBERNETES}"', "kubernetesVersion: 1.30")
    err = invalid_at(capsys, tmp_path, text, "kubernetesVersion")
    assert " aks-istio:platform.cluster.kubernetesVersion: 1.3 is a number" in err
    assert "write the value in quotes" in err
    assert "valid string" not in err


def test_field_errors_and_rules_across_fields_are_reported_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The README's example: a bad tier (a field) and a revision that does not run on the cluster's Kubernetes
    # (a rule across cluster and mesh) must both be reported in one run.
    text = DEV.replace("revision: asm-1-30", "revision: asm-1-24").replace(
        "    cluster:\n", "    cluster:\n      tier: Gold\n"
    )
    code, _, err = check(capsys, "--stack", stack_file(tmp_path, text))
    assert code == cli.EXIT_INVALID_CONFIG
    assert "cluster.tier: 'Gold'" in err
    assert f"mesh.revision: 'asm-1-24' does not run on Kubernetes {DEV_KUBERNETES}" in err


def test_problems_are_listed_in_the_files_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Validation finds field errors before the rules across keys; the user reads and fixes the file top down.
    text = DEV.replace("revision: asm-1-30", "revision: asm-1-24").replace(
        "    cluster:\n", "    cluster:\n      tier: Gold\n"
    )
    text = text.replace("    location: westeurope", "    location: westeurope\n    colour: blue")
    code, _, err = check(capsys, "--stack", stack_file(tmp_path, text))
    lines = [int(line.split(":")[1]) for line in err.splitlines() if line.startswith("  Pulumi.broken.yaml:")]
    assert code == cli.EXIT_INVALID_CONFIG
    assert len(lines) >= 4 and lines == sorted(lines), err


def test_a_misspelt_environment_is_one_problem_with_a_suggestion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = DEV.replace("environment: dev", "environment: Prod")
    code, _, err = check(capsys, "--stack", stack_file(tmp_path, text))
    assert code == cli.EXIT_INVALID_CONFIG
    assert "(1 problem)" in err
    assert "did you mean 'prod'?" in err
    assert "required key is missing" not in err


def test_a_name_rule_is_explained_in_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = DEV.replace("location: westeurope", "location: West Europe")
    _, _, err = check(capsys, "--stack", stack_file(tmp_path, text))
    assert "aks-istio:platform.location: 'West Europe'" in err
    assert "an Azure region's name in lowercase" in err
    assert "^[" not in err  # no regular expression


def test_a_bug_is_one_line_and_exit_3(capsys: pytest.CaptureFixture[str]) -> None:
    def broken() -> int:
        raise RuntimeError("boom")

    assert cli.guarded(broken) == cli.EXIT_INTERNAL_ERROR
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error (RuntimeError: boom)" in err and "report it" in err


def test_no_traceback_and_exit_2_from_the_command_on_broken_yaml(tmp_path: Path) -> None:
    path = stack_file(tmp_path, DEV.replace("    location: westeurope", "\tlocation: westeurope"))
    result = subprocess.run(
        [sys.executable, "-m", "aks_istio", "preview", "--stack", path], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == cli.EXIT_INVALID_CONFIG
    assert "Traceback" not in result.stderr and f"{Path(path).name}:5:" in result.stderr


def test_a_closed_pipe_ends_quietly() -> None:
    result = subprocess.run(
        f"{sys.executable} -m aks_istio preview --stack dev | head -1",
        shell=True,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.startswith("Stack dev:")
    assert result.stderr == ""


CTRL_C_WHILE_LOADING = """
import sys, types


class Interrupted(types.ModuleType):
    \"\"\"The command's module, as Ctrl-C finds it half loaded.\"\"\"

    def __getattr__(self, name):
        raise KeyboardInterrupt


sys.modules["aks_istio.cli"] = Interrupted("aks_istio.cli")
from aks_istio.__main__ import run

run()
"""


def test_ctrl_c_while_the_commands_modules_load_is_a_quiet_130() -> None:
    # The first tenth of a second of every command loads its modules, before `cli.guarded` can catch Ctrl-C; the
    # entry point (`aks_istio.__main__.run`, the `aks-istio` script's) catches it there too.
    result = subprocess.run([sys.executable, "-c", CTRL_C_WHILE_LOADING], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr) == (130, "")


def test_a_resource_id_rule_shows_the_shape_of_the_id() -> None:
    raw = merge(raw_platform("prod"), {"mesh": {"pluginCa": {"keyVaultId": "kv-mesh-ca-prod"}}})
    with pytest.raises(ConfigError) as caught:
        load_stack_config(raw)
    [problem] = caught.value.problems
    assert problem.endswith("/subscriptions/<...>/resourceGroups/<...>/providers/Microsoft.KeyVault/vaults/<...>")
    assert "[^/]" not in problem


def _subcommands(parser: argparse.ArgumentParser, path: str = "") -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _subcommands(sub, f"{path} {name}".strip())


def test_every_subcommand_and_option_is_described_and_help_lists_the_exit_codes() -> None:
    parser = cli._parser()
    assert parser.prog == "aks-istio"
    found = list(_subcommands(parser))
    assert {"preview", "check", "upgrade-readiness", "revisions show", "policy-bundle"} <= {p for p, _ in found}
    for path, sub in found:
        assert sub.description, f"`aks-istio {path}` has no description"
        assert "exit codes" in sub.format_help(), path
        for action in sub._actions:
            assert action.help, f"`aks-istio {path}` {action.option_strings or action.dest} has no help"


def test_the_exit_code_table_says_which_commands_can_exit_1() -> None:
    """`validate` and `config-schema` never exit 1: the table must not promise 1 for every subcommand."""
    help_text = cli._parser().format_help()
    table = help_text[help_text.index("exit codes") :]
    one = table[table.index("\n  1 ") : table.index("\n  2 ")]
    can_exit_1 = {"preview", "check", "upgrade-readiness"}
    never = {"validate", "upgrade-plan", "revisions", "config-schema", "config-reference", "policy-bundle"}
    exits, _, others = one.partition("(")

    def commands(text: str) -> set[str]:
        return {word.strip(",:();") for word in text.split()} & (can_exit_1 | never)

    assert commands(exits) == can_exit_1, one
    assert commands(others) == never and "never exit 1" in others, one
