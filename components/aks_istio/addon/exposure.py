"""What is open to the whole internet: an address range of the whole address space, the external ingress gateway's
Service from its annotations, the API server from its authorized IP ranges.

Pure data and functions (no Pulumi, no pydantic): config validation calls them on what a stack would set, and the
policy pack on what any program sets, so the two never judge exposure differently.

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
from collections.abc import Iterable, Mapping, Sequence
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


def whole_address_space(value: str) -> bool:
    """True for a range that admits every address (`0.0.0.0/0`, `::/0`, any /0); False for anything else,
    including what is not a range (reported by whatever validates the value)."""
    try:
        return ipaddress.ip_network(value.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


def open_ranges(ranges: Iterable[str]) -> list[str]:
    """The ranges in `ranges` that admit every address."""
    return [value for value in ranges if whole_address_space(value)]


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
    whole = open_ranges(ranges)
    return f"the range {whole[0]!r} is the whole address space" if whole else None


def api_server_open_to_internet(authorized_ip_ranges: Sequence[str], *, private_cluster: bool) -> str | None:
    """Why a cluster's API server is reachable from the whole internet, or None when it is private or limited to
    ranges that are not the whole address space. An authorized range of the whole address space is no restriction
    (https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges)."""
    if private_cluster:
        return None
    if not authorized_ip_ranges:
        return "it is public and no authorized IP ranges limit who reaches it"
    whole = open_ranges(authorized_ip_ranges)
    if whole:
        return f"it is public and the authorized range {whole[0]!r} is the whole address space"
    return None
