"""Every ManagedCluster and AgentPool payload we send uses ARM's exact field names, enum values and required
fields, judged by the Azure SDK's generated models (the oracle in arm_oracle.py)."""

from __future__ import annotations

import pytest

from tests.components import arm_oracle
from tests.support import AGENT_POOL, MANAGED_CLUSTER, capture_stack


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_managed_cluster_payload_is_what_arm_accepts(env: str) -> None:
    for cluster in capture_stack(env).of_type(MANAGED_CLUSTER):
        assert arm_oracle.managed_cluster_problems(cluster.inputs) == []


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_agent_pool_payloads_are_what_arm_accepts(env: str) -> None:
    pools = capture_stack(env).of_type(AGENT_POOL)
    assert pools
    for pool in pools:
        assert arm_oracle.agent_pool_problems(pool.inputs) == [], pool.name


def test_the_oracle_catches_a_misspelt_field_a_bad_enum_and_a_missing_required_field() -> None:
    payload = {
        "location": "westeurope",
        "kubernetesVersion": "1.34",
        "serviceMeshProfile": {"mode": "Istio", "istio": {"revisons": ["asm-1-30"]}},
        "networkProfile": {"networkPluginMode": "Overlay"},
        "agentPoolProfiles": [{"mode": "System"}],
    }
    found = arm_oracle.managed_cluster_problems(payload)
    assert "properties.serviceMeshProfile.istio.revisons: not a field of IstioServiceMesh" in found
    assert any(p.startswith("properties.networkProfile.networkPluginMode: 'Overlay' not in") for p in found)
    assert (
        "properties.agentPoolProfiles[0]: required field 'name' of ManagedClusterAgentPoolProfile is missing" in found
    )
