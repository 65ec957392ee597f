"""Service ports that say their protocol, so Istio need not sniff it.

Istio picks a port's protocol from `appProtocol`, else from the port name `<protocol>[-<suffix>]`; otherwise it
sniffs the first bytes, which breaks server-first protocols (MySQL, SMTP...) and adds latency
(https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/; upstream IST0118,
PortNameIsNotUnderNamingConvention). Advisory: sniffing works for most HTTP.
"""

from __future__ import annotations

from typing import Final

from aks_istio.addon import support_matrix as sm

from ..deferred import Finding
from .analysis import Check, Traffic
from .model import CORE, dig, items, text

PROTOCOLS: Final = frozenset(
    {"http", "http2", "https", "grpc", "grpc-web", "tcp", "tls", "mongo", "mysql", "redis", "udp"}
)
KUBERNETES_APP_PROTOCOLS: Final = frozenset({"kubernetes.io/h2c", "kubernetes.io/ws", "kubernetes.io/wss"})
SYSTEM_NAMESPACE_PREFIXES: Final = ("kube-", "aks-istio-", "gatekeeper-")


def named_protocol(name: str) -> bool:
    """`http`, `http-web`, `grpc-web-api`: the name starts with a protocol Istio knows."""
    lowered = name.lower()
    return any(lowered == p or lowered.startswith(p + "-") for p in PROTOCOLS)


def check_port_protocols(traffic: Traffic) -> list[Finding]:
    found: list[Finding] = []
    for service in traffic.objects.of(CORE, "Service"):
        namespace = service.namespace
        if not isinstance(namespace, str) or namespace.startswith(SYSTEM_NAMESPACE_PREFIXES):
            continue
        if namespace == sm.ADDON_INGRESS_NAMESPACE or text(service.spec, "type") == "ExternalName":
            continue
        for index, port in enumerate(items(service.spec, "ports")):
            protocol, name = text(port, "appProtocol"), text(port, "name")
            if isinstance(protocol, str) and (protocol.lower() in PROTOCOLS or protocol in KUBERNETES_APP_PROTOCOLS):
                continue
            if protocol is not None and not isinstance(protocol, str):
                continue  # unknown at preview
            if isinstance(name, str) and named_protocol(name):
                continue
            if name is not None and not isinstance(name, str):
                continue
            number = dig(port, "port")
            said = f"named {name!r}" if isinstance(name, str) else "without a name"
            found.append(
                (
                    service.urn,
                    f"Service {service.ref}: spec.ports[{index}] (port {number}) is {said} and has no appProtocol, so "
                    "Istio sniffs its protocol (server-first protocols such as MySQL break, and requests wait); name "
                    "it <protocol>[-suffix] (http-web, grpc, tcp-db) or set appProtocol (http, http2, grpc, tcp, tls).",
                )
            )
    return found


PORT_PROTOCOLS: Final = Check(
    "service-port-protocol-explicit",
    "Service ports name their protocol (<protocol>[-suffix]) or set appProtocol, so Istio does not sniff it.",
    "https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/",
    "Name each port http-*, grpc-*, tcp-*, tls-*... or set appProtocol.",
    check_port_protocols,
)

CHECKS: Final = (PORT_PROTOCOLS,)
