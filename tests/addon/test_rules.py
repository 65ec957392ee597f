"""The rules config validation, the component Args (and, where it checks them, the policy pack) share."""

import pytest

from aks_istio.addon import rules
from aks_istio.cluster.cluster import AksIstioClusterArgs
from aks_istio.cluster.values import ClusterSpec, NodePool
from aks_istio.gateways.ingress import GatewayHpa, GatewaySubnet, IngressGatewayArgs, IngressMode
from aks_istio.mesh.plugin_ca import PluginCaSource
from tests.components.stand_ins import INGRESS_GATEWAY_WIRING


def test_revision_sets_hold_one_or_two_distinct_well_formed_revisions() -> None:
    assert rules.revision_set_problems(["asm-1-29", "asm-1-30"]) == []
    assert rules.revision_set_problems(["asm-1-30", "asm-1-30"]) == [
        "['asm-1-30', 'asm-1-30'] must hold 1 or 2 distinct asm-1-N values"
    ]
    assert rules.revision_set_problems(["1.30"]) == ["'1.30' is not of the form asm-<major>-<minor>"]


def test_gateway_api_needs_asm_1_26_and_no_app_routing_istio() -> None:
    def problems(revisions: list[str], *, app_routing_istio: bool) -> list[str]:
        return rules.gateway_api_problems(
            revisions, app_routing_istio=app_routing_istio, allowed_instead="upgrade first", named=str.upper
        )

    assert problems(["asm-1-26"], app_routing_istio=False) == []
    [too_old] = problems(["asm-1-25", "asm-1-26"], app_routing_istio=False)
    assert "the mesh runs asm-1-25" in too_old and too_old.endswith("allowed: upgrade first")
    [_, app_routing] = problems(["asm-1-25"], app_routing_istio=True)
    assert "(APP_ROUTING_ISTIO: false after" in app_routing


def test_each_ingress_gateway_takes_only_its_own_kind_of_address() -> None:
    assert rules.ingress_mode_problems("External", static_ip=True, subnet=False, named=str) == []
    assert rules.ingress_mode_problems("Internal", static_ip=True, subnet=False, named=str.upper) == [
        ("staticIp", "is for the external gateway; allowed here: SUBNET, or an ipv4 annotation")
    ]
    assert rules.ingress_mode_problems("External", static_ip=False, subnet=True, named=str.upper) == [
        ("subnet", "is for the internal gateway; allowed here: STATIC_IP")
    ]


def test_a_plug_in_ca_comes_from_exactly_one_source() -> None:
    with pytest.raises(ValueError, match="key_vault_id: is required unless generateDevCa"):
        PluginCaSource()
    with pytest.raises(ValueError, match="generate_dev_ca: true writes into a vault we create"):
        PluginCaSource(
            key_vault_id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
            generate_dev_ca=True,
        )
    assert PluginCaSource(generate_dev_ca=True).cert_object_name == "ca-cert"


def test_args_check_what_config_validation_checks_with_the_same_words() -> None:
    with pytest.raises(ValueError, match="max_replicas: 2 is below minReplicas 3"):
        GatewayHpa(min_replicas=3, max_replicas=2)
    cluster = ClusterSpec(kubernetes_version="1.33", system_pool=NodePool(name="system"))
    with pytest.raises(ValueError, match="revisions: "):
        AksIstioClusterArgs(
            cluster=cluster, cluster_name="c", location="westeurope", resource_group_name="rg", revisions=[]
        )
    with pytest.raises(ValueError, match="subnet: is for the internal gateway"):
        IngressGatewayArgs(
            mode=IngressMode.EXTERNAL,
            subnet=GatewaySubnet(name="snet", prefix="10.0.0.0/24"),
            **INGRESS_GATEWAY_WIRING,
        )
