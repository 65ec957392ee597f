"""The value types are the stack file's schema: built in code they refuse what the stack file refuses, in the same
words; enum fields take their string values; independent problems are reported together."""

from __future__ import annotations

from typing import Any

import pytest

from aks_istio.cluster.values import ClusterNetwork, NetworkDataplane, NodePool, OsSku
from aks_istio.config import ConfigError, load_stack_config
from aks_istio.value_checks import InvalidValueError
from tests.components.stand_ins import INGRESS_GATEWAY_WIRING
from tests.support import merge, raw_platform

ROOT = "aks-istio:platform"


def stack_problems(changes: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_stack_config(merge(raw_platform("dev"), changes))
    return caught.value.problems


def code_problems(build: Any) -> list[str]:
    with pytest.raises(InvalidValueError) as caught:
        build()
    return [p.text(stack_file=True) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("changes", "key", "build"),
    [
        (
            {"cluster": {"userPools": [{"name": "batch-jobs"}]}},
            "cluster.userPools[0].name",
            lambda: NodePool(name="batch-jobs"),
        ),
        (
            {"cluster": {"userPools": [{"name": "apps", "minCount": 5, "maxCount": 1}]}},
            "cluster.userPools[0].minCount",
            lambda: NodePool(name="apps", min_count=5, max_count=1),
        ),
        (
            {"cluster": {"network": {"podCidr": "10.20.0.0/24"}}},
            "cluster.network.podCidr",
            lambda: ClusterNetwork(pod_cidr="10.20.0.0/24"),
        ),
        (
            {"cluster": {"network": {"serviceCidr": "10.0.0.0/8", "dnsServiceIp": "10.0.0.10"}}},
            "cluster.network.serviceCidr",
            lambda: ClusterNetwork(service_cidr="10.0.0.0/8", dns_service_ip="10.0.0.10"),
        ),
        (
            {"cluster": {"network": {"dataplane": "azure"}}},
            "cluster.network.networkPolicy",
            lambda: ClusterNetwork(dataplane=NetworkDataplane.AZURE),
        ),
    ],
)
def test_a_value_built_in_code_is_refused_in_the_words_of_the_stack_file(
    changes: dict[str, Any], key: str, build: Any
) -> None:
    in_stack = [p.removeprefix(f"{ROOT}.{key}: ") for p in stack_problems(changes) if p.startswith(f"{ROOT}.{key}:")]
    assert in_stack, stack_problems(changes)
    assert code_problems(build) == in_stack


def test_enum_fields_take_their_string_values_and_refuse_others_with_the_allowed_list() -> None:
    assert NodePool(name="apps", os_sku="Ubuntu").os_sku is OsSku.UBUNTU  # type: ignore[arg-type]
    assert ClusterNetwork(dataplane="cilium").dataplane is NetworkDataplane.CILIUM  # type: ignore[arg-type]
    [problem] = code_problems(lambda: NodePool(name="apps", os_sku="Windows"))  # type: ignore[arg-type]
    assert problem == "'Windows' is not valid: allowed: 'AzureLinux' or 'Ubuntu'"
    assert code_problems(lambda: NodePool(name="apps", os_sku="ubuntu")) == [  # type: ignore[arg-type]
        "'ubuntu' is not valid: allowed: 'AzureLinux' or 'Ubuntu' (did you mean 'Ubuntu'?)"
    ]


def test_every_problem_of_a_value_is_raised_at_once_each_naming_its_field() -> None:
    with pytest.raises(InvalidValueError) as caught:
        NodePool(name="Apps_1", max_pods=10, zones=["4"])
    message = str(caught.value)
    assert message.startswith("NodePool: name: 'Apps_1' is not valid")
    assert "zones[0]: '4' is not valid: allowed: '1', '2' or '3'" in message
    assert "max_pods: 10 is not valid: allowed: >= 50" in message


def test_a_message_names_the_other_field_as_the_place_the_value_came_from_does() -> None:
    with pytest.raises(InvalidValueError) as caught:
        NodePool(name="apps", min_count=5, max_count=1)
    assert str(caught.value) == "NodePool: min_count: 5 is above max_count 1; allowed: <= max_count"
    in_stack = stack_problems({"cluster": {"userPools": [{"name": "apps", "minCount": 5, "maxCount": 1}]}})
    assert in_stack == [f"{ROOT}.cluster.userPools[0].minCount: 5 is above maxCount 1; allowed: <= maxCount"]
    with pytest.raises(InvalidValueError) as caught:
        ClusterNetwork(pod_cidr="10.20.0.0/24", dns_service_ip="10.240.0.1")
    assert str(caught.value) == (
        "ClusterNetwork: pod_cidr: '10.20.0.0/24' overlaps node_subnet_prefix '10.20.0.0/22'; allowed: a private "
        "range outside the VNet, e.g. 192.168.0.0/16; dns_service_ip: '10.240.0.1' is the first address of "
        "service_cidr '10.240.0.0/16', which Kubernetes gives to kubernetes.default; allowed: another address in "
        "the range, e.g. 10.240.0.10"
    )
    assert stack_problems({"cluster": {"network": {"podCidr": "10.20.0.0/24", "dnsServiceIp": "10.240.0.1"}}}) == [
        f"{ROOT}.cluster.network.podCidr: '10.20.0.0/24' overlaps nodeSubnetPrefix '10.20.0.0/22'; allowed: a "
        "private range outside the VNet, e.g. 192.168.0.0/16",
        f"{ROOT}.cluster.network.dnsServiceIp: '10.240.0.1' is the first address of serviceCidr '10.240.0.0/16', "
        "which Kubernetes gives to kubernetes.default; allowed: another address in the range, e.g. 10.240.0.10",
    ]


def test_a_bad_pool_name_does_not_hide_the_revision_kubernetes_mismatch() -> None:
    problems = stack_problems(
        {
            "cluster": {"kubernetesVersion": "1.31", "userPools": [{"name": "batch-jobs"}]},
            "mesh": {"revision": "asm-1-30"},
        }
    )
    keys = [p.split(": ", 1)[0] for p in problems]
    assert keys == [
        f"{ROOT}.cluster.userPools[0].name",
        f"{ROOT}.mesh.revision",
        f"{ROOT}.cluster.kubernetesVersion",
    ]


def test_a_bad_enum_value_does_not_hide_the_kubernetes_side_of_a_mismatch() -> None:
    problems = stack_problems({"cluster": {"tier": "Gold"}, "mesh": {"revision": "asm-1-24"}})
    assert [p.split(": ", 1)[0] for p in problems] == [
        f"{ROOT}.cluster.tier",
        f"{ROOT}.mesh.revision",
        f"{ROOT}.cluster.kubernetesVersion",
    ]


def test_a_rule_beside_a_bad_value_waits_for_it() -> None:
    # minCount is bad on its own; comparing it with maxCount would only repeat the problem in other words.
    problems = stack_problems({"cluster": {"userPools": [{"name": "apps", "minCount": -1, "maxCount": 0}]}})
    assert problems == [
        f"{ROOT}.cluster.userPools[0].minCount: -1 is not valid: allowed: >= 0",
        f"{ROOT}.cluster.userPools[0].maxCount: 0 is not valid: allowed: >= 1",
    ]


def test_component_args_take_enum_strings_as_other_languages_and_yaml_send_them() -> None:
    from aks_istio.gateways.ingress import IngressGatewayArgs, IngressMode
    from aks_istio.mesh.canary import CanaryUpgradeArgs
    from aks_istio.mesh.values import MeshNamespace, MtlsMode, UpgradePhase
    from tests.components.stand_ins import kubernetes_provider

    assert MeshNamespace(name="legacy", mtls="PERMISSIVE").mtls is MtlsMode.PERMISSIVE  # type: ignore[arg-type]
    provider = kubernetes_provider()
    upgrade = CanaryUpgradeArgs(kubernetes_provider=provider, phase="start", revisions=["asm-1-29", "asm-1-30"])  # type: ignore[arg-type]
    assert upgrade.phase is UpgradePhase.START
    wiring = {"kubernetes_provider": provider, **INGRESS_GATEWAY_WIRING}
    assert IngressGatewayArgs(mode="External", **wiring).mode is IngressMode.EXTERNAL  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError) as caught:
        IngressGatewayArgs(mode="Public", **wiring)  # type: ignore[arg-type]
    assert str(caught.value) == "IngressGatewayArgs: mode: 'Public' is not valid: allowed: 'Internal' or 'External'"
