"""Whether the external ingress gateway's Service is open to the whole internet, from its annotations.

Pure data and functions (no Pulumi, no pydantic): config validation calls it on the annotations a stack would
set, and the policy pack can call it on the annotations a program sets.

The Azure cloud provider limits a LoadBalancer Service's inbound sources with
`service.beta.kubernetes.io/azure-allowed-service-tags` and `...azure-allowed-ip-ranges`, both on the add-on's
gateway annotation allowlist (https://learn.microsoft.com/azure/aks/istio-deploy-ingress#annotations,
https://cloud-provider-azure.sigs.k8s.io/topics/loadbalancer/#loadbalancer-annotations). Without either, or with
a range of the whole address space or the `Internet` service tag ("the IP address space outside the virtual
network and reachable by the public internet",
https://learn.microsoft.com/azure/virtual-network/service-tags-overview#available-service-tags), anyone reaches it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Final

from aks_istio.addon.support_matrix import (
    GATEWAY_SERVICE_ANNOTATION_IP_RANGES as IP_RANGES_ANNOTATION,
)
from aks_istio.addon.support_matrix import (
    GATEWAY_SERVICE_ANNOTATION_SERVICE_TAGS as SERVICE_TAGS_ANNOTATION,
)

WHOLE_INTERNET_TAGS: Final = frozenset({"internet"})
"""Service tags (lowercase) that stand for every public address."""


def listed(annotations: Mapping[str, str], key: str) -> list[str]:
    """An annotation's comma-separated list, trimmed, empty items dropped."""
    return [item.strip() for item in annotations.get(key, "").split(",") if item.strip()]


def open_to_internet(annotations: Mapping[str, str]) -> str | None:
    """Why a gateway Service with these annotations is reachable from the whole internet, or None when its
    sources are limited (by service tags, IP ranges or both)."""
    tags = listed(annotations, SERVICE_TAGS_ANNOTATION)
    ranges = listed(annotations, IP_RANGES_ANNOTATION)
    if not tags and not ranges:
        return "no allowed service tags or IP ranges limit who reaches it"
    for tag in tags:
        if tag.lower() in WHOLE_INTERNET_TAGS:
            return f"the service tag {tag!r} admits every public address"
    for value in ranges:
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            continue  # not a range: reported by whatever validates the value
        if network.prefixlen == 0:
            return f"the range {value!r} is the whole address space"
    return None
