"""Stand-ins for what Args construction checks but never uses: no Pulumi runtime needed to build them."""

from typing import Any

import pulumi

from aks_istio.kubernetes_provider import PACKAGE


def kubernetes_provider() -> Any:
    """A Kubernetes provider object that never reaches Pulumi's runtime (Args check its kind, nothing more)."""
    provider = object.__new__(pulumi.ProviderResource)
    provider.package = PACKAGE
    return provider


INGRESS_GATEWAY_WIRING: dict[str, Any] = {
    "hpa_revision": "asm-1-30",
    "location": "westeurope",
    "resource_group_name": "rg",
    "vnet_resource_group": "rg",
    "vnet_name": "vnet",
    "node_subnet_id": "id",
    "principal_id": "p",
    "subscription_id": "s",
}
"""IngressGatewayArgs' wiring fields, as plain stand-ins, for tests about its other fields (the Kubernetes provider
is left out: each test says whether it gives one)."""
