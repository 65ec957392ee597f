"""Stack policies: rules that need several resources, driven through AnalyzeStack."""

from __future__ import annotations

from typing import Any

import pytest
from rules import traffic

from tests.policy.conftest import Pack
from tests.policy.fixtures import (
    AGENT_POOL,
    CLUSTER,
    CONFIG_MAP,
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


@pytest.mark.parametrize(
    ("annotation", "value", "open_because"),
    [
        ("service.beta.kubernetes.io/azure-allowed-ip-ranges", "0.0.0.0/0", "the range '0.0.0.0/0'"),
        ("service.beta.kubernetes.io/azure-allowed-service-tags", "Internet", "the service tag 'Internet'"),
        ("service.beta.kubernetes.io/azure-allowed-service-tags", "AzureFrontDoor.Backend", None),
    ],
)
def test_external_gateway_limits_are_judged_as_config_validation_judges_them(
    pack: Pack, annotation: str, value: str, open_because: str | None
) -> None:
    """The same rule as a stack's `gateways.ingress.external` (aks_istio.addon.exposure): a whole-internet range
    or the Internet tag does not limit the gateway; an allowlisted service tag does."""
    external = mutate(
        CLUSTER, "serviceMeshProfile.istio.components.ingressGateways", [{"mode": "External", "enabled": True}]
    )
    patch = mutate(GATEWAY_PATCH, "metadata.annotations", {annotation: value})
    found = pack.analyze_stack([*_replace("aks", external), (SERVICE_PATCH, "ext", patch)], depends=DEPENDS)
    restricted = [m for p, _, m in found if p == "ingressgateway-external-source-restricted"]
    if open_because is None:
        assert restricted == []
    else:
        assert len(restricted) == 1 and open_because in restricted[0], restricted


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


def _gateway_with_parameters(config_map: str) -> dict[str, Any]:
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": {"name": "web", "namespace": "edge"},
        "spec": {
            "gatewayClassName": "istio",
            "infrastructure": {"parametersRef": {"group": "", "kind": "ConfigMap", "name": config_map}},
        },
    }


def _customization(name: str, namespace: str, data: dict[str, str], labels: dict[str, str] | None = None) -> Any:
    return {"metadata": {"name": name, "namespace": namespace, "labels": labels or {}}, "data": data}


BLOCKED_DEPLOYMENT = "spec:\n  template:\n    spec:\n      hostNetwork: true\n"
ALLOWED_DEPLOYMENT = "spec:\n  replicas: 3\n  template:\n    spec:\n      nodeSelector: {pool: edge}\n"
GATEWAY_API_ON = mutate(CLUSTER, "ingressProfile.gatewayAPI.installation", "Standard")


def test_gateway_api_customization_outside_the_allowlist_rejected_on_raw_resources(pack: Pack) -> None:
    base = [*_replace("aks", GATEWAY_API_ON), (GATEWAY, "web", _gateway_with_parameters("web-params"))]
    blocked = _customization(
        "web-params", "edge", {"deployment": BLOCKED_DEPLOYMENT, "service": "spec:\n  ports: []\n"}
    )
    found = pack.analyze_stack([*base, (CONFIG_MAP, "params", blocked)], depends=DEPENDS)
    (finding,) = [f for f in found if f[0] == "gateway-api-customization-allowlisted-fields"]
    assert finding[1] == "params"
    assert "edge/web-params" in finding[2]
    assert "deployment.spec.template.spec.hostNetwork is blocked" in finding[2]
    assert "service.spec.ports is blocked" in finding[2]

    allowed = _customization("web-params", "edge", {"deployment": ALLOWED_DEPLOYMENT})
    assert pack.analyze_stack([*base, (CONFIG_MAP, "params", allowed)], depends=DEPENDS) == []


def test_only_configmaps_aks_reads_as_gateway_customization_are_judged(pack: Pack) -> None:
    stack = [*_replace("aks", GATEWAY_API_ON), (GATEWAY, "web", _gateway_with_parameters("web-params"))]
    # Same name, another namespace than the Gateway's: not its parameters. An app ConfigMap with a "deployment" key.
    elsewhere = _customization("web-params", "apps", {"deployment": BLOCKED_DEPLOYMENT})
    unrelated = _customization("settings", "edge", {"deployment": "anything: goes\n"})
    assert pack.analyze_stack([*stack, (CONFIG_MAP, "a", elsewhere), (CONFIG_MAP, "b", unrelated)]) == []


def test_class_level_defaults_are_held_to_the_allowlist_too(pack: Pack) -> None:
    hpa = "spec:\n  minReplicas: 1\n"
    by_label = _customization(
        "mine", "aks-istio-system", {"horizontalPodAutoscaler": hpa}, {"gateway.istio.io/defaults-for-class": "istio"}
    )
    by_name = _customization("istio-gateway-class-defaults", "aks-istio-system", {"podDisruptionBudget": "oops: [\n"})
    found = pack.analyze_stack(
        [*GOOD_STACK, (CONFIG_MAP, "label", by_label), (CONFIG_MAP, "name", by_name)], depends=DEPENDS
    )
    messages = {
        name: message for policy, name, message in found if policy == "gateway-api-customization-allowlisted-fields"
    }
    assert "horizontalPodAutoscaler.spec.minReplicas 1 is below 2" in messages["label"]
    assert "data.podDisruptionBudget is not YAML" in messages["name"]


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
        "gateway-api-customization-allowlisted-fields",
        # tests/policy/test_addon_target.py and test_fail_closed.py
        "istio-no-blocked-custom-resources",
        "envoyfilter-supported-types-only",
        "istio-no-self-managed-install",
        "namespace-no-istio-injection-label",
        "stack-istio-addon-target-declared",
        "pack-stack-rule-raised",
        "pack-settings",
    }
    # The traffic analysis: tests/policy/test_traffic.py trips each check of each of its policies.
    exercised |= {p.name for p in traffic.POLICIES}
    assert {p.name for p in pack.policies if p.stack} == exercised
