"""Settings of the add-on's gateways as one section, and the rules that need the rest of the stack.

One module per kind: classic ingress (config/ingress.py), Gateway API ingress (config/gateway_api.py), egress
(config/egress.py); docs/gateways.md.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import Field

from aks_istio.addon import rules
from aks_istio.config._base import Problems, Settings
from aks_istio.config.egress import EgressSettings
from aks_istio.config.gateway_api import GatewayApiSettings
from aks_istio.config.ingress import IngressSettings, IngressSubnetSettings

if TYPE_CHECKING:
    from aks_istio.config.cluster import ClusterSettings
    from aks_istio.config.mesh import MeshSettings


class GatewaySettings(Settings):
    """Ingress and egress gateways."""

    ingress: IngressSettings = Field(default_factory=IngressSettings)
    gateway_api: GatewayApiSettings = Field(default_factory=GatewayApiSettings)
    egress: EgressSettings = Field(default_factory=EgressSettings)
    app_routing_istio: bool = Field(
        default=False,
        description="The cluster runs app-routing's Istio Gateway API implementation (approuting-istio); "
        "it cannot coexist with the add-on's Gateway API ingress.",
    )


def stack_problems(
    gateways: GatewaySettings,
    *,
    mesh: MeshSettings,
    cluster: ClusterSettings,
    problems: Problems,
) -> None:
    """Rules that need the rest of the stack: revisions, mesh config, network and pools."""
    if gateways.gateway_api.enabled:
        for problem in rules.gateway_api_problems(mesh.named_revisions, app_routing_istio=gateways.app_routing_istio):
            problems.add("gateways.gatewayApi.enabled", f"true {problem}")
    egress = gateways.egress
    if egress.gateways:
        mode = _outbound_mode(mesh.mesh_config.fields)
        if mode != "REGISTRY_ONLY":
            problems.add(
                "mesh.meshConfig.fields.outboundTrafficPolicy.mode",
                f"{mode or 'unset (ALLOW_ANY)'!r} lets workloads bypass gateways.egress; allowed with egress "
                "gateways: REGISTRY_ONLY",
            )
    if egress.pool is not None:
        taken = [cluster.system_pool.name] + [p.name for p in cluster.user_pools]
        if egress.pool.name in taken:
            problems.add("gateways.egress.pool.name", f"{egress.pool.name!r} is already a node pool; pick another")
    subnet = gateways.ingress.internal.subnet
    if subnet is not None and cluster.network.existing_subnet_id is None:
        _subnet_fits(subnet, cluster, problems)


def _outbound_mode(fields: Mapping[str, Any]) -> str | None:
    policy = fields.get("outboundTrafficPolicy")
    return str(policy.get("mode")) if isinstance(policy, Mapping) and policy.get("mode") else None


def _subnet_fits(subnet: IngressSubnetSettings, cluster: ClusterSettings, problems: Problems) -> None:
    path = "gateways.ingress.internal.subnet.prefix"
    try:
        prefix = ipaddress.IPv4Network(subnet.prefix)
        vnet = ipaddress.IPv4Network(cluster.network.vnet_address_space)
        nodes = ipaddress.IPv4Network(cluster.network.node_subnet_prefix)
    except ValueError:
        return  # the network section reports its own bad CIDRs
    if not prefix.subnet_of(vnet):
        problems.add(path, f"{subnet.prefix!r} is outside cluster.network.vnetAddressSpace {str(vnet)!r}")
    elif prefix.overlaps(nodes):
        problems.add(path, f"{subnet.prefix!r} overlaps cluster.network.nodeSubnetPrefix {str(nodes)!r}")
    if subnet.name == "snet-nodes":
        problems.add("gateways.ingress.internal.subnet.name", "'snet-nodes' is the node subnet; pick another name")
