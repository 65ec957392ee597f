"""Gateway API ingress with the add-on: its class, version floor and the customization allowlist AKS's webhooks
enforce (https://learn.microsoft.com/azure/aks/istio-gateway-api; GA 2026-05-27). Pure data and functions: config
validation, the components and the policy pack all read them (through `aks_istio.addon.support_matrix`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from aks_istio.addon.catalog import parse_revision
from aks_istio.addon.ingress_gateways import GATEWAY_HPA_MIN_REPLICAS

GATEWAY_API_MIN_REVISION: Final = "asm-1-26"
# "TLSRoute (SNI passthrough) is not supported on asm-1-29 and is available from asm-1-30" (same doc, Limitations).
TLS_ROUTE_MIN_REVISION: Final = "asm-1-30"
GATEWAY_API_CLASS_NAME: Final = "istio"
GATEWAY_API_CLASS_DEFAULTS_CONFIGMAP: Final = "istio-gateway-class-defaults"
# First stable ARM API version with `ingressProfile.gatewayAPI` (every BT `types.md` scanned, 2023-02 to 2026-05).
GATEWAY_API_MIN_ARM_API_VERSION: Final = "2026-02-01"
# ARM value that installs the managed (standard-channel) Gateway API CRDs: ingressProfile.gatewayAPI.installation.
GATEWAY_API_INSTALLATION_STANDARD: Final = "Standard"
GATEWAY_API_GROUP: Final = "gateway.networking.k8s.io"
GATEWAY_API_VERSION: Final = "gateway.networking.k8s.io/v1"
# Label that marks the class-level customization ConfigMap in aks-istio-system.
GATEWAY_API_CLASS_DEFAULTS_LABEL: Final = "gateway.istio.io/defaults-for-class"
# "Cannot coexist with the app-routing Gateway API implementation (approuting-istio); disable one first"
# (https://learn.microsoft.com/azure/aks/istio-gateway-api, app-routing-gateway-api.md).
APP_ROUTING_ISTIO_CLASS: Final = "approuting-istio"


def gateway_api_supported(revision: str) -> bool:
    """Gateway API ingress with the add-on needs asm-1-26 or newer (https://learn.microsoft.com/azure/aks/istio-gateway-api)."""
    return parse_revision(revision) >= parse_revision(GATEWAY_API_MIN_REVISION)


# Customization ConfigMap data keys and the fields AKS's webhooks accept under each (same doc, allowlist).
GATEWAY_API_CUSTOMIZATION_ALLOWLIST: Final[dict[str, frozenset[str]]] = {
    "deployment": frozenset(
        {
            "metadata.labels",
            "metadata.annotations",
            "spec.minReadySeconds",
            "spec.replicas",
            "spec.template.metadata.labels",
            "spec.template.metadata.annotations",
            "spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms",
            "spec.template.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution",
            "spec.template.spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution",
            "spec.template.spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution",
            "spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution",
            "spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution",
            "spec.template.spec.containers.resizePolicy",
            "spec.template.spec.containers.resources.limits",
            "spec.template.spec.containers.resources.requests",
            "spec.template.spec.containers.stdin",
            "spec.template.spec.containers.stdinOnce",
            "spec.template.spec.nodeSelector",
            "spec.template.spec.nodeName",
            "spec.template.spec.tolerations",
            "spec.template.spec.topologySpreadConstraints",
            "spec.template.spec.terminationGracePeriodSeconds",
        }
    ),
    "service": frozenset(
        {
            "metadata.labels",
            "metadata.annotations",
            "spec.type",
            "spec.loadBalancerSourceRanges",
            "spec.loadBalancerClass",
            "spec.externalTrafficPolicy",
            "spec.internalTrafficPolicy",
            "spec.healthCheckNodePort",
        }
    ),
    "horizontalPodAutoscaler": frozenset(
        {
            "metadata.labels",
            "metadata.annotations",
            "spec.behavior.scaleUp.stabilizationWindowSeconds",
            "spec.behavior.scaleUp.selectPolicy",
            "spec.behavior.scaleUp.policies",
            "spec.behavior.scaleDown.stabilizationWindowSeconds",
            "spec.behavior.scaleDown.selectPolicy",
            "spec.behavior.scaleDown.policies",
            "spec.metrics",
            "spec.minReplicas",
            "spec.maxReplicas",
        }
    ),
    "podDisruptionBudget": frozenset(
        {
            "metadata.labels",
            "metadata.annotations",
            "spec.minAvailable",
            "spec.unhealthyPodEvictionPolicy",
        }
    ),
}


def gateway_api_customization_problems(data: Mapping[str, object]) -> list[str]:
    """Fields of a Gateway API customization ConfigMap (`data` key -> parsed YAML) outside the allowlist above,
    which the add-on's webhooks block; and an HPA minReplicas below the gateway minimum."""
    problems: list[str] = []
    for key, body in data.items():
        fields = GATEWAY_API_CUSTOMIZATION_ALLOWLIST.get(key)
        if fields is None:
            keys = ", ".join(GATEWAY_API_CUSTOMIZATION_ALLOWLIST)
            problems.append(f"{key!r} is not a customization key; allowed: {keys}")
            continue
        if not isinstance(body, Mapping):
            problems.append(f"{key} must be a mapping of {key} fields")
            continue
        problems += [
            f"{key}.{path} is blocked by the add-on; allowed under {key}: {', '.join(sorted(fields))}"
            for path in _blocked_paths(body, fields, "")
        ]
        spec = body.get("spec")
        replicas = spec.get("minReplicas") if isinstance(spec, Mapping) else None
        if key == "horizontalPodAutoscaler" and isinstance(replicas, int) and replicas < GATEWAY_HPA_MIN_REPLICAS:
            problems.append(f"{key}.spec.minReplicas {replicas} is below {GATEWAY_HPA_MIN_REPLICAS}")
    return problems


def _blocked_paths(body: object, fields: frozenset[str], prefix: str) -> list[str]:
    if prefix and (prefix in fields or any(prefix.startswith(f + ".") for f in fields)):
        return []
    if isinstance(body, Mapping) and body:
        return [p for k, v in body.items() for p in _blocked_paths(v, fields, f"{prefix}.{k}" if prefix else str(k))]
    if isinstance(body, list) and body and all(isinstance(item, Mapping) for item in body):
        # Lists of objects (containers) are transparent: the allowlist names their fields.
        return [p for item in body for p in _blocked_paths(item, fields, prefix)]
    return [prefix] if prefix else []
