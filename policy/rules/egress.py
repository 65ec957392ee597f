"""Istio egress gateways of the add-on (GA 2025-11): names, gateway configuration, Static Egress Gateway, pools.

https://learn.microsoft.com/azure/aks/istio-deploy-egress and configure-static-egress-gateway.md. azure-native only: the
classic provider
(pulumi-azure 6.x) cannot declare egress gateways.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from pulumi_policy import Severity

from aks_istio.addon import support_matrix as sm

from ._common import (
    AGENT_POOL,
    DOCS,
    MANAGED_CLUSTER,
    NO_CONFIG,
    STATIC_GATEWAY_CONFIGURATION_KINDS,
    Config,
    Props,
    Undecidable,
    each,
    elements,
    get_bool,
    get_list,
    get_str,
    metadata_name,
    metadata_namespace,
)
from .clusters import AZURE_NATIVE, Pool, istio_enabled, node_pools
from .deferred import Finding
from .factories import Meta, resource_policy, stack_policy
from .stack import StackResource, linked, of_kind

TAGS: Final = ("aks", "istio", "service-mesh", "egress")
EGRESS_PATH: Final = "serviceMeshProfile.istio.components.egressGateways"


def _enabled_egress(props: Props) -> list[Mapping[str, object]]:
    result: list[Mapping[str, object]] = []
    for gateway in elements(get_list(props, EGRESS_PATH)):
        try:
            if isinstance(gateway, Mapping) and get_bool(gateway, "enabled") is True:
                result.append(gateway)
        except Undecidable:
            continue
    return result


def _egress_problems(gateway: Mapping[str, object]) -> list[str]:
    name = get_str(gateway, "name")
    where = f"{EGRESS_PATH}[name={name!r}]"
    problems: list[str] = []
    if not name or not sm.EGRESS_GATEWAY_NAME_PATTERN.match(name) or len(name) > sm.EGRESS_GATEWAY_NAME_MAX_LENGTH:
        problems.append(
            f"{where}.name must be 1-{sm.EGRESS_GATEWAY_NAME_MAX_LENGTH} characters of lower-case letters, digits, "
            "'-' and '.' (DNS subdomain)."
        )
    if not get_str(gateway, "gatewayConfigurationName"):
        problems.append(
            f"{where}.gatewayConfigurationName is missing; it must name a StaticGatewayConfiguration in the "
            f"gateway's namespace (default {sm.ADDON_EGRESS_NAMESPACE})."
        )
    return problems


def _pod_subnet_problem(pool: Pool) -> list[str]:
    if not get_str(pool.props, pool.shape.pod_subnet):
        return []
    return [
        f"agentPoolProfiles[{pool.label}].{pool.shape.pod_subnet} is set: Static Egress Gateway, and so the "
        "Istio egress gateway, is not supported on Azure CNI Pod Subnet clusters; use Azure CNI Overlay."
    ]


def check_egress_prerequisites(props: Props, config: Config = NO_CONFIG) -> list[str]:
    gateways = _enabled_egress(props)
    if not gateways or not istio_enabled(props):
        return []
    messages = each(gateways, _egress_problems)
    if len(gateways) > sm.MAX_EGRESS_GATEWAYS:
        messages.append(f"{len(gateways)} egress gateways; at most {sm.MAX_EGRESS_GATEWAYS} per cluster.")
    if get_bool(props, sm.STATIC_EGRESS_PROFILE_PATH) is not True:
        messages.append(
            f"{sm.STATIC_EGRESS_PROFILE_PATH} must be true: Istio egress gateways require Static Egress Gateway "
            "(az aks update --enable-static-egress-gateway)."
        )
    messages.extend(each(node_pools(props, MANAGED_CLUSTER), _pod_subnet_problem))
    return messages


def _gateway_pool(pool: Pool) -> bool:
    try:
        return pool.mode() == sm.GATEWAY_POOL_MODE
    except Undecidable:
        return True  # unknown mode: it may well be the gateway pool; never a false violation


def check_egress_stack(resources: Sequence[StackResource], config: Config = NO_CONFIG) -> list[Finding]:
    clusters = of_kind(resources, (MANAGED_CLUSTER,))
    pools = of_kind(resources, (AGENT_POOL,))
    configurations = {
        (metadata_namespace(r.props), metadata_name(r.props))
        for r in of_kind(resources, STATIC_GATEWAY_CONFIGURATION_KINDS)
    }
    findings: list[Finding] = []
    for cluster in clusters:
        gateways = _enabled_egress(cluster.props) if istio_enabled(cluster.props) else []
        if not gateways:
            continue
        own_pools = [Pool(p.props, AZURE_NATIVE.pool) for p in pools if linked(p, cluster, clusters)]
        if not any(_gateway_pool(p) for p in [*node_pools(cluster.props, MANAGED_CLUSTER), *own_pools]):
            findings.append(
                (
                    cluster.urn,
                    f"egress gateways are enabled but no node pool has mode {sm.GATEWAY_POOL_MODE!r}; add an "
                    "AgentPool with mode Gateway and gatewayProfile.publicIPPrefixSize 28-31 for Static Egress "
                    "Gateway.",
                )
            )
        if config.get("requireStaticGatewayConfiguration", True):
            for gateway in gateways:
                wanted = (
                    get_str(gateway, "namespace") or sm.ADDON_EGRESS_NAMESPACE,
                    get_str(gateway, "gatewayConfigurationName"),
                )
                if wanted[1] and wanted not in configurations:
                    findings.append(
                        (
                            cluster.urn,
                            f"egress gateway {get_str(gateway, 'name')!r} references StaticGatewayConfiguration "
                            f"{wanted[1]!r} in namespace {wanted[0]!r}, which this program does not declare; declare "
                            f"it ({sm.STATIC_GATEWAY_CONFIGURATION_API}) in that namespace and wait for "
                            ".status.egressIpPrefix, or waive this policy if another program owns it.",
                        )
                    )
    return findings


EGRESS = resource_policy(
    Meta(
        "managedcluster-egress-gateway-prerequisites",
        "An Istio egress gateway has a valid name, a gateway configuration and Static Egress Gateway enabled.",
        Severity.HIGH,
        "Enable networkProfile.staticEgressGatewayProfile, name each egress gateway as a DNS subdomain and set its "
        "gatewayConfigurationName; do not use Azure CNI Pod Subnet.",
        DOCS + "istio-deploy-egress",
        TAGS,
    ),
    (MANAGED_CLUSTER,),
    check_egress_prerequisites,
)

EGRESS_STACK = stack_policy(
    Meta(
        "managedcluster-egress-gateway-resources",
        "An Istio egress gateway has a Gateway-mode node pool and its StaticGatewayConfiguration in the program.",
        Severity.HIGH,
        "Add an AgentPool with mode Gateway and declare the StaticGatewayConfiguration the gateway names, in its "
        "namespace.",
        DOCS + "configure-static-egress-gateway",
        TAGS,
        config={
            "requireStaticGatewayConfiguration": {
                "type": "boolean",
                "default": True,
                "description": "Require the StaticGatewayConfiguration to be declared by the same program.",
            }
        },
    ),
    check_egress_stack,
)

POLICIES: Final = (EGRESS, EGRESS_STACK)
