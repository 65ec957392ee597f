"""The traffic analysis as the pack registers it: five policies, each a concern with its checks, at the level its
checks are sure of (analysis.py, `traffic_policy`: why several checks share a policy)."""

from __future__ import annotations

from typing import Final

from pulumi_policy import EnforcementLevel, Severity

from .._common import DOCS
from ..factories import Meta
from . import gateway_api, gateways, mtls, placement, services, virtual_services
from .analysis import TAGS, traffic_policy

GATEWAY_SERVES: Final = traffic_policy(
    Meta(
        "gateway-serves-traffic",
        "An Istio Gateway selects a gateway that runs, names a TLS credential its pods can read, serves ports its "
        "Service exposes and conflicts with no other Gateway.",
        Severity.HIGH,
        "Select the add-on's gateway by its label (istio: aks-istio-ingressgateway-external or -internal), keep the "
        "TLS credential in aks-istio-ingress, serve on 80 and 443, and give each Gateway its own hosts.",
        DOCS + "istio-deploy-ingress",
        (*TAGS, "gateway"),
    ),
    (gateways.SELECTOR, gateways.CREDENTIAL, gateways.PORTS, gateways.CONFLICTS),
)
ROUTE_ATTACHES: Final = traffic_policy(
    Meta(
        "route-attaches-to-gateway",
        "A VirtualService or Gateway API route binds to a Gateway that exists where it says, serves its hosts and "
        "admits it, and routes to a port its destination exposes.",
        Severity.HIGH,
        "Name Gateways with their namespace, route hosts the Gateway serves, let the listener's allowedRoutes admit "
        "the route, route to the destination's ports, and use TLSRoute from asm-1-30.",
        DOCS + "istio-gateway-api",
        (*TAGS, "gateway-api", "virtualservice"),
    ),
    (virtual_services.BOUND, virtual_services.PORT_EXISTS, gateway_api.ATTACHMENT, gateway_api.TLS_ROUTE),
)
MESH_POLICY_APPLIES: Final = traffic_policy(
    Meta(
        "mesh-policy-applies",
        "Mesh policies apply as written: mesh-wide ones in aks-istio-system, no DestinationRule sending plain text to "
        "STRICT workloads, one Sidecar per workload.",
        Severity.HIGH,
        "Put mesh-wide policies in aks-istio-system, drop tls.mode DISABLE towards STRICT workloads, and keep one "
        "selector-less Sidecar per namespace with non-overlapping workloadSelectors for the others.",
        DOCS + "istio-deploy-addon",
        (*TAGS, "mtls", "sidecar"),
    ),
    (mtls.MTLS_CONFLICT, placement.ROOT_NAMESPACE, placement.SIDECARS),
)
REFERENCES_DECLARED: Final = traffic_policy(
    Meta(
        "traffic-references-declared",
        "What Gateways and routes refer to is declared in the program: TLS credentials, Gateways, destination hosts "
        "and subsets, ReferenceGrants, the istio GatewayClass.",
        Severity.MEDIUM,
        "Declare the referenced object, or waive the finding where another program declares it.",
        DOCS + "istio-secure-gateway",
        TAGS,
        EnforcementLevel.ADVISORY,
    ),
    (gateways.CREDENTIAL_DECLARED, virtual_services.REFERENCES, gateway_api.REFERENCES, gateway_api.CLASS),
)
CONFIG_EXPLICIT: Final = traffic_policy(
    Meta(
        "traffic-config-explicit",
        "Traffic config says what it means: selectors that match workloads, Service ports that name their protocol, "
        "routes that name the port of a multi-port destination, TLS origination that verifies the server.",
        Severity.LOW,
        "Use the pods' labels in selectors, name ports <protocol>[-suffix] or set appProtocol, set "
        "destination.port where the destination has several, and set caCertificates where a DestinationRule "
        "originates TLS.",
        "https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/",
        TAGS,
        EnforcementLevel.ADVISORY,
    ),
    (placement.SELECTORS, services.PORT_PROTOCOLS, virtual_services.PORT_SELECTED, mtls.TLS_ORIGINATION),
)

POLICIES: Final = (GATEWAY_SERVES, ROUTE_ATTACHES, MESH_POLICY_APPLIES, REFERENCES_DECLARED, CONFIG_EXPLICIT)
