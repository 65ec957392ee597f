"""Managed Gateway API with the add-on (GA 2026-05): cluster prerequisites, and Gateways of class istio.

https://learn.microsoft.com/azure/aks/istio-gateway-api. azure-native only: the classic provider (pulumi-azure 6.x) has
no
`ingressProfile.gatewayAPI`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from pulumi_policy import Severity

from aks_istio.addon import rules
from aks_istio.addon import support_matrix as sm

from ._common import (
    DOCS,
    GATEWAY_API_GATEWAY_KINDS,
    MANAGED_CLUSTER,
    NO_CONFIG,
    Config,
    Props,
    Undecidable,
    decided,
    get_str,
    metadata_name,
)
from .clusters import istio_enabled, mesh_clusters, mesh_revisions
from .deferred import Finding
from .factories import Meta, resource_policy, stack_policy
from .stack import StackResource, of_kind

TAGS: Final = ("aks", "istio", "service-mesh", "gateway-api")
ISTIO_PATH: Final = "serviceMeshProfile.istio"


def check_gateway_api_prerequisites(props: Props, config: Config = NO_CONFIG) -> list[str]:
    installation = get_str(props, sm.GATEWAY_API_INSTALLATION_PATH)
    if installation != sm.GATEWAY_API_INSTALLATION_STANDARD or not istio_enabled(props):
        return []
    # The same rule config validation and GatewayApiIngressArgs apply (aks_istio.addon.rules).
    messages = [
        f"{ISTIO_PATH}.revisions: {revision} is older than {sm.GATEWAY_API_MIN_REVISION}, the first revision with "
        "Gateway API support in the add-on; upgrade the mesh revision first."
        for revision in rules.revisions_without_gateway_api(mesh_revisions(props))
    ]
    app_routing = get_str(props, sm.APP_ROUTING_ISTIO_MODE_PATH)
    if app_routing is not None and app_routing.lower() == "enabled":
        messages.append(
            f"{sm.APP_ROUTING_ISTIO_MODE_PATH} is Enabled: the app-routing Gateway API implementation cannot coexist "
            "with the Istio add-on's; disable it in a separate operation first."
        )
    return messages


def _istio_gateway(resource: StackResource) -> bool:
    try:
        return get_str(resource.props, "spec.gatewayClassName") == sm.GATEWAY_API_CLASS_NAME
    except Undecidable:
        return False


def check_gateway_api_stack(resources: Sequence[StackResource], config: Config = NO_CONFIG) -> list[Finding]:
    gateways = [g for g in of_kind(resources, GATEWAY_API_GATEWAY_KINDS) if _istio_gateway(g)]
    clusters = mesh_clusters(resources)
    if not gateways or not clusters:
        return []  # the cluster is another program's: nothing to compare with
    if any(decided(_gateway_api_on, c.props, default=True) for c in clusters):
        return []
    return [
        (
            gateway.urn,
            f"Gateway {metadata_name(gateway.props)!r} uses gatewayClassName {sm.GATEWAY_API_CLASS_NAME!r} but no "
            f"Istio cluster in this program sets {sm.GATEWAY_API_INSTALLATION_PATH}: "
            f"{sm.GATEWAY_API_INSTALLATION_STANDARD} (needs ARM API >= {sm.GATEWAY_API_MIN_ARM_API_VERSION} and "
            f"revision >= {sm.GATEWAY_API_MIN_REVISION}); enable the managed Gateway API CRDs.",
        )
        for gateway in gateways
    ]


def _gateway_api_on(cluster: Props) -> bool:
    return get_str(cluster, sm.GATEWAY_API_INSTALLATION_PATH) == sm.GATEWAY_API_INSTALLATION_STANDARD


GATEWAY_API = resource_policy(
    Meta(
        "managedcluster-gateway-api-prerequisites",
        "Managed Gateway API with the add-on needs revision asm-1-26 or later and no app-routing Istio.",
        Severity.HIGH,
        "Upgrade to asm-1-26 or later and disable ingressProfile.webAppRouting.gatewayAPIImplementations."
        "appRoutingIstio before enabling ingressProfile.gatewayAPI.installation Standard.",
        DOCS + "istio-gateway-api",
        TAGS,
    ),
    (MANAGED_CLUSTER,),
    check_gateway_api_prerequisites,
)

GATEWAY_API_STACK = stack_policy(
    Meta(
        "gateway-istio-class-requires-managed-gateway-api",
        "A Gateway of class istio needs its cluster to install the managed Gateway API CRDs.",
        Severity.HIGH,
        "Set ingressProfile.gatewayAPI.installation to Standard on the ManagedCluster (ARM API 2026-02-01 or later).",
        DOCS + "istio-gateway-api",
        TAGS,
    ),
    check_gateway_api_stack,
)

POLICIES: Final = (GATEWAY_API, GATEWAY_API_STACK)
