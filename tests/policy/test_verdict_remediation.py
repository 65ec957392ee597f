"""A remediating configuration: the verdict pipelines Remediate calls (as it does Analyze calls), and says exactly
what one call at a time says: the same remediation notes, then the analysis of each remediated resource."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pytest

from aks_istio.offline import verdict
from aks_istio.offline.analyzer_client import Analyzer, Resource, resolve_config
from aks_istio.offline.capture import run_program

CLUSTER = "azure-native:containerservice:ManagedCluster"
DOCUMENT = {
    "all": "advisory",
    "managedcluster-secret-rotation": "remediate",
    "managedcluster-kube-dashboard-disabled": "remediate",
}
CLUSTERS = verdict.IN_FLIGHT + 8  # more than are ever in flight, so calls are collected while others are pending


def _clusters() -> None:
    """Every other cluster needs both fixes (rotation off, dashboard on); the others need none."""
    for i in range(CLUSTERS):
        broken = i % 2 == 0
        addons = {
            "azureKeyvaultSecretsProvider": {
                "enabled": True,
                "config": {"enableSecretRotation": "false" if broken else "true"},
            },
            "kubeDashboard": {"enabled": broken},
        }
        pulumi.CustomResource(CLUSTER, f"c{i:02}", {"resourceName": f"c{i:02}", "addonProfiles": addons})


def test_pipelined_remediation_says_what_one_call_at_a_time_says(monkeypatch: pytest.MonkeyPatch) -> None:
    def remediating(environment: str | None, config_dir: Path = verdict.CONFIG_DIR) -> dict[str, Any]:
        return DOCUMENT

    monkeypatch.setattr(verdict, "policy_config", remediating)
    stream = verdict.stream("dev")
    capture = run_program("dev", {}, _clusters, on_register=stream.add)
    streamed = stream.finish()
    assert streamed.violations == verdict.check(capture, "dev").violations

    # One call at a time, as the engine would: Remediate, apply, Analyze; then the stack.
    with verdict.start("dev") as process:
        analyzer = Analyzer(process.stub())
        analyzer.configure(resolve_config(analyzer.info(), DOCUMENT))
        notes: list[tuple[str, str]] = []
        findings: list[tuple[str, str | None]] = []
        resources: list[Resource] = []
        for captured in capture.resources:
            resource = verdict.analyzer_resource(captured)
            for remediation in analyzer.remediate(resource):
                if remediation.HasField("properties"):
                    resource = Resource(**{**resource.__dict__, "properties": remediation.properties})
                notes.append((resource.name, remediation.policyName))
            resources.append(resource)
            findings += [(d.policyName, d.urn or None) for d in analyzer.analyze(resource)]
        findings += [(d.policyName, d.urn or None) for d in analyzer.analyze_stack(resources)]

    fixes = [(v.resource, v.policy) for v in streamed.violations if v.enforcement == "remediate"]
    assert fixes == notes
    assert len(fixes) == CLUSTERS  # half the clusters, two fixes each
    assert [(v.policy, v.urn) for v in streamed.violations[len(fixes) :]] == findings
    assert not any(
        p in {"managedcluster-secret-rotation", "managedcluster-kube-dashboard-disabled"} for p, _ in findings
    )
