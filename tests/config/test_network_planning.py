"""Azure's IP planning rules for the cluster network are checked before anything is declared
(https://learn.microsoft.com/azure/aks/azure-cni-overlay#ip-address-planning)."""

from __future__ import annotations

from typing import Any

import pytest

from aks_istio.config import ConfigError
from tests.support import config_of

NETWORK = "aks-istio:platform.cluster.network"


def problems_with(**network: Any) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        config_of("dev", cluster={"network": network})
    return caught.value.problems


def test_a_pod_cidr_overlapping_the_node_subnet_is_refused() -> None:
    [problem] = problems_with(podCidr="10.20.0.0/16")
    assert problem.startswith(f"{NETWORK}.podCidr: '10.20.0.0/16' overlaps nodeSubnetPrefix '10.20.0.0/22'")


def test_a_pod_cidr_overlapping_only_the_vnet_is_refused() -> None:
    [problem] = problems_with(podCidr="10.20.128.0/17")
    assert problem.startswith(f"{NETWORK}.podCidr: '10.20.128.0/17' overlaps vnetAddressSpace '10.20.0.0/16'")


@pytest.mark.parametrize(("cidr", "dns"), [("10.0.0.0/12", "10.0.0.10"), ("100.64.0.0/10", "100.64.0.10")])
def test_a_service_cidr_of_slash_12_or_larger_is_refused(cidr: str, dns: str) -> None:
    [problem] = problems_with(serviceCidr=cidr, dnsServiceIp=dns)
    assert problem.startswith(f"{NETWORK}.serviceCidr: {cidr!r} is too large")


def test_a_slash_13_service_cidr_is_accepted() -> None:
    config = config_of("dev", cluster={"network": {"serviceCidr": "10.128.0.0/13", "dnsServiceIp": "10.128.0.10"}})
    assert config.cluster.network.service_cidr == "10.128.0.0/13"


def test_the_dns_ip_on_the_first_service_address_is_refused() -> None:
    [problem] = problems_with(dnsServiceIp="10.240.0.1")
    assert problem.startswith(f"{NETWORK}.dnsServiceIp: '10.240.0.1' is the first address of serviceCidr")
    assert "e.g. 10.240.0.10" in problem


def test_the_dns_ip_outside_the_service_cidr_is_refused() -> None:
    [problem] = problems_with(dnsServiceIp="10.241.0.10")
    assert problem.startswith(f"{NETWORK}.dnsServiceIp: '10.241.0.10' is outside serviceCidr")
