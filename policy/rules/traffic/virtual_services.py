"""VirtualServices: bound to Gateways that exist and serve their hosts; routed to hosts and subsets that exist.

Reference behaviour: istioctl analyze's virtualservice analyzers (istio/istio pkg/config/analysis/analyzers/
virtualservice/: a gateway that does not exist, IST0101; a host the Gateway does not serve, IST0132; a destination
host or subset not found, IST0101). Mandatory only where both ends are in the program: a Gateway named without its
namespace while the program declares it in another one (the `ns/` prefix forgotten), or hosts the bound Gateway
does not serve. A reference to something the program does not declare at all is advisory: a shared Gateway, a
Service or a DestinationRule often belongs to another team's program.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from ..deferred import Finding
from .analysis import Check, Traffic
from .gateways import servers
from .hosts import covers, fqdn, gateway_ref, overlap, server_host, service_of
from .model import CORE, ISTIO_NETWORKING, K8sObject, Objects, dig, items, text

ROUTE_SECTIONS: Final = ("http", "tls", "tcp")
URL: Final = "https://istio.io/latest/docs/reference/config/networking/virtual-service/"


def virtual_services(objects: Objects) -> tuple[K8sObject, ...]:
    return objects.of(ISTIO_NETWORKING, "VirtualService")


def gateway_entries(service: K8sObject) -> list[str]:
    """Every gateway a VirtualService names: spec.gateways and its routes' match gateways."""
    entries = [g for g in items(service.spec, "gateways") if isinstance(g, str)]
    for section in ROUTE_SECTIONS:
        for rule in items(service.spec, section):
            for match in items(rule, "match"):
                entries.extend(g for g in items(match, "gateways") if isinstance(g, str))
    return list(dict.fromkeys(entries))


def references(service: K8sObject) -> Iterator[tuple[str, tuple[str, str]]]:
    """(entry as written, (namespace, name)) of every Gateway the VirtualService binds to."""
    if not isinstance(service.namespace, str):
        return
    for entry in gateway_entries(service):
        ref = gateway_ref(entry, service.namespace)
        if ref is not None:
            yield entry, ref


def _hosts(service: K8sObject) -> list[str]:
    return [h for h in items(service.spec, "hosts") if isinstance(h, str)]


def _served(service: K8sObject, gateway: K8sObject, host: str) -> bool:
    """Does a server of `gateway` serve `host` to VirtualServices of the service's namespace?"""
    gateway_namespace = gateway.namespace if isinstance(gateway.namespace, str) else ""
    for _, server in servers(gateway):
        for entry in items(server, "hosts"):
            if not isinstance(entry, str):
                return True  # unknown at preview: cannot decide
            allowed, dns_name = server_host(entry, gateway_namespace)
            if allowed in (None, service.namespace) and overlap(dns_name, host):
                return True
    return False


def check_bound(traffic: Traffic) -> list[Finding]:
    objects = traffic.objects
    found: list[Finding] = []
    if objects.uncertain(ISTIO_NETWORKING, "Gateway"):
        return found
    for service in virtual_services(objects):
        for entry, (namespace, name) in references(service):
            bound = objects.named(ISTIO_NETWORKING, "Gateway", namespace, name)
            if not bound:
                elsewhere = sorted(g.ref for g in objects.of(ISTIO_NETWORKING, "Gateway") if g.name == name)
                if elsewhere:
                    found.append(
                        (
                            service.urn,
                            f"VirtualService {service.ref}: gateway {entry!r} means {namespace}/{name}, which does not "
                            f"exist; this program declares {', '.join(elsewhere)}. Write the namespace: "
                            f"gateways: [{elsewhere[0]}].",
                        )
                    )
                continue
            # As upstream's IST0132: a host the Gateway does not serve may be meant for another gateway or the mesh;
            # a binding none of whose hosts the Gateway serves is surely dead.
            hosts = _hosts(service)
            if hosts and not any(_served(service, g, h) for g in bound for h in hosts):
                found.append(
                    (
                        service.urn,
                        f"VirtualService {service.ref}: none of its hosts ({', '.join(hosts)}) is served by Gateway "
                        f"{bound[0].ref} to namespace {service.namespace} (its servers' hosts decide, with their "
                        "namespace/ prefix), so its routes are never used at that gateway; add the hosts to the "
                        "Gateway's servers, or route hosts it serves.",
                    )
                )
    return found


# --- Advisory: what the program does not declare ------------------------------------------------------------------
def destinations(service: K8sObject) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(where, destination) of every route and mirror destination."""
    for section in ROUTE_SECTIONS:
        for index, rule in enumerate(items(service.spec, section)):
            for number, entry in enumerate(items(rule, "route")):
                destination = dig(entry, "destination")
                if isinstance(destination, Mapping):
                    yield f"spec.{section}[{index}].route[{number}]", destination
            mirror = dig(rule, "mirror")
            if isinstance(mirror, Mapping):
                yield f"spec.{section}[{index}].mirror", mirror


def in_service_entry(objects: Objects, host: str) -> bool:
    """Does a ServiceEntry of the program (wildcards included) declare `host`?"""
    return any(
        any(isinstance(h, str) and covers(h, host) for h in items(entry.spec, "hosts"))
        for entry in objects.of(ISTIO_NETWORKING, "ServiceEntry")
    )


def declared_host(traffic: Traffic, host: str) -> bool | None:
    """Is `host` a Service, a ServiceEntry host or an add-on gateway of this program? None: cannot tell."""
    objects = traffic.objects
    if in_service_entry(objects, host):
        return True
    if any(g.host == host for g in traffic.mesh.gateways()):
        return True
    service = service_of(host)
    if service is None:
        return False
    namespace, name = service
    if objects.named(CORE, "Service", namespace, name):
        return True
    if objects.uncertain(CORE, "Service") or objects.opaque(namespace):
        return None
    return False


def subsets(objects: Objects, host: str) -> list[str] | None:
    """Subset names the program's DestinationRules give `host`; None when no DestinationRule is for it."""
    names: list[str] | None = None
    for rule in objects.of(ISTIO_NETWORKING, "DestinationRule"):
        rule_host = text(rule.spec, "host")
        if not isinstance(rule_host, str) or not isinstance(rule.namespace, str):
            continue
        if covers(fqdn(rule_host, rule.namespace), host):
            declared = [text(subset, "name") for subset in items(rule.spec, "subsets")]
            names = [*(names or []), *(name for name in declared if isinstance(name, str))]
    return names


def check_references(traffic: Traffic) -> list[Finding]:
    objects = traffic.objects
    found: list[Finding] = []
    for service in virtual_services(objects):
        if not isinstance(service.namespace, str):
            continue
        if not objects.uncertain(ISTIO_NETWORKING, "Gateway"):
            for entry, (namespace, name) in references(service):
                if not any(g.name == name for g in objects.of(ISTIO_NETWORKING, "Gateway")):
                    found.append(
                        (
                            service.urn,
                            f"VirtualService {service.ref}: gateway {entry!r} ({namespace}/{name}) is not declared in "
                            "this program; if another program declares it, keep the namespace/ prefix and waive this; "
                            "otherwise declare the Gateway or fix the name.",
                        )
                    )
        for where, destination in destinations(service):
            host = text(destination, "host")
            if not isinstance(host, str):
                continue
            full = fqdn(host, service.namespace)
            if declared_host(traffic, full) is False:
                found.append(
                    (
                        service.urn,
                        f"VirtualService {service.ref}: {where}.destination.host {host!r} ({full}) is no Service, "
                        "ServiceEntry or add-on gateway this program declares; traffic to it fails unless another "
                        "program declares it. Use the Service's name (name.namespace.svc.cluster.local) or add a "
                        "ServiceEntry.",
                    )
                )
                continue
            subset = text(destination, "subset")
            if not isinstance(subset, str):
                continue
            known = subsets(objects, full)
            if known is None or subset not in known:
                have = (
                    f"its DestinationRules define {', '.join(known) or 'no subsets'}"
                    if known is not None
                    else ("no DestinationRule of this program is for that host")
                )
                found.append(
                    (
                        service.urn,
                        f"VirtualService {service.ref}: {where}.destination.subset {subset!r} of {full}: {have}; "
                        "requests to an undefined subset fail (503). Declare the subset in a DestinationRule for the "
                        "host, or drop it.",
                    )
                )
    return found


BOUND: Final = Check(
    "virtualservice-gateway-bound",
    "A VirtualService names its Gateways with their namespace and routes hosts those Gateways serve.",
    URL,
    "Write gateways as <namespace>/<name> (a short name means the VirtualService's own namespace) and keep its "
    "hosts among the Gateway servers' hosts.",
    check_bound,
)

REFERENCES: Final = Check(
    "virtualservice-references-declared",
    "A VirtualService's gateways, destination hosts and subsets are declared in the program.",
    URL,
    "Declare the Gateway, Service (or ServiceEntry) and DestinationRule subset, or waive this where another "
    "program declares them.",
    check_references,
)

CHECKS: Final = (BOUND, REFERENCES)
