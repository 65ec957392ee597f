"""VirtualServices: bound to Gateways that exist and serve their hosts; routed to hosts, subsets and ports that exist.

Reference behaviour: istioctl analyze's virtualservice analyzers (istio/istio pkg/config/analysis/analyzers/
virtualservice/: a gateway that does not exist, IST0101; a host the Gateway does not serve, IST0132; a destination
host or subset not found, IST0101; a destination port the Service does not expose, IST0101 `host:port`; no
destination port for a Service with several, IST0112 VirtualServiceDestinationPortSelectorRequired,
https://istio.io/latest/docs/reference/config/analysis/ist0112/). Mandatory only where both ends are in the
program: a Gateway named without its namespace while the program declares it in another one (the `ns/` prefix
forgotten), hosts the bound Gateway does not serve, a port the program's Service does not expose. A reference to
something the program does not declare at all is advisory: a shared Gateway, a Service or a DestinationRule often
belongs to another team's program.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from ..deferred import Finding
from .analysis import Check, Traffic
from .gateways import servers
from .hosts import covers, fqdn, gateway_ref, overlap, server_host, service_of
from .model import CORE, ISTIO_NETWORKING, UNKNOWN, K8sObject, Objects, Unknown, dig, items, text

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


# --- Destination ports (IST0101 host:port, IST0112) ------------------------------------------------------------------
# Without `destination.port`, istiod sends a request to the destination's only port, or, when it has several, to
# the port the request arrived on: at a Gateway, its server's port (istio/istio pilot/pkg/networking/core/route
# GetDestinationCluster; https://istio.io/latest/docs/reference/config/networking/virtual-service/#Destination: "If
# a service exposes only a single port it is not required to explicitly select the port").


def _number(value: object) -> int | Unknown | None:
    """A port number as the engine sends it (a double), UNKNOWN when not known at preview or not a number."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        return int(value)
    return UNKNOWN


def destination_ports(objects: Objects, host: str) -> tuple[str, list[int]] | None:
    """(what, its ports) of the Services and ServiceEntries of the program that `host` (a full name) reaches; None
    when there is none, or when any of their ports is unknown (nothing to judge against)."""
    targets: list[tuple[str, list[int | Unknown | None]]] = []
    service = service_of(host)
    if service is not None:
        namespace, name = service
        for declared in objects.named(CORE, "Service", namespace, name):
            if text(declared.spec, "type") != "ExternalName":
                ports = [_number(dig(port, "port")) for port in items(declared.spec, "ports")]
                targets.append((f"Service {declared.ref}", ports))
    for entry in objects.of(ISTIO_NETWORKING, "ServiceEntry"):
        if any(isinstance(h, str) and covers(h, host) for h in items(entry.spec, "hosts")):
            targets.append(
                (f"ServiceEntry {entry.ref}", [_number(dig(port, "number")) for port in items(entry.spec, "ports")])
            )
    numbers = [n for _, ports in targets for n in ports]
    if not targets or not numbers or any(not isinstance(n, int) for n in numbers):
        return None
    return ", ".join(what for what, _ in targets), sorted({n for n in numbers if isinstance(n, int)})


def gateway_ports(objects: Objects, service: K8sObject) -> list[int] | None:
    """The ports the VirtualService's Gateways listen on (its routes run there); None when it binds no Gateway of
    the program or any of their ports is unknown."""
    ports: list[int | Unknown | None] = []
    bound = [objects.named(ISTIO_NETWORKING, "Gateway", ns, name) for _, (ns, name) in references(service)]
    if not bound or any(not gateways for gateways in bound):
        return None
    for gateway in (g for gateways in bound for g in gateways):
        ports += [_number(dig(server, "port", "number")) for _, server in servers(gateway)]
    if not ports or any(not isinstance(p, int) for p in ports):
        return None
    return sorted({p for p in ports if isinstance(p, int)})


def port_findings(traffic: Traffic) -> list[tuple[K8sObject, str, bool]]:
    """(VirtualService, message, sure) for each destination whose port does not reach its Service: `sure` when
    traffic surely fails (a port the destination lacks, or none while the Gateway's port is not among its ports),
    else the ambiguity upstream's IST0112 reports."""

    def compute() -> list[tuple[K8sObject, str, bool]]:
        objects = traffic.objects
        found: list[tuple[K8sObject, str, bool]] = []
        for service in virtual_services(objects):
            if not isinstance(service.namespace, str):
                continue
            for where, destination in destinations(service):
                host = text(destination, "host")
                target = destination_ports(objects, fqdn(host, service.namespace)) if isinstance(host, str) else None
                if target is None:
                    continue
                what, ports = target
                listed = ", ".join(map(str, ports))
                number = _number(dig(destination, "port", "number")) if dig(destination, "port") is not None else None
                if isinstance(number, int) and number not in ports:
                    message = (
                        f"VirtualService {service.ref}: {where}.destination.port.number {number} is not a port of "
                        f"{what} (ports {listed}); requests go to a destination that does not exist and fail (503). "
                        f"Route to one of its ports: {listed}."
                    )
                    found.append((service, message, True))
                elif dig(destination, "port") is None and len(ports) > 1:
                    listening = gateway_ports(objects, service)
                    if listening is not None and not set(listening) & set(ports):
                        message = (
                            f"VirtualService {service.ref}: {where}.destination has no port, and {what} exposes "
                            f"several ({listed}): at its Gateway Istio then uses the port the request arrived on "
                            f"({', '.join(map(str, listening))}), which the destination does not have, so every "
                            f"request through the Gateway fails (503). Write destination.port.number: one of {listed}."
                        )
                        found.append((service, message, True))
                    else:
                        message = (
                            f"VirtualService {service.ref}: {where}.destination has no port, and {what} exposes "
                            f"several ({listed}): Istio then uses whichever port the request arrived on, which may "
                            f"not be the one meant (upstream IST0112). Write destination.port.number: one of {listed}."
                        )
                        found.append((service, message, False))
        return found

    return traffic.memoized("virtualservice-destination-ports", compute)


def check_port_exists(traffic: Traffic) -> list[Finding]:
    return [(service.urn, message) for service, message, sure in port_findings(traffic) if sure]


def check_port_selected(traffic: Traffic) -> list[Finding]:
    return [(service.urn, message) for service, message, sure in port_findings(traffic) if not sure]


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

PORT_EXISTS: Final = Check(
    "virtualservice-destination-port-exists",
    "A VirtualService routes to a port its destination Service or ServiceEntry exposes.",
    URL + "#Destination",
    "Set destination.port.number to a port of the destination (required at a Gateway when it has several).",
    check_port_exists,
)

PORT_SELECTED: Final = Check(
    "virtualservice-destination-port-selected",
    "A VirtualService names the destination port when its Service or ServiceEntry exposes several (IST0112).",
    "https://istio.io/latest/docs/reference/config/analysis/ist0112/",
    "Set destination.port.number.",
    check_port_selected,
)

CHECKS: Final = (BOUND, REFERENCES, PORT_EXISTS, PORT_SELECTED)
