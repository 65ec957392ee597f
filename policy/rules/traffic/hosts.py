"""Istio's names for hosts and gateways, as istiod resolves them (istio.io/latest/docs/reference/config/networking/).

A short host (`reviews`) is the Service of that name in the rule's own namespace; any host with a dot is taken as
written (`reviews.prod` is not expanded). A `gateways` entry is `mesh`, `<namespace>/<name>`, a short name (the
rule's namespace) or `<name>.<namespace>.svc.cluster.local`. A Gateway server host is `[namespace/]dnsName`, where
the namespace part says which namespaces' VirtualServices may bind to it (`*` any, `.` the Gateway's own, `~`
none).
"""

from __future__ import annotations

from typing import Final

CLUSTER_SUFFIX: Final = ".svc.cluster.local"
MESH_GATEWAY: Final = "mesh"


def fqdn(host: str, namespace: str) -> str:
    """A host as istiod reads it in a rule of `namespace`."""
    if host.startswith("*") or "." in host:
        return host
    return f"{host}.{namespace}{CLUSTER_SUFFIX}"


def covers(pattern: str, host: str) -> bool:
    """Does the (possibly wildcard) host `pattern` include `host` (itself possibly a wildcard)?"""
    if pattern == "*" or pattern == host:
        return True
    return pattern.startswith("*.") and host.endswith(pattern[1:])


def overlap(first: str, second: str) -> bool:
    """Do two host patterns share a host?"""
    return covers(first, second) or covers(second, first)


def gateway_ref(entry: str, namespace: str) -> tuple[str, str] | None:
    """(namespace, name) of a `gateways` entry of a rule in `namespace`; None for `mesh`."""
    if entry == MESH_GATEWAY:
        return None
    if "/" in entry:
        gateway_namespace, _, name = entry.partition("/")
        return gateway_namespace, name
    if entry.endswith(CLUSTER_SUFFIX) and entry.count(".") >= 4:
        name, gateway_namespace = entry.split(".")[:2]
        return gateway_namespace, name
    return namespace, entry


def server_host(entry: str, gateway_namespace: str) -> tuple[str | None, str]:
    """(namespace allowed to bind, or None for any; dnsName) of a Gateway server host; `~` allows none ("~")."""
    if "/" not in entry:
        return None, entry
    allowed, _, dns_name = entry.partition("/")
    if allowed == "*":
        return None, dns_name
    return (gateway_namespace if allowed == "." else allowed), dns_name


def service_of(host: str) -> tuple[str, str] | None:
    """(namespace, name) of a cluster Service host `name.namespace.svc.cluster.local`; None for any other host."""
    if host.startswith("*") or not host.endswith(CLUSTER_SUFFIX):
        return None
    parts = host[: -len(CLUSTER_SUFFIX)].split(".")
    return (parts[1], parts[0]) if len(parts) == 2 else None
