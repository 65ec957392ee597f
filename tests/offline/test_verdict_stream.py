"""The streamed verdict (resources sent to the pack while the program runs) says exactly what `check()` says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pytest

from aks_istio import verdict
from aks_istio.analyzer_client import Analyzer, resolve_config
from aks_istio.capture import ProgramError, run_program
from aks_istio.stack_files import stack_config

CLUSTER = "azure-native:containerservice:ManagedCluster"


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


def _clusters_to_fix() -> None:
    """Two clusters the remediating policies rewrite (rotation off, dashboard on), then one they leave alone."""
    for name in ("a", "b"):
        addons = {
            "azureKeyvaultSecretsProvider": {"enabled": True, "config": {"enableSecretRotation": "false"}},
            "kubeDashboard": {"enabled": True},
        }
        pulumi.CustomResource(CLUSTER, name, {"resourceName": name, "addonProfiles": addons})
    pulumi.CustomResource("azure-native:resources:ResourceGroup", "rg", {"resourceGroupName": "rg"})


def test_remediations_stream_like_check(monkeypatch: pytest.MonkeyPatch) -> None:
    document = {
        "all": "advisory",
        "managedcluster-secret-rotation": "remediate",
        "managedcluster-kube-dashboard-disabled": "remediate",
    }

    def remediating(environment: str | None, config_dir: Path = verdict.CONFIG_DIR) -> dict[str, Any]:
        return document

    monkeypatch.setattr(verdict, "policy_config", remediating)
    stream = verdict.stream("dev")
    capture = run_program("dev", {}, _clusters_to_fix, on_register=stream.add)
    streamed = stream.finish()
    checked = verdict.check(capture, "dev")
    assert streamed.violations == checked.violations
    fixes = [(v.resource, v.policy) for v in streamed.violations if v.enforcement == "remediate"]
    assert sorted(fixes) == sorted((name, policy) for name in ("a", "b") for policy in document if policy != "all")
    # Remediation notes come first, then the analysis of the remediated properties (no rotation finding left).
    first_other = next(i for i, v in enumerate(streamed.violations) if v.enforcement != "remediate")
    assert all(v.enforcement == "remediate" for v in streamed.violations[:first_other])
    assert not any(v.policy == "managedcluster-secret-rotation" for v in streamed.violations[first_other:])


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
