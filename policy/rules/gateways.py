"""The add-on's ingress gateways: what AKS lets users change on their Services and HPAs, and who may reach them.

AKSDOCS istio-deploy-ingress.md (annotation allowlist, externalTrafficPolicy), istio-about.md ("port or protocol
configuration is currently not supported"), istio-scale.md (minReplicas never below 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from pulumi_policy import Severity

from components import support_matrix as sm

from ._common import (
    DOCS,
    HPA_KINDS,
    NO_CONFIG,
    SERVICE_KINDS,
    Config,
    Finding,
    Meta,
    Props,
    StackResource,
    Undecidable,
    elements,
    get_bool,
    get_int,
    get_list,
    get_map,
    get_str,
    istio_enabled,
    keys_of,
    linked,
    mesh_clusters,
    metadata_name,
    metadata_namespace,
    of_kind,
    resource_policy,
    set_path,
    stack_policy,
    str_values,
)

TAGS: Final = ("istio", "ingress", "gateway")
URL_INGRESS: Final = DOCS + "istio-deploy-ingress"
GATEWAY_SERVICE_NAMES: Final = frozenset(sm.INGRESS_GATEWAY_SERVICES.values())


def _is_gateway_service(props: Props) -> bool:
    return metadata_namespace(props) == sm.ADDON_INGRESS_NAMESPACE and metadata_name(props) in GATEWAY_SERVICE_NAMES


def check_gateway_annotations(props: Props, config: Config = NO_CONFIG) -> list[str]:
    if not _is_gateway_service(props):
        return []
    extra = sorted(
        k
        for k in keys_of(get_map(props, "metadata.annotations"))
        if not sm.is_allowed_gateway_annotation(k) and not k.startswith(sm.PULUMI_PATCH_DIRECTIVE_PREFIX)
    )
    if not extra:
        return []
    return [
        f"metadata.annotations on {sm.ADDON_INGRESS_NAMESPACE}/{metadata_name(props)}: {', '.join(extra)} "
        "not in AKS's allowlist for the add-on's gateway Services. Allowed: "
        f"{', '.join(sm.allowed_gateway_annotations())}. For other load-balancer settings use a Gateway API "
        "Gateway (spec.infrastructure.annotations)."
    ]


def check_gateway_service_spec(props: Props, config: Config = NO_CONFIG) -> list[str]:
    if not _is_gateway_service(props):
        return []
    spec = get_map(props, "spec")
    changed = sorted(k for k in keys_of(spec) if k not in sm.ALLOWED_GATEWAY_SERVICE_SPEC_FIELDS)
    messages: list[str] = []
    if changed:
        messages.append(
            f"spec.{', spec.'.join(changed)} on {sm.ADDON_INGRESS_NAMESPACE}/{metadata_name(props)}: the add-on does "
            "not support port or protocol changes on its gateway Services, only spec.externalTrafficPolicy. "
            "Declare a ServicePatch with allowlisted annotations and externalTrafficPolicy only; for other ports "
            "use a Gateway API Gateway."
        )
    policy = get_str(spec, "externalTrafficPolicy")
    if policy is not None and policy not in sm.EXTERNAL_TRAFFIC_POLICIES:
        messages.append(f"spec.externalTrafficPolicy {policy!r}; allowed: {', '.join(sm.EXTERNAL_TRAFFIC_POLICIES)}.")
    return messages


def _min_replicas_too_low(props: Props) -> int | None:
    if metadata_namespace(props) not in sm.ADDON_NAMESPACES:
        return None
    value = get_int(props, "spec.minReplicas")
    return value if value is not None and value < sm.GATEWAY_HPA_MIN_REPLICAS else None


def check_hpa_min_replicas(props: Props, config: Config = NO_CONFIG) -> list[str]:
    value = _min_replicas_too_low(props)
    if value is None:
        return []
    return [
        f"spec.minReplicas {value} on HPA {metadata_namespace(props)}/{metadata_name(props)}: the add-on does not "
        f"allow fewer than {sm.GATEWAY_HPA_MIN_REPLICAS} replicas (it would conflict with the PodDisruptionBudget). "
        f"Set minReplicas >= {sm.GATEWAY_HPA_MIN_REPLICAS}; during a canary upgrade edit the stable revision's HPA."
    ]


def fix_hpa_min_replicas(props: Props, config: Config = NO_CONFIG) -> bool:
    """Raising minReplicas to the add-on's floor is what the add-on itself would enforce: always safe."""
    if _min_replicas_too_low(props) is None:
        return False
    return set_path(props, "spec.minReplicas", sm.GATEWAY_HPA_MIN_REPLICAS)


def _external_enabled(cluster: Props) -> bool:
    for gateway in elements(get_list(cluster, "serviceMeshProfile.istio.components.ingressGateways")):
        try:
            if get_str(gateway, "mode") == "External" and get_bool(gateway, "enabled") is True:
                return True
        except Undecidable:
            continue
    return False


def _restricts_sources(service: StackResource) -> bool:
    try:
        annotations = str_values(get_map(service.props, "metadata.annotations"))
        return metadata_name(service.props) == sm.INGRESS_GATEWAY_SERVICES["External"] and any(
            annotations.get(a, "").strip() for a in sm.GATEWAY_SOURCE_RESTRICTION_ANNOTATIONS
        )
    except Undecidable:
        return True  # an unknown annotation may well restrict: never a false violation


def check_external_gateway_restricted(resources: Sequence[StackResource], config: Config = NO_CONFIG) -> list[Finding]:
    clusters = mesh_clusters(resources)
    services = of_kind(resources, SERVICE_KINDS)
    findings: list[Finding] = []
    for cluster in clusters:
        try:
            if not (istio_enabled(cluster.props) and _external_enabled(cluster.props)):
                continue
        except Undecidable:
            continue
        if any(_restricts_sources(s) for s in services if linked(s, cluster, clusters) or len(clusters) == 1):
            continue
        findings.append(
            (
                cluster.urn,
                f"the external ingress gateway ({sm.INGRESS_GATEWAY_SERVICES['External']}) is enabled with no "
                f"{' or '.join(sm.GATEWAY_SOURCE_RESTRICTION_ANNOTATIONS)} annotation: it is open to the internet. "
                f"Patch the Service in {sm.ADDON_INGRESS_NAMESPACE} with the allowed source ranges or service tags "
                "(or use only the internal gateway).",
            )
        )
    return findings


ANNOTATIONS = resource_policy(
    Meta(
        "gateway-service-allowed-annotations-only",
        "The add-on's ingress gateway Services carry only the annotations AKS allows.",
        Severity.HIGH,
        "Keep only allowlisted annotations on aks-istio-ingressgateway-*; use a Gateway API Gateway for others.",
        URL_INGRESS,
        TAGS,
    ),
    SERVICE_KINDS,
    check_gateway_annotations,
)
SERVICE_SPEC = resource_policy(
    Meta(
        "gateway-service-no-port-protocol-changes",
        "The add-on's ingress gateway Services change no ports or protocol, only externalTrafficPolicy.",
        Severity.HIGH,
        "Patch only spec.externalTrafficPolicy (Cluster or Local) on aks-istio-ingressgateway-*.",
        URL_INGRESS,
        TAGS,
    ),
    SERVICE_KINDS,
    check_gateway_service_spec,
)
HPA = resource_policy(
    Meta(
        "gateway-hpa-min-replicas",
        "HPAs of istiod and the add-on's gateways keep minReplicas at 2 or more.",
        Severity.MEDIUM,
        "Set spec.minReplicas to 2 or more on the stable revision's HPA (remediate does this for you).",
        DOCS + "istio-scale",
        TAGS,
    ),
    HPA_KINDS,
    check_hpa_min_replicas,
    fix_hpa_min_replicas,
)
EXTERNAL_RESTRICTED = stack_policy(
    Meta(
        "ingressgateway-external-source-restricted",
        "An external ingress gateway limits its sources with allowed IP ranges or service tags.",
        Severity.HIGH,
        "Add service.beta.kubernetes.io/azure-allowed-ip-ranges or azure-allowed-service-tags to "
        "aks-istio-ingressgateway-external with a ServicePatch, or disable the external gateway.",
        URL_INGRESS,
        (*TAGS, "security"),
    ),
    check_external_gateway_restricted,
)

POLICIES: Final = (ANNOTATIONS, SERVICE_SPEC, HPA, EXTERNAL_RESTRICTED)
