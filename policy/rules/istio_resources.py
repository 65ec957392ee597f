"""Istio resources on an add-on cluster: blocked kinds, EnvoyFilters, self-managed Istio, namespaces, mTLS.

The rules on single Kubernetes resources that are only wrong beside the add-on (blocked kinds, EnvoyFilter
support, self-managed Istio, the ignored injection label) are stack policies built by `addon_resource_policy`: a
program running its own Istio on a cluster without the add-on passes them (addon_target.py). The mTLS rules are
opinions about any Istio mesh: advisory unless a config turns them up.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Final

from pulumi_policy import EnforcementLevel, Severity

from aks_istio.addon import support_matrix as sm

from ._common import (
    DOCS,
    NAMESPACE_KINDS,
    NO_CONFIG,
    PEER_AUTHENTICATION_KINDS,
    Config,
    Props,
    Undecidable,
    child,
    decided,
    each,
    elements,
    get_list,
    get_map,
    get_str,
    keys_of,
    metadata_name,
    metadata_namespace,
    str_values,
)
from .addon_target import addon_resource_policy
from .clusters import mesh_clusters, mesh_revisions, shape_of
from .deferred import Finding
from .factories import Meta, resource_policy, stack_policy
from .stack import StackResource, of_kind

TAGS: Final = ("istio", "service-mesh")
ANY_KIND: Final = None
HELM_KINDS: Final = ("kubernetes:helm.sh:Release", "kubernetes:helm.sh:Chart")
CRD_KINDS: Final = ("kubernetes:apiextensions.k8s.io:CustomResourceDefinition",)
ENVOY_FILTER_KINDS: Final = ("kubernetes:networking.istio.io:EnvoyFilter",)
NON_STRICT_MODES: Final = ("PERMISSIVE", "DISABLE")
# Chart names that are Istio whatever the repository; `base`, `gateway`, `cni` are Istio only from Istio's repo.
UNAMBIGUOUS_ISTIO_CHARTS: Final = frozenset({"istiod", "istio-base", "ztunnel"})


# --- Blocked kinds ----------------------------------------------------------------------------------------------
def blocked_kind(props: Props) -> str | None:
    """The blocked Istio kind a Kubernetes resource is: every Kubernetes body carries apiVersion and kind, whether
    it comes from a typed class, CustomResource or a YAML/Helm render, so the body is checked, not the type token."""
    api_version, kind = get_str(props, "apiVersion"), get_str(props, "kind")
    if api_version and kind in sm.BLOCKED_ISTIO_KINDS and api_version.split("/")[0].endswith(sm.ISTIO_API_GROUP_SUFFIX):
        return kind
    return None


def check_not_blocked(props: Props, config: Config = NO_CONFIG) -> list[str]:
    kind = blocked_kind(props)
    if kind is None:
        return []
    advice = {
        "ProxyConfig": "set proxy settings in meshConfig.defaultConfig of istio-shared-configmap-<rev>",
        "IstioOperator": "configure the managed control plane through serviceMeshProfile and the shared MeshConfig",
        "WasmPlugin": "use a supported EnvoyFilter (Lua) or move the logic into the application",
        "WorkloadEntry": "run the workload in the cluster, or reach it through a ServiceEntry",
        "WorkloadGroup": "run the workloads in the cluster, or reach them through a ServiceEntry",
    }.get(kind, "remove it")
    return [
        f"{kind} is blocked by the Istio add-on's admission webhooks (AKS istio-about: 'Customization of mesh "
        f"through the following custom resources is currently blocked'); instead, {advice}."
    ]


# --- EnvoyFilter ------------------------------------------------------------------------------------------------
def _typed_configs(node: object, depth: int = 0) -> Iterator[str]:
    """Every `@type` under a patch value (typed_config/typedConfig can sit at any depth)."""
    if depth > 12:
        return
    if isinstance(node, Mapping):
        for key in keys_of(node):
            try:
                value = child(node, key)
            except Undecidable:
                continue
            if key == "@type" and isinstance(value, str):
                yield value
            else:
                yield from _typed_configs(value, depth + 1)
    elif isinstance(node, Sequence) and not isinstance(node, str):
        for item in elements(node):
            yield from _typed_configs(item, depth + 1)


def check_envoy_filter_types(props: Props, config: Config = NO_CONFIG) -> list[str]:
    messages: list[str] = []
    for index, patch in enumerate(elements(get_list(props, "spec.configPatches"))):
        try:
            value = child(get_map(patch, "patch"), "value")
        except Undecidable:
            continue
        outside = sorted({t for t in _typed_configs(value) if t not in sm.SUPPORTED_ENVOY_FILTER_TYPES})
        if outside:
            messages.append(
                f"spec.configPatches[{index}] uses {', '.join(outside)}: EnvoyFilters are allowed but outside Azure "
                f"support except {', '.join(sorted(sm.SUPPORTED_ENVOY_FILTER_TYPES))}; prefer a supported filter "
                "or a MeshConfig/Telemetry API setting, and own the risk on upgrades."
            )
    return messages


# --- Self-managed Istio -----------------------------------------------------------------------------------------
def _istio_chart(chart: str, repo: str) -> bool:
    """`istiod`, `istio/istiod`, `oci://.../istiod`, `.../istiod-1.22.0.tgz` are all the istiod chart."""
    name = re.sub(r"-\d[^/]*$", "", chart.rstrip("/").rsplit("/", 1)[-1].removesuffix(".tgz"))
    if name in UNAMBIGUOUS_ISTIO_CHARTS:
        return True
    from_istio = chart.startswith("istio/") or any(m in f"{repo} {chart}" for m in sm.SELF_MANAGED_ISTIO_REPO_MARKERS)
    return from_istio and name in sm.SELF_MANAGED_ISTIO_CHARTS


def check_no_self_managed_istio(props: Props, config: Config = NO_CONFIG) -> list[str]:
    chart = get_str(props, "chart")
    if chart is not None:
        repo = get_str(props, "repositoryOpts.repo") or ""
        if _istio_chart(chart, repo):
            return [
                f"Helm chart {chart!r} ({repo or 'no repository'}) installs self-managed Istio, which cannot run "
                "beside the add-on; remove it and use serviceMeshProfile (mode Istio) and its gateways instead."
            ]
        return []
    group = get_str(props, "spec.group")
    if group is not None and group.endswith(sm.ISTIO_API_GROUP_SUFFIX):
        return [
            f"CustomResourceDefinition {metadata_name(props)!r} (group {group}) belongs to a self-managed Istio "
            "install; the add-on installs and upgrades the istio.io CRDs itself. Remove it from the program."
        ]
    return []


# --- Namespaces -------------------------------------------------------------------------------------------------
def check_no_injection_label(props: Props, config: Config = NO_CONFIG) -> list[str]:
    labels = str_values(get_map(props, "metadata.labels"))
    value = labels.get(sm.IGNORED_INJECTION_LABEL)
    if value != "enabled":
        return []
    return [
        f"namespace {metadata_name(props)!r} has label {sm.IGNORED_INJECTION_LABEL}=enabled, which the add-on "
        f"ignores (injection skips the namespace); label it {sm.REVISION_LABEL}=<asm-revision> instead, e.g. "
        f"{sm.REVISION_LABEL}={sm.REVISIONS[-1].name}."
    ]


def _has_labels(props: Props) -> bool:
    return get_map(props, "metadata.labels") is not None


def check_namespace_revisions(resources: Sequence[StackResource], config: Config = NO_CONFIG) -> list[Finding]:
    clusters = mesh_clusters(resources)
    if not clusters:
        return []  # the cluster is declared elsewhere: nothing to compare with
    running: set[str] = set(config.get("revisionTags") or ())
    for cluster in clusters:
        revisions = mesh_revisions(cluster.props, shape_of(cluster.type))
        if not revisions:
            return []  # unknown at preview: no verdict
        running.update(revisions)
    findings: list[Finding] = []
    for namespace in of_kind(resources, NAMESPACE_KINDS):
        if not decided(_has_labels, namespace.props):
            continue
        revision = str_values(get_map(namespace.props, "metadata.labels")).get(sm.REVISION_LABEL)
        if revision is not None and revision not in running:
            findings.append(
                (
                    namespace.urn,
                    f"namespace {metadata_name(namespace.props)!r} has {sm.REVISION_LABEL}={revision}, but the "
                    f"cluster runs {', '.join(sorted(running))}; its pods would get no sidecar. Label it with a "
                    "running revision (or list the revision tag in this policy's revisionTags).",
                )
            )
    return findings


# --- mTLS ---------------------------------------------------------------------------------------------------------
def _modes(props: Props) -> list[str]:
    """The workload-wide mode and every port-level mode that is known."""
    modes = each([props], lambda p: [get_str(p, "spec.mtls.mode") or ""])
    ports = get_map(props, "spec.portLevelMtls")
    modes.extend(each(keys_of(ports), lambda port: [get_str(child(ports, port), "mode") or ""]))
    return [m for m in modes if m]


def check_no_permissive_mtls(props: Props, config: Config = NO_CONFIG) -> list[str]:
    namespace = metadata_namespace(props)
    if namespace in (config.get("allowedNamespaces") or ()):
        return []
    weak = sorted({m for m in _modes(props) if m.upper() in NON_STRICT_MODES})
    if not weak:
        return []
    return [
        f"PeerAuthentication {namespace}/{metadata_name(props)} sets mTLS {', '.join(weak)}: plain-text traffic is "
        "accepted. Use STRICT, or list the namespace in this policy's allowedNamespaces with the reason while "
        "its clients move into the mesh."
    ]


def _mesh_wide_strict(resource: StackResource) -> bool:
    props = resource.props
    if metadata_namespace(props) != sm.MESH_ROOT_NAMESPACE:
        return False
    if get_map(props, "spec.selector"):
        return False
    mode = get_str(props, "spec.mtls.mode")
    return mode is not None and mode.upper() == "STRICT"


def check_mesh_wide_strict(resources: Sequence[StackResource], config: Config = NO_CONFIG) -> list[Finding]:
    clusters = mesh_clusters(resources)
    policies = of_kind(resources, PEER_AUTHENTICATION_KINDS)
    if not clusters or any(decided(_mesh_wide_strict, p, True) for p in policies):
        return []
    return [
        (
            cluster.urn,
            f"no mesh-wide PeerAuthentication with mtls.mode STRICT in {sm.MESH_ROOT_NAMESPACE} (the add-on's root "
            "namespace); without it the mesh accepts plain text. Declare one with no selector, e.g. "
            f"security.istio.io/v1 PeerAuthentication 'default' in {sm.MESH_ROOT_NAMESPACE}.",
        )
        for cluster in clusters
    ]


BLOCKED = addon_resource_policy(
    Meta(
        "istio-no-blocked-custom-resources",
        "ProxyConfig, WorkloadEntry, WorkloadGroup, IstioOperator and WasmPlugin are blocked on the add-on.",
        Severity.HIGH,
        "Remove the resource; use the shared MeshConfig, a supported EnvoyFilter or a ServiceEntry instead.",
        DOCS + "istio-about",
        TAGS,
    ),
    ANY_KIND,
    check_not_blocked,
)
ENVOY_FILTER = addon_resource_policy(
    Meta(
        "envoyfilter-supported-types-only",
        "EnvoyFilters other than Lua, Compressor and LocalRateLimit are allowed but outside Azure support.",
        Severity.LOW,
        "Prefer a MeshConfig or Telemetry API setting; if the filter is needed, test it on every revision upgrade.",
        DOCS + "istio-about",
        TAGS,
        enforcement=EnforcementLevel.ADVISORY,
    ),
    ENVOY_FILTER_KINDS,
    check_envoy_filter_types,
)
SELF_MANAGED = addon_resource_policy(
    Meta(
        "istio-no-self-managed-install",
        "Self-managed Istio (Helm charts, istio.io CRDs) cannot run beside the Istio add-on.",
        Severity.CRITICAL,
        "Remove the Istio Helm releases and CRDs (and any IstioOperator); use the add-on's revisions and gateways.",
        DOCS + "istio-deploy-addon",
        TAGS,
    ),
    (*HELM_KINDS, *CRD_KINDS),
    check_no_self_managed_istio,
)
INJECTION_LABEL = addon_resource_policy(
    Meta(
        "namespace-no-istio-injection-label",
        "Namespaces use istio.io/rev, since the add-on ignores istio-injection=enabled.",
        Severity.HIGH,
        "Replace the label istio-injection=enabled with istio.io/rev=<revision> and restart the workloads.",
        DOCS + "istio-deploy-addon",
        TAGS,
    ),
    NAMESPACE_KINDS,
    check_no_injection_label,
)
NAMESPACE_REVISION = stack_policy(
    Meta(
        "namespace-revision-runs-on-cluster",
        "A namespace's istio.io/rev label names a revision the cluster runs.",
        Severity.HIGH,
        "Label the namespace with one of serviceMeshProfile.istio.revisions, then restart its workloads.",
        DOCS + "istio-upgrade",
        TAGS,
        config={
            "revisionTags": {
                "type": "array",
                "items": {"type": "string"},
                "default": [],
                "description": "Revision tags (istioctl tag) that namespaces may use besides revision names.",
            }
        },
    ),
    check_namespace_revisions,
)
PERMISSIVE = resource_policy(
    Meta(
        "peerauthentication-no-permissive-mtls",
        "PeerAuthentication does not accept plain text (PERMISSIVE or DISABLE) outside allowed namespaces.",
        Severity.HIGH,
        "Set spec.mtls.mode STRICT; while clients migrate, list the namespace in allowedNamespaces with a reason.",
        "https://istio.io/latest/docs/reference/config/security/peer_authentication/",
        (*TAGS, "security", "mtls"),
        EnforcementLevel.ADVISORY,
        config={
            "allowedNamespaces": {
                "type": "array",
                "items": {"type": "string"},
                "default": [],
                "description": "Namespaces that may run PERMISSIVE/DISABLE mTLS (a migration in progress).",
            }
        },
    ),
    PEER_AUTHENTICATION_KINDS,
    check_no_permissive_mtls,
)
MESH_WIDE_STRICT = stack_policy(
    Meta(
        "peerauthentication-mesh-wide-strict",
        "A mesh with the add-on has a mesh-wide STRICT PeerAuthentication in aks-istio-system.",
        Severity.HIGH,
        "Declare PeerAuthentication 'default' in aks-istio-system with spec.mtls.mode STRICT and no selector.",
        DOCS + "istio-deploy-addon",
        (*TAGS, "security", "mtls"),
        EnforcementLevel.ADVISORY,
    ),
    check_mesh_wide_strict,
)

POLICIES: Final = (
    BLOCKED,
    ENVOY_FILTER,
    SELF_MANAGED,
    INJECTION_LABEL,
    NAMESPACE_REVISION,
    PERMISSIVE,
    MESH_WIDE_STRICT,
)
