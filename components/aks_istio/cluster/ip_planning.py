"""Azure's address rules for an AKS cluster network (Azure CNI overlay), checked once, before anything is declared.

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

from aks_istio.value_checks import Problems, field_name

SMALLEST_REFUSED_SERVICE_PREFIX: Final = 12
"""A service CIDR of /12 or larger (a prefix length of 12 or less) is refused by AKS."""


class NetworkPlan(Protocol):
    """The address plan of a cluster network (`ClusterNetwork` has these fields)."""

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
    """Add a problem per broken rule (at fields of the network), each CIDR and address parsed once:
    values that are not CIDRs or addresses, the node subnet outside the VNet, ranges that overlap, then the
    IP planning rules above."""
    given = {
        "vnet_address_space": plan.vnet_address_space,
        "node_subnet_prefix": plan.node_subnet_prefix,
        "pod_cidr": plan.pod_cidr,
        "service_cidr": plan.service_cidr,
    }
    nets: dict[str, ipaddress.IPv4Network] = {}
    for name, value in given.items():
        try:
            nets[name] = ipaddress.IPv4Network(value)
        except ValueError:
            problems.add(name, f"{value!r} is not an IPv4 CIDR; allowed: e.g. 10.20.0.0/16")
    vnet, nodes = nets.get("vnet_address_space"), nets.get("node_subnet_prefix")
    pods, services = nets.get("pod_cidr"), nets.get("service_cidr")
    if vnet is not None and nodes is not None and not nodes.subnet_of(vnet):
        problems.add(
            "node_subnet_prefix",
            f"{plan.node_subnet_prefix!r} is outside {field_name('vnet_address_space')} {plan.vnet_address_space!r}",
        )
    dns: ipaddress.IPv4Address | None = None
    if services is not None:
        for name in ("vnet_address_space", "pod_cidr"):
            other = nets.get(name)
            if other is not None and services.overlaps(other):
                problems.add("service_cidr", f"{plan.service_cidr!r} overlaps {field_name(name)} {given[name]!r}")
        try:
            dns = ipaddress.IPv4Address(plan.dns_service_ip)
        except ValueError:
            problems.add("dns_service_ip", f"{plan.dns_service_ip!r} is not an IPv4 address")
        else:
            if dns not in services:
                problems.add(
                    "dns_service_ip",
                    f"{plan.dns_service_ip!r} is outside {field_name('service_cidr')} {plan.service_cidr!r}",
                )
    if pods is not None:
        for name in ("node_subnet_prefix", "vnet_address_space"):
            other = nets.get(name)
            if other is not None and pods.overlaps(other):
                problems.add(
                    "pod_cidr",
                    f"{plan.pod_cidr!r} overlaps {field_name(name)} {given[name]!r}; allowed: a private range outside "
                    "the VNet, e.g. 192.168.0.0/16",
                )
                break
    if services is None:
        return
    if services.prefixlen <= SMALLEST_REFUSED_SERVICE_PREFIX:
        problems.add(
            "service_cidr",
            f"{plan.service_cidr!r} is too large: AKS needs a service range smaller than /12; allowed: /13 or "
            "smaller, e.g. 10.240.0.0/16",
        )
    if dns is not None and dns in (services.network_address, services.network_address + 1):
        problems.add(
            "dns_service_ip",
            f"{plan.dns_service_ip!r} is the first address of {field_name('service_cidr')} {plan.service_cidr!r}, "
            "which Kubernetes "
            f"gives to kubernetes.default; allowed: another address in the range, e.g. {services.network_address + 10}",
        )
