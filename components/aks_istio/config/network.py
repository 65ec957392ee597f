"""Azure's IP planning rules for an AKS cluster network (Azure CNI overlay), checked before anything is declared.

Microsoft, "Configure Azure CNI Overlay networking", IP address planning:
https://learn.microsoft.com/azure/aks/azure-cni-overlay#ip-address-planning
- the pod CIDR must not overlap the cluster subnet range (nor, here, the VNet the stack creates around it);
- the Kubernetes service address range must be smaller than /12;
- the DNS service IP lies inside the service range and is not its first address, which
  `kubernetes.default.svc.cluster.local` takes.
"""

from __future__ import annotations

import ipaddress
from typing import Final, Protocol

from aks_istio.config._base import Problems

SMALLEST_REFUSED_SERVICE_PREFIX: Final = 12
"""A service CIDR of /12 or larger (a prefix length of 12 or less) is refused by AKS."""


class NetworkPlan(Protocol):
    """The address plan of a cluster network (NetworkSettings has these fields)."""

    @property
    def vnet_address_space(self) -> str: ...
    @property
    def node_subnet_prefix(self) -> str: ...
    @property
    def pod_cidr(self) -> str: ...
    @property
    def service_cidr(self) -> str: ...
    @property
    def dns_service_ip(self) -> str: ...


def ip_planning_problems(plan: NetworkPlan, problems: Problems) -> None:
    """Add a problem per broken rule (key paths relative to cluster.network); a value that is not a CIDR or an
    address is reported by the caller and skipped here."""
    vnet_address_space, node_subnet_prefix = plan.vnet_address_space, plan.node_subnet_prefix
    pod_cidr, service_cidr, dns_service_ip = plan.pod_cidr, plan.service_cidr, plan.dns_service_ip
    pods = _network(pod_cidr)
    if pods is not None:
        for alias, value in (("nodeSubnetPrefix", node_subnet_prefix), ("vnetAddressSpace", vnet_address_space)):
            other = _network(value)
            if other is not None and pods.overlaps(other):
                problems.add(
                    "podCidr",
                    f"{pod_cidr!r} overlaps {alias} {value!r}; allowed: a private range outside the VNet, "
                    "e.g. 192.168.0.0/16",
                )
                break
    services = _network(service_cidr)
    if services is None:
        return
    if services.prefixlen <= SMALLEST_REFUSED_SERVICE_PREFIX:
        problems.add(
            "serviceCidr",
            f"{service_cidr!r} is too large: AKS needs a service range smaller than /12; allowed: /13 or smaller, "
            "e.g. 10.240.0.0/16",
        )
    try:
        dns = ipaddress.IPv4Address(dns_service_ip)
    except ValueError:
        return
    first = services.network_address + 1
    if dns in (services.network_address, first):
        problems.add(
            "dnsServiceIp",
            f"{dns_service_ip!r} is the first address of serviceCidr {service_cidr!r}, which Kubernetes gives to "
            f"kubernetes.default; allowed: another address in the range, e.g. {services.network_address + 10}",
        )


def _network(value: str) -> ipaddress.IPv4Network | None:
    try:
        return ipaddress.IPv4Network(value)
    except ValueError:
        return None
