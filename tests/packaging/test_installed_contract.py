"""Issue #19: the installed `aks-istio` command keeps its contract wherever it runs. Every test runs the console
script of the wheel installed in a fresh virtualenv (conftest.py), from a folder other than the repository root."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from aks_istio.offline.stack_files import PROJECT_ROOT
from tests.packaging.conftest import Installed

SCHEMA = json.loads((PROJECT_ROOT / "docs" / "preview-output.schema.json").read_text())
DEV = (PROJECT_ROOT / "stacks" / "Pulumi.dev.yaml").read_text()
STAGING = (PROJECT_ROOT / "stacks" / "Pulumi.staging.yaml").read_text()


def repository(root: Path, stacks: dict[str, str], *, git: bool = True) -> Path:
    """A team's repository: `stacks/Pulumi.<name>.yaml` files, a Pulumi project at its root, a `.git` folder."""
    (root / "stacks").mkdir(parents=True)
    (root / "Pulumi.yaml").write_text("name: payments\nruntime: python\nstackConfigDir: stacks\n")
    if git:
        (root / ".git").mkdir()
    for name, text in stacks.items():
        (root / "stacks" / f"Pulumi.{name}.yaml").write_text(text)
    return root


def own_names(text: str, cluster: str) -> str:
    """A stack file's text with a cluster name of its own (every other Azure name derives from it)."""
    named = text.replace("    cluster:\n", f"    cluster:\n      name: {cluster}\n", 1)
    assert named != text
    return named


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


def as_json(result: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(result.stdout)
    jsonschema.validate(document, SCHEMA)
    return document


# --- 1. Paths relative to the repository root, from any folder --------------------------------------------------
def test_sarif_json_and_text_name_the_stack_file_from_the_repository_root_wherever_the_command_runs(
    installed: Installed, tmp_path: Path
) -> None:
    repo = repository(tmp_path / "repo", {"qa": DEV.replace("environment: dev", "environment: dev  # qa")})
    (tmp_path / "elsewhere").mkdir()
    runs = [
        ("Pulumi.qa.yaml", repo / "stacks"),  # from the stack's own folder
        (str(repo / "stacks" / "Pulumi.qa.yaml"), tmp_path / "elsewhere"),  # a full path, from outside the repo
        ("stacks/Pulumi.qa.yaml", repo),
    ]
    for stack, cwd in runs:
        result = installed.command("check", "--stack", stack, "--sarif", str(tmp_path / "out.sarif"), cwd=cwd)
        assert result.returncode == 0, result.stderr
        run = json.loads((tmp_path / "out.sarif").read_text())["runs"][0]
        locations = {json.dumps(r["locations"][0]["physicalLocation"]["artifactLocation"]) for r in run["results"]}
        assert locations == {json.dumps({"uri": "stacks/Pulumi.qa.yaml", "uriBaseId": "%SRCROOT%"})}, stack
        assert (
            as_json(installed.command("check", "--stack", stack, "--json", cwd=cwd))["file"] == "stacks/Pulumi.qa.yaml"
        )


def test_a_yaml_error_names_the_file_from_the_repository_root_never_absolute(
    installed: Installed, tmp_path: Path
) -> None:
    broken = DEV.replace("    location: westeurope", "\tlocation: westeurope")
    repo = repository(tmp_path / "repo", {"broken": broken}, git=False)  # no git: the Pulumi project's folder
    (tmp_path / "elsewhere").mkdir()
    stack = str(repo / "stacks" / "Pulumi.broken.yaml")
    result = installed.command("check", "--stack", stack, cwd=tmp_path / "elsewhere")
    assert result.returncode == 2
    assert f"\n  stacks/Pulumi.broken.yaml:{line_of(broken, chr(9))}: not valid YAML" in result.stderr
    assert str(tmp_path) not in result.stderr
    document = as_json(installed.command("check", "--stack", stack, "--json", cwd=tmp_path / "elsewhere"))
    assert document["file"] == "stacks/Pulumi.broken.yaml" and document["configErrors"][0]["line"] == 5
    installed.command("check", "--stack", stack, "--sarif", "x.sarif", cwd=tmp_path / "elsewhere")
    run = json.loads((tmp_path / "elsewhere" / "x.sarif").read_text())["runs"][0]
    assert (
        run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "stacks/Pulumi.broken.yaml"
    )


def test_a_sample_stack_is_named_as_the_packages_sample(installed: Installed, user_folder: Path) -> None:
    document = as_json(installed.command("check", "--stack", "dev", "--json", cwd=user_folder))
    assert document["file"] == "aks-istio-sample:stacks/Pulumi.dev.yaml"
    result = installed.command("check", "--stack", "dev", "--sarif", cwd=user_folder)
    run = json.loads(result.stdout)["runs"][0]
    artifact = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "stacks/Pulumi.dev.yaml", "uriBaseId": "AKS_ISTIO_SAMPLES"}
    shipped = Path(run["originalUriBaseIds"]["AKS_ISTIO_SAMPLES"]["uri"].removeprefix("file://"))
    assert (shipped / "stacks" / "Pulumi.dev.yaml").is_file() and shipped.is_relative_to(installed.venv)


# --- 2. JSON warnings: every warning the text shows, at its key and line ----------------------------------------
def test_warnings_are_in_the_json_at_their_key_and_line_as_in_the_text(installed: Installed, tmp_path: Path) -> None:
    newer = DEV.replace("revision: asm-1-30", "revision: asm-1-31")
    repo = repository(tmp_path / "repo", {"qa": newer})
    line = line_of(newer, "revision: asm-1-31")
    text = installed.command("check", "--stack", "qa", cwd=repo / "stacks")
    assert text.returncode == 0, text.stderr
    assert f"warning: stacks/Pulumi.qa.yaml:{line}: mesh revision asm-1-31 is newer than the revision catalog" in (
        text.stderr
    )
    document = as_json(installed.command("check", "--stack", "qa", "--json", cwd=repo / "stacks"))
    [warning] = [w for w in document["warnings"] if "asm-1-31" in w["message"]]
    assert warning["key"] == "aks-istio:platform.mesh.revision" and warning["line"] == line


# --- 3. Every problem at its own line ------------------------------------------------------------------------------
TOKEN_KEY = """      grafana:
        serviceAccounts: true
        dashboardsTokenConfigKey: grafanaToken
        viewers: ["00000000-0000-0000-0000-0000000000a1"]"""


def test_a_plain_text_secret_is_placed_at_the_line_holding_it_a_missing_one_at_the_key_naming_it(
    installed: Installed, tmp_path: Path
) -> None:
    named = STAGING.replace('      grafana:\n        viewers: ["00000000-0000-0000-0000-0000000000a1"]', TOKEN_KEY)
    assert named != STAGING
    plain = named + "  aks-istio:grafanaToken:\n    glsa_plain_text_token\n"
    named = own_names(named, "aks-istio-qa")
    repo = repository(tmp_path / "repo", {"plain": plain, "missing": named})
    (tmp_path / "elsewhere").mkdir()
    result = installed.command(
        "check", "--stack", str(repo / "stacks" / "Pulumi.plain.yaml"), cwd=tmp_path / "elsewhere"
    )
    assert result.returncode == 2
    held = line_of(plain, "glsa_plain_text_token")
    assert f"stacks/Pulumi.plain.yaml:{held}: aks-istio:grafanaToken: is plain text" in result.stderr
    assert "glsa_plain_text_token" not in result.stderr
    document = as_json(installed.command("check", "--stack", "missing", "--json", cwd=repo))
    [error] = document["configErrors"]
    assert error["key"] == "aks-istio:grafanaToken" and "required secret is missing" in error["message"]
    assert error["line"] == line_of(named, "dashboardsTokenConfigKey")


def test_each_bad_annotation_is_placed_at_its_entry_with_the_nearest_allowed_names(
    installed: Installed, tmp_path: Path
) -> None:
    annotated = DEV.replace(
        "        internal:\n          enabled: true",
        "        internal:\n          enabled: true\n          annotations:\n"
        '            service.beta.kubernetes.io/port_8080_no_lb_rule: "true"\n'
        '            service.beta.kubernetes.io/azure-pip-nam: "x"',
    )
    repo = repository(tmp_path / "repo", {"qa": annotated})
    document = as_json(installed.command("check", "--stack", "qa", "--json", cwd=repo / "stacks"))
    lines = {e["key"].rsplit("/", 1)[-1]: e["line"] for e in document["configErrors"]}
    assert lines == {
        "port_8080_no_lb_rule": line_of(annotated, "port_8080_no_lb_rule"),
        "azure-pip-nam": line_of(annotated, "azure-pip-nam"),
    }
    for error in document["configErrors"]:
        assert (
            "the nearest of 26; all of them: https://learn.microsoft.com/azure/aks/istio-deploy-ingress"
            in (error["message"])
        )
        assert "{" not in error["message"]  # never the whole annotations map


# --- 4. policy-bundle keeps what it did not write ------------------------------------------------------------------
def test_policy_bundle_removes_only_what_an_earlier_bundle_wrote(installed: Installed, user_folder: Path) -> None:
    assert installed.command("policy-bundle", "out", cwd=user_folder).returncode == 0
    (user_folder / "out" / "config" / "team.json").write_text('{"all": "mandatory"}')
    (user_folder / "out" / "README.md").write_text("our notes")
    again = installed.command("policy-bundle", "out", cwd=user_folder)
    assert again.returncode == 0, again.stderr
    assert (user_folder / "out" / "config" / "team.json").read_text() == '{"all": "mandatory"}'
    assert (user_folder / "out" / "README.md").read_text() == "our notes"
    manifest = json.loads((user_folder / "out" / ".aks-istio-policy-bundle").read_text())
    assert "PulumiPolicy.yaml" in manifest["files"] and "README.md" not in manifest["files"]


# --- 9. Help fit for a CLI; camelCase JSON of upgrade-readiness and revisions ---------------------------------------
def test_help_names_the_command_and_its_exit_codes(installed: Installed, user_folder: Path) -> None:
    top = installed.command("--help", cwd=user_folder)
    assert top.returncode == 0 and top.stdout.startswith("usage: aks-istio ")
    assert "exit codes" in top.stdout and "\n  2    invalid input" in top.stdout
    readiness = installed.command("upgrade-readiness", "--help", cwd=user_folder).stdout
    assert readiness.startswith("usage: aks-istio upgrade-readiness")
    assert "--subscription SUBSCRIPTION\n                        with --confirm: the Azure subscription" in readiness


@pytest.mark.parametrize("today", ["2026-12-01"])
def test_readiness_and_revisions_json_are_camel_case_and_in_the_schema(
    installed: Installed, user_folder: Path, today: str
) -> None:
    readiness = as_json(
        installed.command(
            "upgrade-readiness", "--stack", "dev", "--kubernetes", "1.36", "--json", "--today", today, cwd=user_folder
        )
    )
    assert readiness["command"] == "upgrade-readiness" and readiness["kubernetesVersion"] == "1.35"
    assert readiness["file"] == "aks-istio-sample:stacks/Pulumi.dev.yaml"
    catalog = as_json(installed.command("revisions", "show", "--json", "--today", today, cwd=user_folder))
    assert catalog["catalog"]["asOf"] and set(catalog["supported"]).isdisjoint(catalog["pastEndOfLife"])
    assert "asm-1-28" in catalog["pastEndOfLife"]


# --- 5. The API server never open to the internet -----------------------------------------------------------------
def test_an_api_server_open_to_everyone_is_refused_in_staging_and_warned_in_dev(
    installed: Installed, tmp_path: Path
) -> None:
    open_dev = DEV.replace('authorizedIpRanges: ["203.0.113.0/24"]', 'authorizedIpRanges: ["0.0.0.0/0"]')
    open_staging = STAGING.replace('authorizedIpRanges: ["203.0.113.0/24"]', 'authorizedIpRanges: ["0.0.0.0/0"]')
    assert "0.0.0.0/0" in open_dev and "0.0.0.0/0" in open_staging
    repo = repository(tmp_path / "repo", {"dev": open_dev, "staging": open_staging})
    refused = installed.command("validate", "--stack", "staging", cwd=repo / "stacks")
    assert refused.returncode == 2
    line = line_of(open_staging, "0.0.0.0/0")
    assert (
        f"stacks/Pulumi.staging.yaml:{line}: aks-istio:platform.cluster.apiServer.authorizedIpRanges: ['0.0.0.0/0'] "
        in (refused.stderr)
    )
    document = as_json(installed.command("check", "--stack", "dev", "--json", cwd=repo / "stacks"))
    [warning] = [w for w in document["warnings"] if "authorizedIpRanges" in str(w["key"])]
    assert warning["line"] == line_of(open_dev, "0.0.0.0/0") and "whole internet" in warning["message"]
    # The pack judges the same range as no restriction (advisory in dev's policy config).
    [finding] = [
        v for v in document["policy"]["violations"] if v["policy"] == "managedcluster-api-authorized-ip-ranges"
    ]
    assert "'0.0.0.0/0' is the whole address space" in finding["message"] and finding["enforcement"] == "advisory"


# --- 6. Environments named by the team; never another stack's names ----------------------------------------------
def test_a_copy_of_prod_is_refused_until_it_has_names_of_its_own(installed: Installed, tmp_path: Path) -> None:
    prod = (PROJECT_ROOT / "stacks" / "Pulumi.prod.yaml").read_text()
    repo = repository(tmp_path / "repo", {"prod": prod, "qa": prod})
    (tmp_path / "elsewhere").mkdir()
    stack = str(repo / "stacks" / "Pulumi.qa.yaml")
    copied = installed.command("check", "--stack", stack, cwd=tmp_path / "elsewhere")
    assert copied.returncode == 2
    assert (
        f"stacks/Pulumi.qa.yaml:{line_of(prod, 'environment: prod')}: aks-istio:platform.environment: " in copied.stderr
    )
    assert "stacks/Pulumi.prod.yaml declares (cluster 'rg-aks-istio-prod/aks-istio-prod'" in copied.stderr
    (repo / "stacks" / "Pulumi.qa.yaml").write_text(own_names(prod, "aks-istio-qa"))
    # `preview`: `check --json` lists no resources, so only the preview can show whose names they carry.
    renamed = as_json(installed.command("preview", "--stack", stack, "--json", cwd=tmp_path / "elsewhere"))
    assert (renamed["policy"]["environment"], renamed["policy"]["tier"]) == ("prod", "prod")  # as its file says
    names = [r["inputs"].get("resourceName") for r in renamed["resources"]]
    assert renamed["exitCode"] == 0 and "aks-istio-qa" in names and "aks-istio-prod" not in names


# --- 7. Under the engine too, a secret in plain text stops the program --------------------------------------------
# The installed library's program run as the engine runs it (under Pulumi's mocks, handed its config and which keys
# are secret), from a folder of the user's: refused before any resource, in the offline check's words.
UNDER_THE_ENGINE = """
import json, sys
from aks_istio.offline.capture import ProgramError, run_program
from aks_istio.offline.stack_files import stack_config

platform = stack_config("staging")["aks-istio:platform"]
platform["observability"]["grafana"].update(serviceAccounts=True, dashboardsTokenConfigKey="grafanaToken")
token = json.loads(sys.argv[1])
try:
    capture = run_program("staging", {"aks-istio:platform": platform, "aks-istio:grafanaToken": token})
    print(json.dumps({"error": None, "declared": [r.type for r in capture.resources if r.custom]}))
except ProgramError as error:
    print(json.dumps({"error": str(error), "declared": [r.type for r in error.capture.resources if r.custom]}))
"""


def test_under_the_engine_the_installed_program_refuses_a_plain_text_secret_as_the_check_does(
    installed: Installed, user_folder: Path
) -> None:
    python = str(installed.bin / "python")
    plain = json.loads(installed.run(python, "-c", UNDER_THE_ENGINE, '"glsa_plain"', cwd=user_folder).stdout)
    assert plain["declared"] == [] and "aks-istio:grafanaToken: is plain text" in plain["error"]
    assert "glsa_plain" not in plain["error"]
    stack = yaml.safe_load(STAGING)
    stack["config"]["aks-istio:platform"]["observability"]["grafana"].update(
        serviceAccounts=True, dashboardsTokenConfigKey="grafanaToken"
    )
    stack["config"]["aks-istio:grafanaToken"] = "glsa_plain"
    (user_folder / "Pulumi.staging.yaml").write_text(yaml.safe_dump(stack))
    checked = installed.command("check", "--stack", "Pulumi.staging.yaml", cwd=user_folder)
    assert checked.returncode == 2
    [offline] = [line for line in checked.stderr.splitlines() if "aks-istio:grafanaToken: is plain text" in line]
    assert offline.split(": ", 1)[1] in plain["error"]  # the same words, after the file:line
    secured = json.loads(installed.run(python, "-c", UNDER_THE_ENGINE, '{"secure": "v1:x"}', cwd=user_folder).stdout)
    assert secured["error"] is None and "grafana:oss/dashboard:Dashboard" in secured["declared"]


# --- 8. validate, config-schema, the pre-commit hook ----------------------------------------------------------------
def test_validate_checks_the_stack_file_alone_and_config_schema_feeds_editors(
    installed: Installed, tmp_path: Path
) -> None:
    bad = DEV.replace("location: westeurope", "location: West Europe").replace(
        "revision: asm-1-30", "revision: asm-1-3"
    )
    repo = repository(tmp_path / "repo", {"qa": bad, "dev": DEV})
    result = installed.command("validate", "--stack", "qa", "--stack", "dev", cwd=repo / "stacks")
    assert result.returncode == 2
    assert f"stacks/Pulumi.qa.yaml:{line_of(bad, 'location:')}: aks-istio:platform.location" in result.stderr
    assert f"stacks/Pulumi.qa.yaml:{line_of(bad, 'revision:')}: aks-istio:platform.mesh.revision" in result.stderr
    assert "stacks/Pulumi.dev.yaml: stack dev is valid" in result.stdout
    schema = installed.command("config-schema", cwd=tmp_path)
    assert schema.returncode == 0
    jsonschema.validate(yaml.safe_load(DEV), json.loads(schema.stdout))
    with pytest.raises(jsonschema.ValidationError, match="'locaton' was unexpected"):
        jsonschema.validate(yaml.safe_load(DEV.replace("location:", "locaton:")), json.loads(schema.stdout))


def test_validate_json_is_checks_contract_one_document_per_file_with_its_warnings_and_problems(
    installed: Installed, tmp_path: Path
) -> None:
    warned = (
        DEV.replace('authorizedIpRanges: ["203.0.113.0/24"]', 'authorizedIpRanges: ["0.0.0.0/0"]')
        .replace("revision: asm-1-30", "revision: asm-1-31")
        .replace("    environment: dev\n", "    environment: qa\n    tier: dev\n", 1)
    )
    assert warned.count("0.0.0.0/0") == warned.count("asm-1-31") == warned.count("environment: qa") == 1
    bad = own_names(DEV, "aks-istio-bad").replace("location: westeurope", "location: West Europe")
    repo = repository(tmp_path / "repo", {"qa": warned, "bad": bad})
    (tmp_path / "elsewhere").mkdir()
    qa, broken = str(repo / "stacks" / "Pulumi.qa.yaml"), str(repo / "stacks" / "Pulumi.bad.yaml")
    both = installed.command("validate", "--stack", qa, broken, "--json", cwd=tmp_path / "elsewhere")
    assert both.returncode == 2 and both.stderr == ""
    valid, invalid = [json.loads(line) for line in both.stdout.splitlines()]  # one document per file, per line
    for document in (valid, invalid):
        jsonschema.validate(document, SCHEMA)
    assert (valid["command"], valid["file"], valid["exitCode"], valid["outcome"]) == (
        "validate",
        "stacks/Pulumi.qa.yaml",
        0,
        "clean",
    )
    assert (valid["policy"]["ran"], valid["policy"]["environment"], valid["policy"]["tier"]) == (False, "qa", "dev")
    # The warnings `check --json` reports for the same file, at the same keys and lines, from the file alone.
    checked = as_json(installed.command("check", "--stack", qa, "--json", cwd=tmp_path / "elsewhere"))
    assert valid["warnings"] == checked["warnings"]
    assert {w["line"] for w in valid["warnings"]} >= {line_of(warned, "0.0.0.0/0"), line_of(warned, "asm-1-31")}
    assert (invalid["file"], invalid["exitCode"], invalid["outcome"]) == ("stacks/Pulumi.bad.yaml", 2, "invalid-input")
    [error] = invalid["configErrors"]
    assert (error["key"], error["line"]) == ("aks-istio:platform.location", line_of(bad, "location:"))
    assert invalid["counts"]["configErrors"] == 1 and invalid["policy"]["environment"] is None
    # A problem of the file itself (a tab libyaml does not name, no such stack) names no key, and says what to do.
    (repo / "stacks" / "Pulumi.tabbed.yaml").write_text("config:\n  aks-istio:platform:\n\tenvironment: dev\n")
    tabbed = installed.command("validate", "--json", "Pulumi.tabbed.yaml", "--stack", "nosuch", cwd=repo / "stacks")
    assert tabbed.returncode == 2
    missing, yaml_error = [json.loads(line)["configErrors"][0] for line in tabbed.stdout.splitlines()]  # --stack first
    assert (yaml_error["key"], yaml_error["line"], missing["key"]) == (None, 3, None)
    assert "(hint: indent with spaces" in yaml_error["message"] and "no stack of that name" in missing["message"]
    # One file: one plain JSON document, exit 0; its text form shows the same warnings, each at its line.
    alone = installed.command("validate", "--stack", "qa", "--json", cwd=repo / "stacks")
    assert alone.returncode == 0 and json.loads(alone.stdout)["warnings"] == checked["warnings"]
    text = installed.command("validate", "--stack", "qa", cwd=repo / "stacks")
    assert text.returncode == 0 and text.stdout == "stacks/Pulumi.qa.yaml: stack qa is valid\n"
    assert f"warning: stacks/Pulumi.qa.yaml:{line_of(warned, 'asm-1-31')}: mesh revision asm-1-31 is newer" in (
        text.stderr
    )


# --- 9. The command is `aks-istio` in everything it prints --------------------------------------------------------
def test_messages_and_help_name_the_command_aks_istio(installed: Installed, tmp_path: Path) -> None:
    newer = DEV.replace("revision: asm-1-30", "revision: asm-1-31")
    repo = repository(tmp_path / "repo", {"qa": newer, "bad": DEV.replace("location: westeurope", "location: X")})
    stacks = repo / "stacks"
    printed = {
        "validate warning": installed.command("validate", "--stack", "qa", cwd=stacks).stderr,
        "upgrade-plan refusal": installed.command("upgrade-plan", "--stack", "dev", cwd=tmp_path).stderr,
        "upgrade-readiness": installed.command(
            "upgrade-readiness", "--stack", "dev", "--kubernetes", "1.36", "--today", "2026-12-01", cwd=tmp_path
        ).stdout,
        "SARIF of an invalid stack": installed.command("check", "--stack", "bad", "--sarif", cwd=stacks).stdout,
        "config-reference": installed.command("config-reference", cwd=tmp_path).stdout,
    }
    assert "`aks-istio revisions refresh --location <region>`" in printed["validate warning"]
    assert "`aks-istio revisions refresh --location <region>`" in printed["upgrade-plan refusal"]
    assert "(aks-istio preview --stack ...)" in printed["upgrade-readiness"]
    assert "`aks-istio config-reference` lists every key" in printed["SARIF of an invalid stack"]
    assert "Generated by `aks-istio config-reference`" in printed["config-reference"]
    top = installed.command("--help", cwd=tmp_path).stdout
    commands = ["preview", "check", "validate", "config-schema", "config-reference", "policy-bundle", "upgrade-plan"]
    commands += ["upgrade-readiness", "revisions", "fleet"]
    for command in commands:
        printed[f"{command} --help"] = installed.command(command, "--help", cwd=tmp_path).stdout
        assert printed[f"{command} --help"].startswith(f"usage: aks-istio {command}"), command
    for what, text in {"--help": top, **printed}.items():
        assert text and "python -m" not in text and "-m aks_istio" not in text, what


def test_the_pre_commit_hook_entry_validates_the_files_pre_commit_passes(installed: Installed, tmp_path: Path) -> None:
    [hook] = yaml.safe_load((PROJECT_ROOT / ".pre-commit-hooks.yaml").read_text())
    program, *arguments = hook["entry"].split()
    assert program == "aks-istio" and hook["pass_filenames"]
    bad = DEV.replace("location: westeurope", "location: West Europe")
    repo = repository(tmp_path / "repo", {"dev": DEV, "qa": own_names(bad, "aks-istio-qa")})
    changed = ["stacks/Pulumi.dev.yaml", "stacks/Pulumi.qa.yaml"]  # as pre-commit passes them, from the repo root
    result = installed.run(str(installed.bin / program), *arguments, *changed, cwd=repo)
    assert result.returncode == 2 and "stacks/Pulumi.dev.yaml: stack dev is valid" in result.stdout
    assert f"stacks/Pulumi.qa.yaml:{line_of(bad, 'location:')}: aks-istio:platform.location: " in result.stderr


# --- 6. Environments named by the team: `environment` names the stack, `tier` picks the preset ---------------------
def test_a_team_named_environment_takes_its_tiers_preset_and_names_of_its_own(
    installed: Installed, tmp_path: Path
) -> None:
    prod = (PROJECT_ROOT / "stacks" / "Pulumi.prod.yaml").read_text()
    untiered = prod.replace("    environment: prod\n", "    environment: qa\n", 1)
    repo = repository(tmp_path / "repo", {"prod": prod, "qa": untiered})
    (tmp_path / "elsewhere").mkdir()
    stack = str(repo / "stacks" / "Pulumi.qa.yaml")
    refused = installed.command("validate", "--stack", stack, cwd=tmp_path / "elsewhere")
    assert refused.returncode == 2
    assert f"stacks/Pulumi.qa.yaml:{line_of(untiered, 'environment: qa')}: aks-istio:platform.environment: " in (
        refused.stderr
    )
    assert "set tier to the preset it takes" in refused.stderr
    (repo / "stacks" / "Pulumi.qa.yaml").write_text(
        untiered.replace("environment: qa\n", "environment: qa\n    tier: prod\n", 1)
    )
    checked = as_json(installed.command("preview", "--stack", stack, "--json", cwd=tmp_path / "elsewhere"))
    names = [r["inputs"].get("resourceName") for r in checked["resources"]]
    # The JSON names both: the team's environment, and the tier whose preset and policy config it takes.
    assert checked["exitCode"] == 0 and (checked["policy"]["environment"], checked["policy"]["tier"]) == ("qa", "prod")
    assert "aks-istio-qa" in names and "aks-istio-prod" not in names
    text = installed.command("check", "--stack", stack, cwd=tmp_path / "elsewhere")
    assert text.returncode == 0 and ", config: prod):" in text.stdout  # the tier's policy config ran
    validated = as_json(installed.command("validate", "--stack", stack, "--json", cwd=tmp_path / "elsewhere"))
    assert (validated["policy"]["environment"], validated["policy"]["tier"]) == ("qa", "prod")
