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
from aks_istio.config._base import Settings
from aks_istio.config.egress import EgressSettings
from aks_istio.config.gateway_api import GatewayApiSettings
from aks_istio.config.ingress import IngressSettings, IngressSubnetSettings
from aks_istio.value_checks import Problems

if TYPE_CHECKING:
    from aks_istio.cluster.values import ClusterSpec
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
    apps: list[AppRoute] = Field(
        default_factory=list,
        description="Apps the platform publishes through the add-on's gateways, each an AppIngress: name, hosts, "
        "backend {service, namespace, port}, gateway, api, tlsMode, certificate, pathRoutes, timeout, retries, "
        "access (docs/gateways.md).",
    )


def stack_problems(
    gateways: GatewaySettings,
    *,
    mesh: MeshSettings,
    cluster: ClusterSpec,
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
    _app_problems(gateways, mesh=mesh, cluster=cluster, problems=problems)
    subnet = gateways.ingress.internal.subnet
    if subnet is not None and cluster.network.existing_subnet_id is None:
        _subnet_fits(subnet, cluster, problems)


def _outbound_mode(fields: Mapping[str, Any]) -> str | None:
    policy = fields.get("outboundTrafficPolicy")
    return str(policy.get("mode")) if isinstance(policy, Mapping) and policy.get("mode") else None


def _subnet_fits(subnet: IngressSubnetSettings, cluster: ClusterSpec, problems: Problems) -> None:
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


def _app_problems(
    gateways: GatewaySettings, *, mesh: MeshSettings, cluster: ClusterSettings, problems: Problems
) -> None:
    """What each app needs from the rest of the stack: its gateway on, the secrets provider add-on for a
    certificate, client addresses kept for source ranges; and names and hosts that do not collide."""
    secrets_provider = cluster.key_vault_secrets_provider or mesh.plugin_ca is not None
    seen_names: dict[tuple[str, str], int] = {}
    seen_hosts: dict[tuple[str, str, str], int] = {}
    for index, app in enumerate(gateways.apps):
        key = f"gateways.apps[{index}]"
        if app.terminates_tls and not secrets_provider:
            problems.add(
                "cluster.keyVaultSecretsProvider",
                f"false, but {key} ({app.name}) syncs its {app.tls_mode.value} certificate from Key Vault with that "
                "add-on; allowed: true",
            )
        if app.api is IngressApi.GATEWAY_API:
            if not gateways.gateway_api.enabled:
                problems.add(
                    f"{key}.api", "'GatewayApi' needs the managed Gateway API; allowed: gatewayApi.enabled: true"
                )
        else:
            mode = app.gateway.value.lower()
            ingress = getattr(gateways.ingress, mode)
            if not ingress.enabled:
                problems.add(
                    f"{key}.gateway",
                    f"{app.gateway.value!r} is off; allowed: an enabled one (gateways.ingress.{mode}.enabled: true)",
                )
            elif app.access is not None and app.access.source_ranges and ingress.external_traffic_policy != "Local":
                problems.add(
                    f"{key}.access.sourceRanges",
                    f"need the client's address, which the {mode} gateway keeps only with externalTrafficPolicy "
                    f"Local; allowed: gateways.ingress.{mode}.externalTrafficPolicy: Local, or no sourceRanges",
                )
        name = (app.backend.namespace, app.name)
        if name in seen_names:
            problems.add(
                f"{key}.name",
                f"{app.name!r} in {app.backend.namespace} is also apps[{seen_names[name]}]; allowed: a name unique "
                "per namespace",
            )
        seen_names.setdefault(name, index)
        for host in app.hosts:
            where = (app.api.value, app.gateway.value, host)
            if where in seen_hosts:
                problems.add(
                    f"{key}.hosts",
                    f"{host!r} is also served by apps[{seen_hosts[where]}] on that gateway; allowed: one app per host",
                )
            seen_hosts.setdefault(where, index)
