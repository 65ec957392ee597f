"""Gateway config refusals: each names the full key path, the bad value and what is allowed."""

from __future__ import annotations

from typing import Any

import pytest

from aks_istio.addon import support_matrix as sm
from aks_istio.config import ConfigError, load_stack_config
from tests.support import merge, raw_platform

ROOT = "aks-istio:platform.gateways"


def problems_of(stack: str, changes: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_stack_config(merge(raw_platform(stack), changes))
    return caught.value.problems


def ingress(mode: str, **settings: Any) -> dict[str, Any]:
    return {"gateways": {"ingress": {mode: settings}}}


def test_unknown_annotation_is_refused_naming_the_allowed_ones() -> None:
    [problem] = problems_of(
        "dev", ingress("internal", annotations={"service.beta.kubernetes.io/port_8080_no_lb_rule": "x"})
    )
    assert problem.startswith(f"{ROOT}.ingress.internal.annotations: ")
    assert "'service.beta.kubernetes.io/port_8080_no_lb_rule' cannot be set" in problem
    assert "service.beta.kubernetes.io/azure-pip-name" in problem  # the allowed list is spelled out
    assert "service.beta.kubernetes.io/port_443_health-probe_request-path" in problem


def test_health_probe_annotations_for_80_and_443_are_accepted() -> None:
    config = load_stack_config(
        merge(
            raw_platform("dev"),
            ingress("internal", annotations={"service.beta.kubernetes.io/port_443_no_probe_rule": "true"}),
        )
    )
    assert config.gateways.ingress.internal.annotations


def test_hpa_below_two_replicas_is_refused() -> None:
    [problem] = problems_of("dev", ingress("internal", hpa={"minReplicas": 1, "maxReplicas": 3}))
    assert problem.startswith(f"{ROOT}.ingress.internal.hpa.minReplicas: 1 is below the add-on's minimum")
    assert "allowed: >= 2" in problem


def test_static_ip_on_the_internal_gateway_and_subnet_on_the_external_are_refused_together() -> None:
    found = problems_of(
        "dev",
        {
            "gateways": {
                "ingress": {
                    "internal": {"staticIp": {}},
                    "external": {"enabled": True, "subnet": {"prefix": "10.20.8.0/24"}},
                }
            }
        },
    )
    assert any(p.startswith(f"{ROOT}.ingress.internal.staticIp: is for the external gateway") for p in found)
    assert any(p.startswith(f"{ROOT}.ingress.external.subnet: is for the internal gateway") for p in found)


def test_settings_on_a_disabled_gateway_are_refused() -> None:
    [problem] = problems_of("dev", ingress("external", allowedServiceTags=["AzureFrontDoor.Backend"]))
    assert problem.startswith(f"{ROOT}.ingress.external.enabled: is false")


def test_typed_key_and_its_raw_annotation_cannot_both_be_set() -> None:
    [problem] = problems_of(
        "dev",
        ingress(
            "internal",
            allowedIpRanges=["10.0.0.0/8"],
            annotations={sm.GATEWAY_SERVICE_ANNOTATION_IP_RANGES: "10.0.0.0/8"},
        ),
    )
    assert f"{sm.GATEWAY_SERVICE_ANNOTATION_IP_RANGES!r} is set from" in problem


def test_internal_subnet_outside_the_vnet_is_refused() -> None:
    [problem] = problems_of("dev", ingress("internal", subnet={"prefix": "172.16.0.0/24"}))
    assert problem == (
        f"{ROOT}.ingress.internal.subnet.prefix: '172.16.0.0/24' is outside cluster.network.vnetAddressSpace "
        "'10.20.0.0/16'"
    )


def test_prod_external_gateway_must_be_limited_by_service_tags_or_ip_ranges() -> None:
    found = problems_of("prod", {"gateways": {"ingress": {"external": {"allowedServiceTags": []}}}})
    assert found == [
        f"{ROOT}.ingress.external: is open to the whole internet (no allowed service tags or IP ranges limit who "
        "reaches it); allowed in prod: allowedServiceTags (e.g. AzureFrontDoor.Backend) or allowedIpRanges other "
        "than Internet and 0.0.0.0/0"
    ]


def test_prod_static_ip_must_be_zone_redundant() -> None:
    [problem] = problems_of("prod", {"gateways": {"ingress": {"external": {"staticIp": {"zones": ["1"]}}}}})
    assert problem.startswith(f"{ROOT}.ingress.external.staticIp.zones: ['1'] is not zone-redundant")


def test_gateway_api_refused_on_a_revision_older_than_asm_1_26() -> None:
    changes = {
        "cluster": {"kubernetesVersion": "1.31"},
        "mesh": {"revision": "asm-1-25"},
        "gateways": {"gatewayApi": {"enabled": True}},
    }
    [problem] = problems_of("dev", changes)
    assert problem.startswith(
        f"{ROOT}.gatewayApi.enabled: true needs revision asm-1-26 or newer, the mesh runs asm-1-25"
    )


def test_gateway_api_refused_beside_app_routing_istio() -> None:
    [problem] = problems_of("dev", {"gateways": {"gatewayApi": {"enabled": True}, "appRoutingIstio": True}})
    assert problem.startswith(f"{ROOT}.gatewayApi.enabled: true cannot coexist with app-routing's Istio")


def test_gateway_api_customization_outside_the_allowlist_is_refused() -> None:
    gateway = {
        "name": "web",
        "namespace": "apps",
        "parameters": {"deployment": {"spec": {"template": {"spec": {"hostNetwork": True}}}}},
    }
    [problem] = problems_of("dev", {"gateways": {"gatewayApi": {"enabled": True, "gateways": [gateway]}}})
    assert problem.startswith(f"{ROOT}.gatewayApi.gateways[0].parameters: ")
    assert "deployment.spec.template.spec.hostNetwork is blocked by the add-on" in problem


def test_gateway_api_class_defaults_hpa_below_two_is_refused() -> None:
    defaults = {"horizontalPodAutoscaler": {"spec": {"minReplicas": 1}}}
    [problem] = problems_of("dev", {"gateways": {"gatewayApi": {"enabled": True, "classDefaults": defaults}}})
    assert "horizontalPodAutoscaler.spec.minReplicas 1 is below 2" in problem


def test_https_listener_needs_a_certificate_secret() -> None:
    gateway = {"name": "web", "namespace": "apps", "listeners": [{"name": "https", "port": 443, "protocol": "HTTPS"}]}
    [problem] = problems_of("dev", {"gateways": {"gatewayApi": {"enabled": True, "gateways": [gateway]}}})
    assert problem.startswith(f"{ROOT}.gatewayApi.gateways[0].listeners[0].certificateSecret: is required for HTTPS")


def egress(**changes: Any) -> dict[str, Any]:
    return {"gateways": {"egress": changes}}


def test_egress_gateway_needs_a_pool() -> None:
    [problem] = problems_of("prod", egress(pool=None))
    assert (
        problem
        == f"{ROOT}.egress.pool: is required for egress gateways (Static Egress Gateway); allowed: {{name, ...}}"
    )


def test_egress_gateway_needs_registry_only_outbound_traffic() -> None:
    changes = {"mesh": {"meshConfig": {"fields": {"outboundTrafficPolicy": {"mode": "ALLOW_ANY"}}}}}
    [problem] = problems_of("prod", changes)
    assert problem == (
        "aks-istio:platform.mesh.meshConfig.fields.outboundTrafficPolicy.mode: 'ALLOW_ANY' lets workloads bypass "
        "gateways.egress; allowed with egress gateways: REGISTRY_ONLY"
    )


def test_egress_gateway_name_must_match_the_add_on_pattern() -> None:
    found = problems_of("prod", egress(gateways=[{"name": "Egress_1"}]))
    assert found[0].startswith(f"{ROOT}.egress.gateways[0].name: 'Egress_1' is not valid: allowed: 1-53 lowercase")


def test_gateway_pool_count_must_fit_the_public_ip_prefix() -> None:
    [problem] = problems_of("prod", egress(pool={"publicIpPrefixSize": 31, "count": 3}))
    assert problem == f"{ROOT}.egress.pool.count: 3 nodes do not fit a /31 prefix; allowed: 1..2"


def test_gateway_pool_prefix_size_outside_28_to_31_is_refused() -> None:
    [problem] = problems_of("prod", egress(pool={"publicIpPrefixSize": 27}))
    assert problem.startswith(f"{ROOT}.egress.pool.publicIpPrefixSize: 27 is not valid")


def test_unknown_gateway_key_is_refused_with_a_hint() -> None:
    [problem] = problems_of("dev", ingress("internal", externalTrafficPolcy="Local"))
    assert problem.startswith(f"{ROOT}.ingress.internal.externalTrafficPolcy: unknown key (did you mean")
