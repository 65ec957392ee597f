"""Issue #19 item 6: environments named by the team (`environment` any name, `tier` the preset and rules), and two
stacks of one project never declare the same Azure names (offline/stack_names.py); dev, staging and prod keep theirs."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from aks_istio import cli
from aks_istio.config import ConfigError, StackConfig, Tier, load_stack_config
from aks_istio.config.presets import config_warnings
from aks_istio.offline.stack_files import PROJECT_ROOT
from aks_istio.plan import plan_platform
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


def test_each_file_of_one_validate_is_judged_against_its_siblings_as_they_are_now(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The siblings are read once per process (validate of N files), yet an edited sibling is read again."""
    project = project_with(tmp_path, prod=PROD, qa=PROD)
    monkeypatch.chdir(project / "stacks")
    assert cli.main(["validate", "Pulumi.qa.yaml", "Pulumi.prod.yaml"]) == cli.EXIT_INVALID_CONFIG
    err = capsys.readouterr().err
    assert "stacks/Pulumi.qa.yaml declares (cluster" in err and "stacks/Pulumi.prod.yaml declares (cluster" in err
    renamed = PROD.replace("    cluster:\n", "    cluster:\n      name: aks-istio-prod-eu\n", 1)
    (project / "stacks" / "Pulumi.prod.yaml").write_text(renamed)
    assert cli.main(["validate", "Pulumi.qa.yaml"]) == cli.EXIT_OK, capsys.readouterr().err


def test_an_explicit_name_is_the_key_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dev = yaml.safe_load((PROJECT_ROOT / "stacks" / "Pulumi.dev.yaml").read_text())
    dev["config"]["aks-istio:platform"]["cluster"]["name"] = "shared"
    other = merge(yaml.safe_load(yaml.safe_dump(dev)), {"config": {"aks-istio:platform": {"environment": "staging"}}})
    project = project_with(tmp_path, dev=yaml.safe_dump(dev), qa=yaml.safe_dump(other))
    assert cli.main(["validate", "--stack", str(project / "stacks" / "Pulumi.qa.yaml")]) == cli.EXIT_INVALID_CONFIG
    assert "aks-istio:platform.cluster.name: declares the Azure names stacks/Pulumi.dev.yaml declares" in (
        capsys.readouterr().err
    )


# --- Environments named by the team: `environment` names the stack, `tier` picks the preset and the rules -------
QA = PROD.replace("    environment: prod\n", "    environment: qa\n    tier: prod\n", 1)


def qa_config(**changes: object) -> StackConfig:
    return load_stack_config(merge(merge(raw_platform("prod"), {"environment": "qa", "tier": "prod"}), changes))


def test_a_qa_stack_with_the_prod_tier_gets_prods_presets_and_its_own_names() -> None:
    qa, prod = qa_config(), load_stack_config(raw_platform("prod"))
    assert qa.tier == Tier.PROD and qa.preset_tier == Tier.PROD
    assert (qa.protect, qa.cluster.tier, qa.cluster.system_pool) == (True, "Standard", prod.cluster.system_pool)
    assert (qa.cluster_name, qa.resource_group_name) == ("aks-istio-qa", "rg-aks-istio-qa")
    plan = plan_platform(qa, date(2026, 12, 1))
    assert (plan.environment, plan.tier, plan.tags["environment"]) == ("qa", "prod", "qa")
    assert (plan.grafana_public_network_access, plan.protect) == (False, True)


def test_a_qa_stack_with_the_prod_tier_gets_prods_rules() -> None:
    with pytest.raises(ConfigError) as error:
        qa_config(
            cluster={"tier": "Free", "apiServer": {"privateCluster": False, "authorizedIpRanges": ["0.0.0.0/0"]}},
            mesh={"pluginCa": {"generateDevCa": True, "keyVaultId": None}},
        )
    text = "\n".join(error.value.problems)
    assert "aks-istio:platform.cluster.tier: 'Free' has no uptime SLA; allowed in prod: Standard, Premium" in text
    assert "aks-istio:platform.mesh.pluginCa.generateDevCa: true puts the CA private key in Pulumi state" in text
    assert "aks-istio:platform.cluster.apiServer.authorizedIpRanges: ['0.0.0.0/0'] opens the API server" in text


def test_a_qa_stack_with_the_dev_tier_is_warned_about_an_open_api_server_not_refused() -> None:
    raw = merge(raw_platform("dev"), {"environment": "qa", "tier": "dev"})
    config = load_stack_config(merge(raw, {"cluster": {"apiServer": {"authorizedIpRanges": ["0.0.0.0/0"]}}}))
    assert config.cluster_name == "aks-istio-qa"
    assert len(config_warnings(config)) == 1


def test_an_environment_named_by_the_team_without_a_tier_is_refused_saying_to_set_tier() -> None:
    with pytest.raises(ConfigError) as error:
        load_stack_config(merge(raw_platform("prod"), {"environment": "qa"}))
    assert error.value.problems == [
        "aks-istio:platform.environment: 'qa' is not valid: without tier, allowed: 'dev', 'staging' or 'prod'; for "
        "an environment named by the team, set tier to the preset it takes (dev, staging or prod), e.g. tier: prod"
    ]


@pytest.mark.parametrize(
    ("name", "hint"),
    [("QA", " (did you mean 'qa'?)"), ("eu_prod", ""), ("-qa", ""), ("qa-", ""), ("1qa", ""), ("a" * 21, ""), ("", "")],
)
def test_an_invalid_environment_name_is_refused_naming_the_key_the_value_and_the_form(name: str, hint: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_stack_config(merge(raw_platform("prod"), {"environment": name, "tier": "prod"}))
    assert error.value.problems == [
        f"aks-istio:platform.environment: {name!r} is not valid: does not have the allowed form; allowed: 1-20 "
        f"lowercase letters, digits or '-', starting with a letter and not ending in '-' (e.g. qa, perf, eu-prod){hint}"
    ]


@pytest.mark.parametrize("name", ["qa", "perf", "eu-prod", "a1", "q"])
def test_team_names_are_accepted_with_a_tier(name: str) -> None:
    assert load_stack_config(merge(raw_platform("dev"), {"environment": name, "tier": "dev"})).cluster_name == (
        f"aks-istio-{name}"
    )


def test_an_unknown_tier_is_refused_naming_the_tiers() -> None:
    with pytest.raises(ConfigError) as error:
        load_stack_config(merge(raw_platform("prod"), {"environment": "qa", "tier": "production"}))
    assert error.value.problems == [
        "aks-istio:platform.tier: 'production' is not valid: allowed: 'dev', 'staging' or 'prod'"
    ]


def test_a_qa_copy_of_prod_with_the_prod_tier_passes_check_under_prods_policy_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = project_with(tmp_path, prod=PROD, qa=QA)
    monkeypatch.chdir(project)
    assert cli.main(["validate", "--stack", "qa"]) == cli.EXIT_OK, capsys.readouterr().err
    capsys.readouterr()
    code = cli.main(["check", "--stack", "qa", "--json"])
    document = json.loads(capsys.readouterr().out)
    assert code == cli.EXIT_OK, document
    assert (document["policy"]["environment"], document["policy"]["tier"]) == ("qa", "prod")  # prod's policy config
    names = json.dumps(document)
    assert "aks-istio-qa" in names and "aks-istio-prod" not in names


def test_an_untiered_team_environment_is_reported_beside_missing_keys() -> None:
    with pytest.raises(ConfigError) as error:
        load_stack_config({"environment": "qa"})
    assert "aks-istio:platform.location: required key is missing" in error.value.problems
    assert any(
        p.startswith("aks-istio:platform.environment: 'qa' is not valid: without tier") for p in error.value.problems
    )
