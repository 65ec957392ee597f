"""The streamed verdict (resources sent to the pack while the program runs) says exactly what `check()` says."""

from __future__ import annotations

import pulumi
import pytest

from aks_istio.offline import verdict
from aks_istio.offline.analyzer_client import Analyzer, resolve_config
from aks_istio.offline.capture import ProgramError, run_program
from aks_istio.offline.stack_files import stack_config


def test_streamed_prod_verdict_is_the_checked_one() -> None:
    stream = verdict.stream("prod")
    capture = run_program("prod", stack_config("prod"), on_register=stream.add)
    streamed = stream.finish()
    checked = verdict.check(capture, "prod")
    assert streamed.ran and streamed.environment == "prod"
    assert streamed.violations == checked.violations
    assert streamed.policies == checked.policies
    # Both pipeline their Analyze calls (more resources than IN_FLIGHT here): the order is still one call after
    # the other's, then the stack's.
    assert len(capture.resources) > verdict.IN_FLIGHT
    with verdict.start("prod") as process:
        analyzer = Analyzer(process.stub())
        analyzer.configure(resolve_config(analyzer.info(), verdict.policy_config("prod")))
        resources = [verdict.analyzer_resource(r) for r in capture.resources]
        serial = [d for r in resources for d in analyzer.analyze(r)] + analyzer.analyze_stack(resources)
    assert [(v.policy, v.urn) for v in streamed.violations] == [(d.policyName, d.urn or None) for d in serial]


def test_a_failing_program_stops_the_stream() -> None:
    def broken() -> None:
        pulumi.CustomResource("azure-native:resources:ResourceGroup", "rg", {"resourceGroupName": "rg"})
        raise ValueError("declared half a stack")

    stream = verdict.stream("dev")
    with pytest.raises(ProgramError, match="declared half a stack"):
        try:
            run_program("dev", {}, broken, on_register=stream.add)
        finally:
            stream.close()
