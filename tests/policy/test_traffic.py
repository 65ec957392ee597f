"""Traffic analysis through the pack's Analyzer gRPC interface: every recorded case (tests/policy/traffic_programs.py)
gives exactly its expected traffic findings, at their level, with what to write instead."""

from __future__ import annotations

import re

import pytest
from pulumi_policy import EnforcementLevel
from rules import traffic

from aks_istio.offline.verdict import PACK_DIR
from tests.components.gateways.app_ingress_cases import VARIANTS, declare
from tests.policy.conftest import Pack, Verdict, mandatory
from tests.policy.test_app_ingress_pack import EXTRAS, PROD, plain
from tests.policy.traffic_programs import CASES, SECURE_INGRESS, UPSTREAM, Case, gateway, replaced

GROUPS = {p.name for p in traffic.POLICIES}
REPORTERS = {"stack-istio-addon-target-declared", "pack-stack-rule-raised"}
CHECK = re.compile(r"\[([a-z0-9-]+)\] ")


def check_of(verdict: Verdict) -> str:
    """The check a traffic finding comes from (its message starts with `[check-name]`); other policies' own name."""
    if verdict.policy not in GROUPS:
        return verdict.policy
    found = CHECK.search(verdict.message)
    assert found, verdict.message
    return found.group(1)


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_traffic_case_gives_its_recorded_verdict(pack: Pack, case: Case) -> None:
    verdicts = [v for v in pack.program(case.program, case.config) if v.policy in GROUPS | REPORTERS]
    assert sorted((check_of(v), v.resource, v.level) for v in verdicts) == sorted(
        (check, resource, level) for check, resource, level, _ in case.expected
    ), [v.message for v in verdicts]
    for check, resource, _, words in case.expected:
        messages = [v.message for v in verdicts if (check_of(v), v.resource) == (check, resource)]
        assert any(words in m for m in messages), messages


def test_every_check_has_a_case_that_trips_it() -> None:
    tripped = {check for case in CASES.values() for check, _, _, _ in case.expected}
    assert {c.name for c in traffic.CHECKS} - tripped == set()
    assert sorted(c.name for c in traffic.CHECKS) == sorted(
        name for policy in traffic.POLICIES for name in policy.config_schema.properties["skipChecks"]["items"]["enum"]
    )  # every check runs in exactly one policy


def test_a_team_turns_one_check_off_with_skip_checks(pack: Pack) -> None:
    program = replaced(SECURE_INGRESS, "shop", gateway(selector=UPSTREAM))
    assert any(v.policy == "gateway-serves-traffic" for v in pack.program(program))
    config = {"gateway-serves-traffic": {"skipChecks": ["gateway-selector-matches-workload"]}}
    assert [v for v in pack.program(program, config) if v.policy == "gateway-serves-traffic"] == []


def test_a_traffic_policys_own_cluster_runs_istio_addon_overrides_the_pack_wide_one(pack: Pack) -> None:
    """A Kubernetes-only program (no cluster to decide): the policy's own setting wins over pack-settings'."""
    program = replaced(replaced(SECURE_INGRESS, "aks", None), "shop", gateway(selector=UPSTREAM))
    detected = [(v.policy, v.level) for v in pack.program(program) if "gateway-selector" in v.message]
    assert detected == [("stack-istio-addon-target-declared", "advisory")]  # pack-wide detect
    own_yes = {"gateway-serves-traffic": {"clusterRunsIstioAddon": "yes"}}
    assert mandatory(pack.program(program, own_yes)) == [("gateway-serves-traffic", "shop")]
    own_no = {
        "pack-settings": {"clusterRunsIstioAddon": "yes"},
        "gateway-serves-traffic": {"clusterRunsIstioAddon": "no"},
    }
    assert not any("gateway-selector" in v.message for v in pack.program(program, own_no))


ADD_ON = {
    "pack-settings": {
        "clusterRunsIstioAddon": "yes",
        "addonIngressGateways": ["External", "Internal"],
        "addonRevisions": ["asm-1-27"],
        "keyVaultSecretsProvider": True,
    }
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_app_ingress_passes_the_traffic_analysis_on_an_add_on_cluster(pack: Pack, variant: str) -> None:
    """What AppIngress declares, judged as on a cluster that runs the add-on with both gateways and the Key Vault
    secrets provider: nothing mandatory, and only the advisory note that the backend Service is not in the program
    (the app's own program declares it)."""
    capture = declare(**VARIANTS[variant], **EXTRAS[variant])
    resources = [(r.type, r.name, plain(r.inputs)) for r in capture.resources if r.custom]
    verdicts = pack.program(resources, config={**PROD, **ADD_ON})
    assert mandatory(verdicts) == []
    traffic_checks = {check_of(v) for v in verdicts if v.policy in GROUPS | REPORTERS}
    assert traffic_checks <= {"virtualservice-references-declared"}, [v.message for v in verdicts]


def test_the_policy_reference_lists_every_check_under_its_policy_and_level() -> None:
    """docs/policy.md's traffic table (check, policy, level) is the pack's, so the reference never drifts."""
    reference = (PACK_DIR.parent / "docs" / "policy.md").read_text()
    rows = set(re.findall(r"\| `([a-z0-9-]+)` \| `([a-z0-9-]+)` \| (mandatory|advisory) \|$", reference, re.MULTILINE))
    expected = {
        (check, policy.name, "advisory" if policy.enforcement_level == EnforcementLevel.ADVISORY else "mandatory")
        for policy in traffic.POLICIES
        for check in policy.config_schema.properties["skipChecks"]["items"]["enum"]
    }
    assert rows == expected
