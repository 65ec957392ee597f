"""The add-on's ingress gateways: what AKS lets users change on their Services, HPAs and Gateway API
customization ConfigMaps, and who may reach them.

https://learn.microsoft.com/azure/aks/istio-deploy-ingress (annotation allowlist, externalTrafficPolicy), istio-about.md
("port or protocol
configuration is currently not supported"), istio-scale.md (minReplicas never below 2), istio-gateway-api.md
(customization ConfigMaps: "fields outside the allowlist are blocked by add-on webhooks").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import yaml
from pulumi_policy import EnforcementLevel, Severity

from aks_istio.addon import support_matrix as sm
from aks_istio.addon.exposure import open_to_internet

from ._common import (
    CONFIG_MAP_KINDS,
    DOCS,
    GATEWAY_API_GATEWAY_KINDS,
    HPA_KINDS,
    NO_CONFIG,
    SERVICE_KINDS,
    Config,
    Props,
    Undecidable,
    elements,
    get_bool,
    get_int,
    get_list,
    get_map,
    get_str,
    keys_of,
    metadata_name,
    metadata_namespace,
    set_path,
    str_values,
)
from .clusters import istio_enabled, mesh_clusters
from .deferred import Finding
from .factories import Meta, resource_policy, stack_policy
from .stack import StackResource, linked, of_kind

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


def _names_external_gateway(service: StackResource) -> bool:
    try:
        return metadata_name(service.props) == sm.INGRESS_GATEWAY_SERVICES["External"]
    except Undecidable:
        return True  # a patch whose target is unknown at preview may be the gateway's: judged by _exposure


def _exposure(service: StackResource) -> str | None:
    """Why the external gateway Service is open to the internet (None: limited, or not that Service), by the same
    rule config validation applies to a stack (aks_istio.addon.exposure)."""
    try:
        if metadata_name(service.props) != sm.INGRESS_GATEWAY_SERVICES["External"]:
            return None
        return open_to_internet(str_values(get_map(service.props, "metadata.annotations")))
    except Undecidable:
        return None  # an unknown annotation may well restrict: never a false violation


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
        patches = [s for s in services if linked(s, cluster, clusters) or len(clusters) == 1]
        external = [s for s in patches if _names_external_gateway(s)]
        reasons = [_exposure(s) for s in external]
        if external and any(reason is None for reason in reasons):
            continue
        why = next((r for r in reasons if r is not None), None) or str(open_to_internet({}))
        findings.append(
            (
                cluster.urn,
                f"the external ingress gateway ({sm.INGRESS_GATEWAY_SERVICES['External']}) is enabled and open to "
                f"the internet: {why}. Patch the Service in {sm.ADDON_INGRESS_NAMESPACE} with "
                f"{' or '.join(sm.GATEWAY_SOURCE_RESTRICTION_ANNOTATIONS)} limited to your sources (not 0.0.0.0/0 "
                "or Internet), or use only the internal gateway.",
            )
        )
    return findings


def _parameter_refs(gateways: Sequence[StackResource]) -> set[tuple[str, str]]:
    """(namespace, name) of the ConfigMaps that Gateways of class istio name in spec.infrastructure.parametersRef
    (a ConfigMap in the Gateway's namespace)."""
    refs: set[tuple[str, str]] = set()
    for gateway in gateways:
        try:
            if get_str(gateway.props, "spec.gatewayClassName") != sm.GATEWAY_API_CLASS_NAME:
                continue
            ref = get_map(gateway.props, "spec.infrastructure.parametersRef")
            name = get_str(ref, "name") if ref is not None else None
            if name and get_str(ref, "kind") == "ConfigMap" and not get_str(ref, "group"):
                refs.add((metadata_namespace(gateway.props), name))
        except Undecidable:
            continue
    return refs


def _is_class_defaults(props: Props) -> bool:
    """The GatewayClass-level customization: labelled for class istio, or the name AKS provisions."""
    labels = str_values(get_map(props, "metadata.labels"))
    if labels.get(sm.GATEWAY_API_CLASS_DEFAULTS_LABEL) == sm.GATEWAY_API_CLASS_NAME:
        return True
    return (metadata_namespace(props), metadata_name(props)) == (
        sm.ADDON_SYSTEM_NAMESPACE,
        sm.GATEWAY_API_CLASS_DEFAULTS_CONFIGMAP,
    )


def customization_problems(props: Props) -> list[str]:
    """What AKS's webhooks would reject in a customization ConfigMap (values not yet known are not judged)."""
    parsed: dict[str, object] = {}
    problems: list[str] = []
    for key, text in str_values(get_map(props, "data")).items():
        try:
            parsed[key] = yaml.safe_load(text)
        except yaml.YAMLError as error:
            problems.append(f"data.{key} is not YAML ({getattr(error, 'problem', None) or error})")
    return problems + sm.gateway_api_customization_problems(parsed)


def check_gateway_api_customization(resources: Sequence[StackResource], config: Config = NO_CONFIG) -> list[Finding]:
    refs = _parameter_refs(of_kind(resources, GATEWAY_API_GATEWAY_KINDS))
    findings: list[Finding] = []
    for config_map in of_kind(resources, CONFIG_MAP_KINDS):
        try:
            where = (metadata_namespace(config_map.props), metadata_name(config_map.props) or "")
            if where not in refs and not _is_class_defaults(config_map.props):
                continue
            problems = customization_problems(config_map.props)
        except Undecidable:
            continue
        if problems:
            findings.append(
                (
                    config_map.urn,
                    f"Gateway API customization ConfigMap {where[0]}/{where[1]}: " + "; ".join(problems) + ". "
                    "The add-on's webhooks reject fields outside the allowlist: move the setting elsewhere or drop it.",
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
        EnforcementLevel.ADVISORY,
    ),
    check_external_gateway_restricted,
)
GATEWAY_API_CUSTOMIZATION = stack_policy(
    Meta(
        "gateway-api-customization-allowlisted-fields",
        "Gateway API customization ConfigMaps (class defaults, or named by a Gateway of class istio) set only the "
        "fields AKS allows.",
        Severity.HIGH,
        "Keep the ConfigMap's deployment, service, horizontalPodAutoscaler and podDisruptionBudget keys to the "
        "allowlisted fields (minReplicas 2 or more).",
        DOCS + "istio-gateway-api",
        (*TAGS, "gateway-api"),
    ),
    check_gateway_api_customization,
)

POLICIES: Final = (ANNOTATIONS, SERVICE_SPEC, HPA, EXTERNAL_RESTRICTED, GATEWAY_API_CUSTOMIZATION)
