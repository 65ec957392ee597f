"""Stack policies: rules that need several resources, driven through AnalyzeStack."""

from __future__ import annotations

from typing import Any

from tests.policy.conftest import Pack
from tests.policy.fixtures import (
    AGENT_POOL,
    CLUSTER,
    DCRA,
    GATEWAY,
    GATEWAY_PATCH,
    MANAGED_CLUSTER,
    NAMESPACE,
    NAMESPACE_PROPS,
    PEER_AUTHENTICATION,
    POOL,
    SERVICE_PATCH,
    SGC,
    STRICT,
    UNKNOWN,
    mutate,
)

DCRA_PROPS = {"resourceUri": UNKNOWN, "dataCollectionRuleId": UNKNOWN, "associationName": "dcra"}
GOOD_STACK: list[tuple[str, str, dict[str, Any]]] = [
    (MANAGED_CLUSTER, "aks", CLUSTER),
    (AGENT_POOL, "apps", POOL),
    (NAMESPACE, "ns", NAMESPACE_PROPS),
    (PEER_AUTHENTICATION, "strict", STRICT),
    (DCRA, "dcra", DCRA_PROPS),
]
DEPENDS = {"apps": ["aks"], "dcra": ["aks"]}


def _policies(found: list[tuple[str, str, str]]) -> set[str]:
    return {p for p, _, _ in found}


def _replace(name: str, props: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(t, n, props if n == name else p) for t, n, p in GOOD_STACK]


def test_compliant_stack_passes_clean(pack: Pack) -> None:
    assert pack.analyze_stack(GOOD_STACK, depends=DEPENDS) == []


def test_windows_agent_pool_rejected_when_istio_enabled(pack: Pack) -> None:
    found = pack.analyze_stack(_replace("apps", {**POOL, "osType": "Windows"}), depends=DEPENDS)
    assert ("agentpool-no-windows-with-istio", "apps") in {(p, n) for p, n, _ in found}
    assert any("separate cluster without the mesh" in m for _, _, m in found)


def test_windows_agent_pool_allowed_on_a_cluster_without_the_mesh(pack: Pack) -> None:
    no_mesh = mutate(CLUSTER, "serviceMeshProfile", {"mode": "Disabled"})
    stack = [(MANAGED_CLUSTER, "aks", no_mesh), (AGENT_POOL, "apps", {**POOL, "osType": "Windows"})]
    assert "agentpool-no-windows-with-istio" not in _policies(pack.analyze_stack(stack, depends=DEPENDS))


def test_namespace_on_a_revision_the_cluster_does_not_run_rejected(pack: Pack) -> None:
    stale = mutate(NAMESPACE_PROPS, "metadata.labels", {"istio.io/rev": "asm-1-28"})
    found = pack.analyze_stack(_replace("ns", stale), depends=DEPENDS)
    assert any(p == "namespace-revision-runs-on-cluster" and "asm-1-30" in m for p, _, m in found)


def test_revision_tag_is_allowed_when_configured(pack: Pack) -> None:
    tagged = mutate(NAMESPACE_PROPS, "metadata.labels", {"istio.io/rev": "prod-stable"})
    config = {"namespace-revision-runs-on-cluster": {"revisionTags": ["prod-stable"]}}
    assert pack.analyze_stack(_replace("ns", tagged), config, depends=DEPENDS) == []


def test_mesh_without_strict_mtls_rejected(pack: Pack) -> None:
    stack = [r for r in GOOD_STACK if r[1] != "strict"]
    found = pack.analyze_stack(stack, depends=DEPENDS)
    assert any(p == "peerauthentication-mesh-wide-strict" and "aks-istio-system" in m for p, _, m in found)


def test_prometheus_without_dcr_association_rejected(pack: Pack) -> None:
    stack = [r for r in GOOD_STACK if r[1] != "dcra"]
    found = pack.analyze_stack(stack, depends=DEPENDS)
    assert any(
        p == "managedcluster-prometheus-has-dcr-association" and "DataCollectionRuleAssociation" in m
        for p, _, m in found
    )


def test_external_gateway_without_source_limits_rejected_and_fixed_by_a_patch(pack: Pack) -> None:
    external = mutate(
        CLUSTER, "serviceMeshProfile.istio.components.ingressGateways", [{"mode": "External", "enabled": True}]
    )
    open_stack = _replace("aks", external)
    assert "ingressgateway-external-source-restricted" in _policies(pack.analyze_stack(open_stack, depends=DEPENDS))
    limited = [*open_stack, (SERVICE_PATCH, "ext", GATEWAY_PATCH)]
    assert pack.analyze_stack(limited, depends=DEPENDS) == []


def test_istio_gateway_without_managed_gateway_api_rejected(pack: Pack) -> None:
    gateway = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": {"name": "web"},
        "spec": {"gatewayClassName": "istio"},
    }
    found = pack.analyze_stack([*GOOD_STACK, (GATEWAY, "web", gateway)], depends=DEPENDS)
    assert any(p == "gateway-istio-class-requires-managed-gateway-api" and "Standard" in m for p, _, m in found)
    enabled = _replace("aks", mutate(CLUSTER, "ingressProfile.gatewayAPI.installation", "Standard"))
    assert pack.analyze_stack([*enabled, (GATEWAY, "web", gateway)], depends=DEPENDS) == []


def test_egress_gateway_needs_a_gateway_pool_and_its_configuration(pack: Pack) -> None:
    egress = mutate(
        mutate(
            CLUSTER,
            "serviceMeshProfile.istio.components.egressGateways",
            [{"enabled": True, "name": "egress", "gatewayConfigurationName": "sgc"}],
        ),
        "networkProfile.staticEgressGatewayProfile",
        {"enabled": True},
    )
    found = pack.analyze_stack(_replace("aks", egress), depends=DEPENDS)
    assert {
        m.splitlines()[-1].split(";")[0] for p, _, m in found if p == "managedcluster-egress-gateway-resources"
    } == {
        "egress gateways are enabled but no node pool has mode 'Gateway'",
        "egress gateway 'egress' references StaticGatewayConfiguration 'sgc' in namespace 'aks-istio-egress', "
        "which this program does not declare",
    }
    sgc = {
        "apiVersion": "egressgateway.kubernetes.azure.com/v1alpha1",
        "kind": "StaticGatewayConfiguration",
        "metadata": {"name": "sgc", "namespace": "aks-istio-egress"},
        "spec": {"gatewayNodepoolName": "gw"},
    }
    complete = [*_replace("aks", egress), (AGENT_POOL, "gw", {**POOL, "mode": "Gateway"}), (SGC, "sgc", sgc)]
    assert pack.analyze_stack(complete, depends={**DEPENDS, "gw": ["aks"]}) == []


def test_every_stack_policy_is_exercised(pack: Pack) -> None:
    exercised = {
        "agentpool-no-windows-with-istio",
        "namespace-revision-runs-on-cluster",
        "peerauthentication-mesh-wide-strict",
        "managedcluster-prometheus-has-dcr-association",
        "ingressgateway-external-source-restricted",
        "gateway-istio-class-requires-managed-gateway-api",
        "managedcluster-egress-gateway-resources",
    }
    assert {p.name for p in pack.policies if p.stack} == exercised
