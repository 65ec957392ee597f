"""The add-on's classic ingress gateways: their Services, the Service annotations and fields AKS lets users set,
and the HPA limits (https://learn.microsoft.com/azure/aks/istio-deploy-ingress, istio-scale). Pure data.
"""

from __future__ import annotations

from typing import Final

INGRESS_GATEWAY_MODES: Final = ("External", "Internal")
INGRESS_GATEWAY_SERVICES: Final = {
    "External": "aks-istio-ingressgateway-external",
    "Internal": "aks-istio-ingressgateway-internal",
}
# The gateway pods carry `istio: <service name>`: an Istio Gateway selects the add-on's gateway by that label
# ("selector must refer to the external ingress gateway by its label", https://learn.microsoft.com/azure/aks/istio-deploy-ingress).
INGRESS_GATEWAY_SELECTOR_LABEL: Final = "istio"
# The Services' traffic ports and their names (15021 is the status port); more cannot be added
# ("port or protocol configuration is currently not supported", https://learn.microsoft.com/azure/aks/istio-about;
# Azure/AKS#3790).
INGRESS_GATEWAY_PORTS: Final = {80: "http2", 443: "https"}
INGRESS_GATEWAY_HTTP_PORT: Final = 80
INGRESS_GATEWAY_HTTPS_PORT: Final = 443
# "We support up to one external ingress gateway ... and one internal" (SDK IstioIngressGateway docstring).
MAX_INGRESS_GATEWAYS_PER_MODE: Final = 1

# Service annotations AKS lets users set on the add-on's ingress gateway Services (AKSDOCS
# istio-deploy-ingress.md §Annotations; list added 2024-09-18, probe annotations 2026-01-26).
ALLOWED_GATEWAY_SERVICE_ANNOTATIONS: Final = frozenset(
    {
        "external-dns.alpha.kubernetes.io/hostname",
        "service.beta.kubernetes.io/azure-allowed-ip-ranges",
        "service.beta.kubernetes.io/azure-allowed-service-tags",
        "service.beta.kubernetes.io/azure-disable-load-balancer-floating-ip",
        "service.beta.kubernetes.io/azure-load-balancer-internal-subnet",
        "service.beta.kubernetes.io/azure-load-balancer-ipv4",
        "service.beta.kubernetes.io/azure-load-balancer-disable-tcp-reset",
        "service.beta.kubernetes.io/azure-load-balancer-resource-group",
        "service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout",
        "service.beta.kubernetes.io/azure-pip-ip-tags",
        "service.beta.kubernetes.io/azure-pip-name",
        "service.beta.kubernetes.io/azure-shared-securityrule",
    }
)
# Health-probe annotations are allowed for ports 80 and 443 only (same doc).
HEALTH_PROBE_PORTS: Final = (80, 443)
HEALTH_PROBE_ANNOTATION_SUFFIXES: Final = (
    "no_lb_rule",
    "no_probe_rule",
    "health-probe_protocol",
    "health-probe_port",
    "health-probe_interval",
    "health-probe_num-of-probe",
    "health-probe_request-path",
)
ALLOWED_HEALTH_PROBE_ANNOTATIONS: Final = frozenset(
    f"service.beta.kubernetes.io/port_{port}_{suffix}"
    for port in HEALTH_PROBE_PORTS
    for suffix in HEALTH_PROBE_ANNOTATION_SUFFIXES
)
# Annotations under this prefix on a Kubernetes *Patch resource are directives to pulumi-kubernetes
# (patchForce, patchFieldManager: how the server-side apply is made), not Service settings AKS judges.
PULUMI_PATCH_DIRECTIVE_PREFIX: Final = "pulumi.com/"
# Besides annotations only `.spec.externalTrafficPolicy` may be changed; "port or protocol configuration is
# currently not supported" (https://learn.microsoft.com/azure/aks/istio-about, istio-deploy-ingress.md).
ALLOWED_GATEWAY_SERVICE_SPEC_FIELDS: Final = frozenset({"externalTrafficPolicy"})
EXTERNAL_TRAFFIC_POLICIES: Final = ("Cluster", "Local")


def is_allowed_gateway_annotation(key: str) -> bool:
    return key in ALLOWED_GATEWAY_SERVICE_ANNOTATIONS or key in ALLOWED_HEALTH_PROBE_ANNOTATIONS


def allowed_gateway_annotations() -> list[str]:
    return sorted(ALLOWED_GATEWAY_SERVICE_ANNOTATIONS | ALLOWED_HEALTH_PROBE_ANNOTATIONS)


# HPA for istiod and the gateways: default 2..5 at 80% CPU; "the add-on does not allow setting the
# minReplicas below the initial default of 2" (https://learn.microsoft.com/azure/aks/istio-scale).
GATEWAY_HPA_MIN_REPLICAS: Final = 2
GATEWAY_HPA_DEFAULT_MAX_REPLICAS: Final = 5
# HPAs (and Deployments) are per revision: `aks-istio-ingressgateway-{external|internal}-asm-1-NN` in
# aks-istio-ingress (https://learn.microsoft.com/azure/aks/istio-scale); egress Deployments are `<name>-<asm-rev>`
# (istio-deploy-egress.md)
# and their HPA follows the same naming.
GATEWAY_SERVICE_ANNOTATION_PIP_NAME: Final = "service.beta.kubernetes.io/azure-pip-name"
GATEWAY_SERVICE_ANNOTATION_PIP_RESOURCE_GROUP: Final = "service.beta.kubernetes.io/azure-load-balancer-resource-group"
GATEWAY_SERVICE_ANNOTATION_IPV4: Final = "service.beta.kubernetes.io/azure-load-balancer-ipv4"
GATEWAY_SERVICE_ANNOTATION_INTERNAL_SUBNET: Final = "service.beta.kubernetes.io/azure-load-balancer-internal-subnet"
GATEWAY_SERVICE_ANNOTATION_SERVICE_TAGS: Final = "service.beta.kubernetes.io/azure-allowed-service-tags"
GATEWAY_SERVICE_ANNOTATION_IP_RANGES: Final = "service.beta.kubernetes.io/azure-allowed-ip-ranges"
# Set by the add-on on the internal Service; Gateway API gateways need it in spec.infrastructure.annotations
# (https://learn.microsoft.com/azure/aks/istio-gateway-api).
LOAD_BALANCER_INTERNAL_ANNOTATION: Final = "service.beta.kubernetes.io/azure-load-balancer-internal"


def gateway_hpa_name(gateway: str, revision: str) -> str:
    """`aks-istio-ingressgateway-external` + `asm-1-30` -> `aks-istio-ingressgateway-external-asm-1-30`."""
    return f"{gateway}-{revision}"
