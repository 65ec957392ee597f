"""Traffic analysis through the pack's Analyzer gRPC interface: every recorded case (tests/policy/traffic_programs.py)
gives exactly its expected traffic findings, at their level, with what to write instead."""

from __future__ import annotations

import pytest
from rules import traffic

from tests.policy.conftest import Pack
from tests.policy.traffic_programs import CASES, Case

TRAFFIC_POLICIES = {p.name for p in traffic.POLICIES} | {"stack-istio-addon-target-declared", "pack-stack-rule-raised"}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_traffic_case_gives_its_recorded_verdict(pack: Pack, case: Case) -> None:
    verdicts = [v for v in pack.program(case.program, case.config) if v.policy in TRAFFIC_POLICIES]
    assert sorted((v.policy, v.resource, v.level) for v in verdicts) == sorted(
        (policy, resource, level) for policy, resource, level, _ in case.expected
    ), [v.message for v in verdicts]
    for policy, resource, _, words in case.expected:
        messages = [v.message for v in verdicts if (v.policy, v.resource) == (policy, resource)]
        assert any(words in m for m in messages), messages


def test_every_traffic_policy_has_a_case_that_trips_it() -> None:
    tripped = {policy for case in CASES.values() for policy, _, _, _ in case.expected}
    assert {p.name for p in traffic.POLICIES} - tripped == set()
