"""The machine-readable outputs are a contract: JSON valid against docs/preview-output.schema.json for every
stack and outcome, SARIF that places each finding at its stack key's line, a policy bundle that never deletes
what it did not write, secrets that must be Pulumi secrets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from aks_istio import cli
from aks_istio.config.secrets import plain_text_secret
from aks_istio.offline import policy_bundle
from aks_istio.offline.capture import ProgramError, Unknown, run_program
from aks_istio.offline.render import to_json
from aks_istio.offline.sarif import to_sarif
from aks_istio.offline.stack_files import PROJECT_ROOT, available_stacks
from aks_istio.offline.verdict import Verdict, Violation
from tests.support import merge, raw_platform

SCHEMA = json.loads((PROJECT_ROOT / "docs" / "preview-output.schema.json").read_text())


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = cli.main([*args, "--json"])
    document = json.loads(capsys.readouterr().out)
    jsonschema.validate(document, SCHEMA)
    return code, document


@pytest.mark.parametrize("stack", available_stacks())
def test_every_stack_preview_matches_the_schema_and_the_text_counts(
    stack: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, document = run_json(capsys, "preview", "--stack", stack)
    assert document["exitCode"] == code
    resources = [r for r in document["resources"] if not r["component"]]
    assert document["counts"]["resources"] == len(resources)
    assert document["counts"]["findings"] == len(document["policy"]["violations"])
    cli.main(["preview", "--stack", stack])
    header = capsys.readouterr().out.splitlines()[0]
    assert header == f"Stack {stack}: {len(resources)} resources in {document['counts']['components']} components"


def test_check_and_invalid_input_keep_the_same_top_level_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, checked = run_json(capsys, "check", "--stack", "prod")
    path = tmp_path / "Pulumi.bad.yaml"
    path.write_text(yaml.safe_dump({"config": {"aks-istio:platform": merge(raw_platform("dev"), {"location": 7})}}))
    code, invalid = run_json(capsys, "check", "--stack", str(path))
    assert code == cli.EXIT_INVALID_CONFIG
    assert list(checked) == list(invalid) == SCHEMA["$defs"]["verdict"]["required"]
    assert invalid["counts"]["configErrors"] == len(invalid["configErrors"]) > 0


def test_findings_name_the_stack_key_and_its_line(capsys: pytest.CaptureFixture[str]) -> None:
    _, document = run_json(capsys, "check", "--stack", "prod")
    [finding] = [v for v in document["policy"]["violations"] if v["policy"] == "managedcluster-disk-encryption-set"]
    assert finding["stackKey"] == "aks-istio:platform.cluster.diskEncryptionSetId"
    lines = (PROJECT_ROOT / "stacks" / "Pulumi.prod.yaml").read_text().splitlines()
    assert lines[finding["line"] - 1].strip() == "cluster:"  # unset: placed where it would be written


def test_an_unknown_value_is_not_a_null() -> None:
    assert to_json({"a": Unknown(), "b": None}) == {"a": {"$unknown": True}, "b": None}


def test_sarif_places_findings_at_their_lines_with_a_relative_uri(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "prod.sarif"
    cli.main(["check", "--stack", str(PROJECT_ROOT / "stacks" / "Pulumi.prod.yaml"), "--sarif", str(out)])
    run = json.loads(out.read_text())["runs"][0]
    assert run["automationDetails"]["id"] == "aks-istio/prod/"
    locations = [r["locations"][0]["physicalLocation"] for r in run["results"]]
    assert {loc["artifactLocation"]["uri"] for loc in locations} == {"stacks/Pulumi.prod.yaml"}
    assert all(loc["region"]["startLine"] > 1 for loc in locations)


def test_sarif_fingerprints_survive_a_reworded_message() -> None:
    def fingerprints(message: str) -> list[str]:
        finding = Violation("p", "advisory", message, urn="urn:x", stack_key="cluster.tier", line=4)
        document = to_sarif(Verdict([finding], ran=True), stack_file="s.yaml", stack="s")
        return [r["partialFingerprints"] for r in document["runs"][0]["results"]]

    assert fingerprints("sku.tier is 'Free'") == fingerprints("cluster.tier is Free; use Standard")


def test_two_findings_of_one_rule_on_one_resource_keep_two_fingerprints() -> None:
    findings = [Violation("p", "advisory", message, urn="urn:x") for message in ("field a", "field b")]
    document = to_sarif(Verdict(findings, ran=True), stack_file="s.yaml", stack="s")
    prints = {r["partialFingerprints"]["aksIstioFinding/v2"] for r in document["runs"][0]["results"]}
    assert len(prints) == 2


def test_an_invalid_stack_still_writes_sarif(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (PROJECT_ROOT / "stacks" / "Pulumi.dev.yaml").read_text().replace("tier: Free", "tier: Gold")
    if "tier: Gold" not in text:
        text = text.replace("    cluster:\n", "    cluster:\n      tier: Gold\n", 1)
    stack = tmp_path / "Pulumi.dev.yaml"
    stack.write_text(text)
    out = tmp_path / "dev.sarif"
    assert cli.main(["check", "--stack", str(stack), "--sarif", str(out)]) == cli.EXIT_INVALID_CONFIG
    [result] = json.loads(out.read_text())["runs"][0]["results"]
    assert result["ruleId"] == "stack-config-invalid" and "cluster.tier" in result["message"]["text"]
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "tier: Gold" in row)
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == line


def test_policy_bundle_refuses_a_folder_it_did_not_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    assert cli.main(["policy-bundle", str(tmp_path)]) == cli.EXIT_INVALID_CONFIG
    assert (tmp_path / "keep.txt").read_text() == "mine"
    assert "nothing was changed" in capsys.readouterr().err


def test_policy_bundle_refuses_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    assert cli.main(["policy-bundle", "."]) == cli.EXIT_INVALID_CONFIG
    assert (tmp_path / ".git").is_dir()


def test_policy_bundle_replaces_its_own_earlier_bundle_and_keeps_what_a_team_added(tmp_path: Path) -> None:
    target = tmp_path / "bundle"
    policy_bundle.build(target)
    manifest = json.loads((target / policy_bundle.MANIFEST).read_text())
    assert "PulumiPolicy.yaml" in manifest["files"] and "aks_istio/addon/revisions.json" in manifest["files"]
    # A file an earlier bundle wrote that this one no longer writes (a rule module since removed)...
    (target / "rules" / "retired.py").write_text("left from an older bundle")
    (target / policy_bundle.MANIFEST).write_text(json.dumps({"files": [*manifest["files"], "rules/retired.py"]}))
    # ... and what the team added beside the bundle.
    (target / "README.md").write_text("our notes")
    (target / "config" / "team.json").write_text("{}")
    policy_bundle.build(target)
    assert not (target / "rules" / "retired.py").exists()
    assert (target / "README.md").read_text() == "our notes" and (target / "config" / "team.json").read_text() == "{}"
    assert (target / "PulumiPolicy.yaml").is_file() and (target / policy_bundle.MANIFEST).is_file()


def test_policy_bundle_never_overwrites_a_file_an_earlier_bundle_did_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "bundle"
    policy_bundle.build(target)
    manifest = json.loads((target / policy_bundle.MANIFEST).read_text())
    (target / policy_bundle.MANIFEST).write_text(
        json.dumps({"files": [f for f in manifest["files"] if f != "PulumiPolicy.yaml"]})
    )
    (target / "PulumiPolicy.yaml").write_text("theirs")
    assert cli.main(["policy-bundle", str(target)]) == cli.EXIT_INVALID_CONFIG
    assert "PulumiPolicy.yaml" in capsys.readouterr().err
    assert (target / "PulumiPolicy.yaml").read_text() == "theirs"


def token_stack(tmp_path: Path, token: object | None) -> str:
    platform = merge(
        raw_platform("staging"),
        {"observability": {"grafana": {"serviceAccounts": True, "dashboardsTokenConfigKey": "grafanaToken"}}},
    )
    config: dict[str, Any] = {"aks-istio:platform": platform}
    if token is not None:
        config["aks-istio:grafanaToken"] = token
    path = tmp_path / "Pulumi.staging.yaml"
    path.write_text(yaml.safe_dump({"config": config}))
    return str(path)


def test_a_missing_secret_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["preview", "--stack", token_stack(tmp_path, None)]) == cli.EXIT_INVALID_CONFIG
    captured = capsys.readouterr()
    assert "aks-istio:grafanaToken: required secret is missing" in captured.err
    assert "pulumi config set --secret grafanaToken" in captured.err
    assert "Stack staging" not in captured.out  # nothing declared


def test_a_plain_text_secret_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", "--stack", token_stack(tmp_path, "glsa_plain")]) == cli.EXIT_INVALID_CONFIG
    err = capsys.readouterr().err
    assert "aks-istio:grafanaToken: is plain text" in err and "glsa_plain" not in err


def test_a_secret_in_its_encrypted_form_is_accepted_and_never_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ciphertext = "AAABAFakeCiphertextForTheTest"
    code = cli.main(["preview", "--stack", token_stack(tmp_path, {"secure": ciphertext})])
    out = capsys.readouterr().out
    assert code in (cli.EXIT_OK, cli.EXIT_VIOLATION)
    assert "grafana:oss/dashboard:Dashboard" in out and ciphertext not in out


def test_under_the_engine_a_missing_secret_stops_the_program_before_any_resource() -> None:
    platform = merge(
        raw_platform("staging"),
        {"observability": {"grafana": {"serviceAccounts": True, "dashboardsTokenConfigKey": "grafanaToken"}}},
    )
    with pytest.raises(ProgramError, match="aks-istio:grafanaToken: required secret is missing") as caught:
        run_program("staging", {"aks-istio:platform": platform})
    assert [r.type for r in caught.value.capture.resources if r.custom] == []


def test_under_the_engine_a_plain_text_secret_stops_the_program_with_the_offline_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The engine hands the program its config and the keys `pulumi config set --secret` wrote (none here: the
    token was set in plain text); the program refuses it before any resource, in the offline check's words."""
    platform = merge(
        raw_platform("staging"),
        {"observability": {"grafana": {"serviceAccounts": True, "dashboardsTokenConfigKey": "grafanaToken"}}},
    )
    with pytest.raises(ProgramError) as caught:
        run_program("staging", {"aks-istio:platform": platform, "aks-istio:grafanaToken": "glsa_plain"})
    assert [r.type for r in caught.value.capture.resources if r.custom] == []
    assert plain_text_secret("aks-istio:grafanaToken") in str(caught.value)
    assert cli.main(["check", "--stack", token_stack(tmp_path, "glsa_plain")]) == cli.EXIT_INVALID_CONFIG
    assert plain_text_secret("aks-istio:grafanaToken") in capsys.readouterr().err
    # Handed over as a secret key, the same value is accepted.
    secured = run_program("staging", {"aks-istio:platform": platform, "aks-istio:grafanaToken": {"secure": "v1:x"}})
    assert any(r.type == "grafana:oss/dashboard:Dashboard" for r in secured.resources)


def test_a_plain_text_secret_is_reported_together_with_the_files_other_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every problem at once: a wrong cluster tier beside a plain-text token is not fixed first only to hear of
    the token next; both lines come in one run, the secret at the line holding it."""
    path = Path(token_stack(tmp_path, "glsa_plain"))
    document = yaml.safe_load(path.read_text())
    document["config"]["aks-istio:platform"]["cluster"]["tier"] = "Gold"
    path.write_text(yaml.safe_dump(document))
    code, invalid = run_json(capsys, "check", "--stack", str(path))
    assert code == cli.EXIT_INVALID_CONFIG
    keys = [error["key"] for error in invalid["configErrors"]]
    assert sorted(keys) == ["aks-istio:grafanaToken", "aks-istio:platform.cluster.tier"], keys
    [secret] = [error for error in invalid["configErrors"] if error["key"] == "aks-istio:grafanaToken"]
    assert secret["message"] == plain_text_secret("aks-istio:grafanaToken")
    assert secret["line"] == path.read_text().splitlines().index("  aks-istio:grafanaToken: glsa_plain") + 1
    assert "glsa_plain" not in json.dumps(invalid)


def test_under_the_engine_a_plain_text_secret_is_reported_together_with_other_problems() -> None:
    platform = merge(
        raw_platform("staging"),
        {
            "cluster": {"tier": "Gold"},
            "observability": {"grafana": {"serviceAccounts": True, "dashboardsTokenConfigKey": "grafanaToken"}},
        },
    )
    with pytest.raises(ProgramError) as caught:
        run_program("staging", {"aks-istio:platform": platform, "aks-istio:grafanaToken": "glsa_plain"})
    assert "aks-istio:platform.cluster.tier: " in str(caught.value)
    assert plain_text_secret("aks-istio:grafanaToken") in str(caught.value)
