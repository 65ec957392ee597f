"""Egress gateways end to end: the cluster profile, the gateway pool, the StaticGatewayConfiguration and the
routing Istio receives."""

from __future__ import annotations

from typing import Any

import pytest

from aks_istio.addon import support_matrix as sm
from aks_istio.gateways.egress import EgressGateway, EgressGatewaysArgs
from tests.support import AGENT_POOL, MANAGED_CLUSTER, capture_stack, one

SGC = f"kubernetes:{sm.STATIC_GATEWAY_CONFIGURATION_API}:StaticGatewayConfiguration"


@pytest.fixture(scope="module")
def prod() -> Any:
    return capture_stack("prod")


def test_cluster_enables_static_egress_and_the_named_egress_gateway(prod: Any) -> None:
    cluster = one(prod, MANAGED_CLUSTER).inputs
    assert cluster["networkProfile"]["staticEgressGatewayProfile"] == {"enabled": True}
    assert cluster["serviceMeshProfile"]["istio"]["components"]["egressGateways"] == [
        {
            "enabled": True,
            "name": "egress-prod",
            "namespace": "aks-istio-egress",
            "gatewayConfigurationName": "egress-prod-sgc",
        }
    ]


def test_dev_has_no_egress_profile_or_gateway_pool() -> None:
    capture = capture_stack("dev")
    cluster = one(capture, MANAGED_CLUSTER).inputs
    assert "staticEgressGatewayProfile" not in cluster["networkProfile"]
    assert all(p.inputs["mode"] != "Gateway" for p in capture.of_type(AGENT_POOL))


def test_gateway_pool_is_mode_gateway_with_a_fixed_count_and_prefix(prod: Any) -> None:
    pool = one(prod, AGENT_POOL, "-pool-egress").inputs
    assert pool["mode"] == "Gateway"
    assert pool["gatewayProfile"] == {"publicIPPrefixSize": 30}
    assert pool["enableAutoScaling"] is False and pool["count"] == 3
    assert "minCount" not in pool and "maxCount" not in pool


def test_static_gateway_configuration_names_the_pool_in_the_gateways_namespace(prod: Any) -> None:
    sgc = one(prod, SGC).inputs
    assert sgc["metadata"] == {"name": "egress-prod-sgc", "namespace": "aks-istio-egress"}
    assert sgc["spec"] == {"gatewayNodepoolName": "egress"}


def test_routing_sends_the_host_through_the_gateway_with_dns_resolution(prod: Any) -> None:
    entry = one(prod, "kubernetes:networking.istio.io/v1:ServiceEntry").inputs["spec"]
    assert entry["hosts"] == ["api.github.com"] and entry["resolution"] == "DNS"
    gateway = one(prod, "kubernetes:networking.istio.io/v1:Gateway").inputs["spec"]
    assert gateway["selector"] == {"istio": "egress-prod"}
    assert gateway["servers"][0]["tls"] == {"mode": "PASSTHROUGH"}
    rule = one(prod, "kubernetes:networking.istio.io/v1:DestinationRule").inputs["spec"]
    assert rule["host"] == "egress-prod.aks-istio-egress.svc.cluster.local"
    routes = one(prod, "kubernetes:networking.istio.io/v1:VirtualService").inputs["spec"]["tls"]
    assert routes[0]["match"][0]["gateways"] == ["mesh"]
    assert routes[0]["route"][0]["destination"]["host"] == rule["host"]
    assert routes[1]["match"][0]["gateways"] == ["egress-prod"]
    assert routes[1]["route"][0]["destination"] == {"host": "api.github.com", "port": {"number": 443}}


def test_egress_hpa_patch_targets_the_stable_revision(prod: Any) -> None:
    hpa = one(prod, "kubernetes:autoscaling/v2:HorizontalPodAutoscalerPatch", "egress-prod-hpa").inputs
    assert hpa["metadata"]["name"] == "egress-prod-asm-1-30"
    assert hpa["metadata"]["namespace"] == "aks-istio-egress"


def test_cni_pod_subnet_clusters_are_refused() -> None:
    with pytest.raises(ValueError, match="not supported on Azure CNI Pod Subnet"):
        EgressGatewaysArgs(
            pool_name="egress",
            gateways=[EgressGateway(name="eg", gateway_configuration_name="eg-sgc")],
            hpa_revision="asm-1-30",
            pod_subnet_ids=[
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/pods"
            ],
        )
