"""Classic ingress gateways: what the patches send to Kubernetes, the static IP and subnet ARM receives, and
the wiring between them."""

from __future__ import annotations

from typing import Any

import pytest

from aks_istio.addon import support_matrix as sm
from aks_istio.gateways.ingress import (
    PATCH_FORCE,
    ExternalTrafficPolicy,
    GatewayHpa,
    IngressGatewayArgs,
    IngressMode,
    StaticPublicIp,
    service_annotations,
    service_patch,
)
from tests.components.stand_ins import INGRESS_GATEWAY_WIRING, kubernetes_provider
from tests.support import ROLE_ASSIGNMENT, capture_stack, merge, one, raw_platform

SERVICE_PATCH = "kubernetes:core/v1:ServicePatch"
HPA_PATCH = "kubernetes:autoscaling/v2:HorizontalPodAutoscalerPatch"
PUBLIC_IP = "azure-native:network:PublicIPAddress"
SUBNET = "azure-native:network:Subnet"


@pytest.fixture(scope="module")
def prod() -> Any:
    return capture_stack("prod")


def test_dev_patches_only_the_internal_gateway_and_makes_no_public_ip() -> None:
    capture = capture_stack("dev")
    assert capture.of_type(PUBLIC_IP) == []
    assert [p.inputs["metadata"]["name"] for p in capture.of_type(SERVICE_PATCH)] == [
        "aks-istio-ingressgateway-internal"
    ]


def test_external_service_gets_static_ip_and_service_tag_annotations_only(prod: Any) -> None:
    patch = one(prod, SERVICE_PATCH, "ingress-external-service").inputs
    assert patch["metadata"]["namespace"] == sm.ADDON_INGRESS_NAMESPACE
    assert patch["metadata"]["annotations"] == {
        sm.GATEWAY_SERVICE_ANNOTATION_SERVICE_TAGS: "AzureFrontDoor.Backend",
        sm.GATEWAY_SERVICE_ANNOTATION_PIP_RESOURCE_GROUP: "rg-aks-istio-prod",
        sm.GATEWAY_SERVICE_ANNOTATION_PIP_NAME: "pip-aks-istio-prod-ingress",
        "service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout": "10",
    }
    assert "spec" not in patch  # never ports or protocol


def test_every_service_annotation_sent_is_on_the_aks_allowlist(prod: Any) -> None:
    for patch in prod.of_type(SERVICE_PATCH):
        assert all(sm.is_allowed_gateway_annotation(k) for k in patch.inputs["metadata"]["annotations"])


def test_static_public_ip_is_standard_static_zone_redundant_and_protected_in_prod(prod: Any) -> None:
    ip = one(prod, PUBLIC_IP)
    assert ip.inputs["publicIpAddressName"] == "pip-aks-istio-prod-ingress"
    assert ip.inputs["sku"] == {"name": "Standard", "tier": "Regional"}
    assert ip.inputs["publicIPAllocationMethod"] == "Static"
    assert ip.inputs["zones"] == ["1", "2", "3"]
    assert ip.protect is True
    assert 'tags["k8s-azure-service"]' in ip.ignore_changes


def test_cluster_identity_gets_network_contributor_on_the_public_ips_group(prod: Any) -> None:
    grant = one(prod, ROLE_ASSIGNMENT, "ingress-external-ip-network-contributor").inputs
    identity = one(prod, "azure-native:managedidentity:UserAssignedIdentity")
    assert grant["roleDefinitionId"].endswith(sm.ROLE_NETWORK_CONTRIBUTOR)
    assert grant["scope"].endswith("/resourceGroups/rg-aks-istio-prod")
    assert grant["principalId"] not in (None, "")
    assert identity.urn  # the grant goes to the control-plane identity:
    patch = one(prod, SERVICE_PATCH, "ingress-external-service")
    assert one(prod, ROLE_ASSIGNMENT, "ingress-external-ip-network-contributor").urn in patch.dependencies


def test_internal_gateway_gets_its_own_subnet_in_the_mesh_vnet_with_a_grant(prod: Any) -> None:
    subnet = one(prod, SUBNET, "ingress-internal-subnet")
    assert subnet.inputs["addressPrefix"] == "10.20.8.0/24"
    assert subnet.inputs["virtualNetworkName"] == "vnet-aks-istio-prod"
    assert subnet.protect is True
    patch = one(prod, SERVICE_PATCH, "ingress-internal-service").inputs
    assert patch["metadata"]["annotations"] == {sm.GATEWAY_SERVICE_ANNOTATION_INTERNAL_SUBNET: "snet-ingress"}
    grant = one(prod, ROLE_ASSIGNMENT, "ingress-internal-subnet-network-contributor")
    assert subnet.urn in grant.dependencies


def test_hpa_patches_set_3_to_10_on_the_revisions_hpa_and_force_over_the_add_on(prod: Any) -> None:
    for mode in ("internal", "external"):
        patch = one(prod, HPA_PATCH, f"ingress-{mode}-hpa").inputs
        assert patch["metadata"]["name"] == f"aks-istio-ingressgateway-{mode}-asm-1-30"
        assert patch["metadata"]["annotations"][PATCH_FORCE] == "true"
        assert patch["spec"] == {"minReplicas": 3, "maxReplicas": 10}


def test_hpa_patches_hand_over_at_complete_without_deleting_the_old_revisions_patch() -> None:
    # complete moves the patch from ...-asm-1-29 (removed by AKS with its control plane) to ...-asm-1-30: the
    # engine replaces the patch, and a retained patch's delete never touches the cluster.
    raw = merge(
        raw_platform("prod"),
        {
            "cluster": {"kubernetesVersion": "1.34"},
            "mesh": {"revision": "asm-1-29", "upgrade": {"to": "asm-1-30", "phase": "complete", "migrated": "all"}},
        },
    )
    patches = capture_stack("prod", raw).of_type(HPA_PATCH)
    assert sorted(p.inputs["metadata"]["name"] for p in patches) == [
        "aks-istio-ingressgateway-external-asm-1-30",
        "aks-istio-ingressgateway-internal-asm-1-30",
        "egress-prod-asm-1-30",  # the egress gateway's HPA hands over the same way
    ]
    assert all(p.retain_on_delete for p in patches)


def test_during_a_canary_only_the_stable_revisions_hpa_is_patched() -> None:
    raw = merge(
        raw_platform("prod"),
        {
            "cluster": {"kubernetesVersion": "1.34"},
            "mesh": {"revision": "asm-1-29", "upgrade": {"to": "asm-1-30", "phase": "start"}},
        },
    )
    capture = capture_stack("prod", raw)
    names = sorted(p.inputs["metadata"]["name"] for p in capture.of_type(HPA_PATCH))
    assert "aks-istio-ingressgateway-external-asm-1-29" in names
    assert not any(name.endswith("asm-1-30") for name in names)


def internal_args(**fields: Any) -> IngressGatewayArgs:
    wiring: dict[str, Any] = {"kubernetes_provider": kubernetes_provider(), **INGRESS_GATEWAY_WIRING}
    return IngressGatewayArgs(**{"mode": IngressMode.INTERNAL, **wiring, **fields})


def test_external_traffic_policy_is_the_only_spec_field_and_takes_the_field_over() -> None:
    args = internal_args(external_traffic_policy=ExternalTrafficPolicy.LOCAL)
    body = service_patch(args, service_annotations(args, public_ip_resource_group=None))
    assert body["spec"] == {"external_traffic_policy": "Local"}
    assert body["metadata"]["annotations"][PATCH_FORCE] == "true"


def test_args_refuse_a_static_ip_on_the_internal_gateway() -> None:
    with pytest.raises(ValueError, match="static_ip: is for the external gateway"):
        internal_args(static_ip=StaticPublicIp(name="pip"))


def test_args_refuse_annotations_outside_the_allowlist() -> None:
    with pytest.raises(ValueError, match=r"annotations\.x/y: 'x/y' cannot be set on the add-on's gateway Service"):
        internal_args(annotations={"service.beta.kubernetes.io/port_80_health-probe_protocol": "tcp", "x/y": "1"})


def test_args_refuse_hpa_bounds_below_the_add_ons_minimum() -> None:
    with pytest.raises(ValueError, match="min_replicas: 1 is below the add-on's minimum"):
        GatewayHpa(min_replicas=1, max_replicas=3)
