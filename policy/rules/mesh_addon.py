"""Add-on rules on the cluster itself: coexistence, revisions, ingress gateway count, plug-in CA.

Resource policies: a cluster says itself whether it runs the add-on. Both providers (clusters.py spells their
properties). Every fact comes from `aks_istio.addon.support_matrix` (the same module config validation reads).
Egress gateways and Gateway API are in egress.py and gateway_api.py; revision end-of-life and catalog findings
belong in a revisions.py module beside this one.
"""

from __future__ import annotations

from typing import Final

from pulumi_policy import Severity

from aks_istio.addon import lifecycle, rules
from aks_istio.addon import support_matrix as sm
from aks_istio.addon.catalog import active_catalog

from ._common import (
    DOCS,
    MANAGED_CLUSTER,
    NO_CONFIG,
    RESOURCE_TYPE,
    Config,
    Props,
    Undecidable,
    elements,
    get_list,
    get_map,
    get_str,
)
from .clusters import CLUSTER_KINDS, ClusterShape, istio_enabled, mesh_revisions, shape_of
from .factories import Meta, resource_policy

TAGS: Final = ("aks", "istio", "service-mesh")
ISTIO_PATH: Final = "serviceMeshProfile.istio"


def _shape(config: Config) -> ClusterShape:
    return shape_of(str(config.get(RESOURCE_TYPE, MANAGED_CLUSTER)))


# --- OSM and virtual nodes -------------------------------------------------------------------------------------
def check_no_osm_with_istio(props: Props, config: Config = NO_CONFIG) -> list[str]:
    osm = _shape(config).osm
    if istio_enabled(props) and osm.on(props):
        return [
            f"{osm.where} is true while serviceMeshProfile.mode is Istio; the RP rejects this ('Istio based Azure "
            "service mesh is incompatible with feature'). Migrate workloads off OSM, set it to false (or remove "
            "it), then enable the Istio add-on."
        ]
    return []


def check_no_virtual_nodes_with_istio(props: Props, config: Config = NO_CONFIG) -> list[str]:
    virtual_nodes = _shape(config).virtual_nodes
    if istio_enabled(props) and virtual_nodes.on(props):
        return [
            f"{virtual_nodes.where} is set while serviceMeshProfile.mode is Istio; pods on virtual nodes (ACI) cannot "
            "join the add-on's mesh. Run meshed workloads on VMSS node pools and remove the virtual node add-on, "
            "or keep virtual nodes on a cluster without the mesh."
        ]
    return []


# --- Revisions --------------------------------------------------------------------------------------------------
def check_revisions_valid(props: Props, config: Config = NO_CONFIG) -> list[str]:
    if not istio_enabled(props):
        return []
    path = _shape(config).revisions
    raw = get_list(props, path)
    if raw is None or len(raw) == 0:
        return [
            f"{path} is {'absent' if raw is None else 'empty'}; AKS then installs n-1 and the next update shows a "
            f'diff. Pin one revision, e.g. ["{sm.REVISIONS[-1].name}"] '
            f"(allowed: {', '.join(r.name for r in sm.REVISIONS[-3:])})."
        ]
    values = list(elements(raw))
    messages = [
        f"{path}[{i}]: {value!r} is not a string." for i, value in enumerate(values) if not isinstance(value, str)
    ]
    # The same rule config validation and AksIstioClusterArgs apply (aks_istio.addon.rules).
    problems = rules.revision_set_problems([v for v in values if isinstance(v, str)])
    messages += [
        f"{path}: {problem}; use e.g. [{sm.REVISIONS[-1].name!r}], two revisions only while a canary upgrade is in "
        "progress (complete or roll back the upgrade first)."
        for problem in problems
    ]
    return messages


def check_revision_upgrade_distance(props: Props, config: Config = NO_CONFIG) -> list[str]:
    shape = _shape(config)
    revisions = [r for r in mesh_revisions(props, shape) if sm.REVISION_PATTERN.match(r)]
    if not istio_enabled(props) or len(revisions) != 2:
        return []
    low, high = sorted(revisions, key=sm.parse_revision)
    catalog = active_catalog()
    if lifecycle.is_allowed_target(catalog, low, high):  # issue #12: one rule with config validation
        return []
    return [
        f"{shape.revisions} {revisions}: a canary upgrade from {low} may only go to "
        f"{', '.join(catalog.upgrades_of(low)) or 'no catalogued revision'} (n+1, or n+2 when both are supported). "
        f"Upgrade in steps: complete {low} -> n+1 first."
    ]


def check_revisions_kubernetes_compatible(props: Props, config: Config = NO_CONFIG) -> list[str]:
    version = get_str(props, "kubernetesVersion")
    if not istio_enabled(props) or version is None:
        return []  # no version: AKS picks its default, which the RP checks against the revision itself
    minor = sm.kubernetes_minor(version)
    if minor is None:
        return []
    if minor < sm.MIN_KUBERNETES_MINOR:
        return [f"kubernetesVersion {version!r}: the Istio add-on needs Kubernetes >= 1.{sm.MIN_KUBERNETES_MINOR}."]
    messages: list[str] = []
    shape = _shape(config)
    # issue #12: the catalog in use; a revision newer than it is the advisory revision-lifecycle finding only.
    catalog = active_catalog()
    fits = catalog.supporting(version)
    # Past end of life never offered as allowed, but apart, as stack validation lists them (lifecycle).
    supported = lifecycle.allowed_revisions(catalog, fits) if fits else "none in the catalog"
    for revision in (r for r in mesh_revisions(props, shape) if sm.REVISION_PATTERN.match(r)):
        known = lifecycle.resolve(catalog, revision)
        if known is not None and revision not in catalog.by_name:
            continue
        if known is None:
            messages.append(
                f"{shape.revisions}: {revision!r} is not in the revision catalog ({catalog.source_note()}); "
                f"revisions for Kubernetes {version}: {supported}."
            )
        elif not known.supports_kubernetes(version):
            messages.append(
                f"{shape.revisions}: {revision} runs on Kubernetes 1.{known.min_kubernetes_minor}-"
                f"1.{known.max_kubernetes_minor}, not {version}; the RP rejects it ('Service mesh revision ... is "
                f"not compatible with cluster version'). Change kubernetesVersion, or use one of: {supported}."
            )
    return messages


# --- Ingress gateways -------------------------------------------------------------------------------------------
def check_ingress_gateway_count(props: Props, config: Config = NO_CONFIG) -> list[str]:
    gateways = list(elements(get_list(props, f"{ISTIO_PATH}.components.ingressGateways")))
    counts: dict[str, int] = {}
    messages: list[str] = []
    for index, gateway in enumerate(gateways):
        try:
            mode = get_str(gateway, "mode")
        except Undecidable:
            continue
        if mode is None or mode not in sm.INGRESS_GATEWAY_MODES:
            messages.append(
                f"{ISTIO_PATH}.components.ingressGateways[{index}].mode: {mode!r} is not allowed; "
                f"allowed: {', '.join(sm.INGRESS_GATEWAY_MODES)}."
            )
            continue
        counts[mode] = counts.get(mode, 0) + 1
    messages.extend(
        f"{ISTIO_PATH}.components.ingressGateways has {count} {mode} entries; the add-on runs at most "
        f"{sm.MAX_INGRESS_GATEWAYS_PER_MODE} ({sm.INGRESS_GATEWAY_SERVICES[mode]}). Keep one entry per mode and "
        "route more hosts through it (or use Gateway API Gateways for more)."
        for mode, count in counts.items()
        if count > sm.MAX_INGRESS_GATEWAYS_PER_MODE
    )
    return messages


# --- Plug-in CA -------------------------------------------------------------------------------------------------
def check_plugin_ca_complete(props: Props, config: Config = NO_CONFIG) -> list[str]:
    shape = _shape(config)
    plugin = get_map(props, shape.plugin_ca)
    if plugin is None:
        return []
    messages: list[str] = []
    for name in sm.PLUGIN_CA_FIELDS:
        try:
            value = get_str(plugin, name)
        except Undecidable:
            continue
        if not value:
            messages.append(
                f"{shape.plugin_ca}.{name} is {'absent' if value is None else 'empty'}; the RP needs all of "
                f"{', '.join(sm.PLUGIN_CA_FIELDS)} ('ServiceMeshProfile is missing required parameters')."
            )
        elif name == "keyVaultId" and not sm.KEY_VAULT_ID_PATTERN.match(value):
            messages.append(
                f"{shape.plugin_ca}.keyVaultId {value!r} is not a Key Vault resource id "
                "(/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.KeyVault/vaults/<name>)."
            )
    provider = shape.secrets_provider
    if not provider.on(props):
        state = "absent" if provider.state(props) is None else "off"
        messages.append(
            f"{provider.where} is {state}, but a plug-in CA needs the Key Vault secrets provider ('Azure"
            "KeyvaultSecretsProvider addon is required for Azure Service Mesh plugin certificate authority'); "
            f"turn it on with {shape.secret_rotation.where} true and grant its identity Key Vault Secrets User."
        )
    return messages


URL_ABOUT = DOCS + "istio-about"
CLUSTER = (MANAGED_CLUSTER,)  # what the classic provider cannot express

OSM = resource_policy(
    Meta(
        "managedcluster-no-osm-with-istio",
        "The Open Service Mesh add-on and the Istio add-on cannot run on the same cluster.",
        Severity.CRITICAL,
        "Migrate workloads off OSM (open-service-mesh-istio-migration-guidance), disable addonProfiles."
        "openServiceMesh, then enable serviceMeshProfile.mode Istio.",
        URL_ABOUT,
        TAGS,
    ),
    CLUSTER_KINDS,
    check_no_osm_with_istio,
)
VIRTUAL_NODES = resource_policy(
    Meta(
        "managedcluster-no-virtual-nodes-with-istio",
        "Pods on virtual nodes (ACI connector) cannot be part of the Istio add-on's mesh.",
        Severity.HIGH,
        "Disable addonProfiles.aciConnectorLinux on mesh clusters and run meshed workloads on VMSS node pools.",
        URL_ABOUT,
        TAGS,
    ),
    CLUSTER_KINDS,
    check_no_virtual_nodes_with_istio,
)
REVISIONS_VALID = resource_policy(
    Meta(
        "managedcluster-istio-revision-pinned",
        "An Istio cluster pins one or two well-formed asm-<major>-<minor> revisions.",
        Severity.HIGH,
        "Set serviceMeshProfile.istio.revisions to one supported revision (two only during a canary upgrade).",
        DOCS + "istio-upgrade",
        TAGS,
    ),
    CLUSTER_KINDS,
    check_revisions_valid,
)
REVISION_DISTANCE = resource_policy(
    Meta(
        "managedcluster-istio-revision-upgrade-distance",
        "A canary upgrade goes from revision n to n+1, or n+2 when both are supported.",
        Severity.HIGH,
        "Upgrade one or two minor revisions at a time: start, move namespaces, complete, then repeat.",
        DOCS + "istio-upgrade",
        TAGS,
    ),
    CLUSTER_KINDS,
    check_revision_upgrade_distance,
)
REVISION_K8S = resource_policy(
    Meta(
        "managedcluster-istio-revision-kubernetes-compatible",
        "Every mesh revision supports the cluster's Kubernetes version.",
        Severity.HIGH,
        "Pick a revision listed for the Kubernetes version (az aks mesh get-revisions), or upgrade Kubernetes first.",
        DOCS + "istio-support-policy",
        TAGS,
    ),
    CLUSTER_KINDS,
    check_revisions_kubernetes_compatible,
)
INGRESS_COUNT = resource_policy(
    Meta(
        "managedcluster-ingress-gateway-count",
        "The add-on runs at most one external and one internal ingress gateway.",
        Severity.HIGH,
        "Keep one ingressGateways entry per mode (External, Internal); use Gateway API Gateways for more entry points.",
        DOCS + "istio-deploy-ingress",
        TAGS,
    ),
    CLUSTER,
    check_ingress_gateway_count,
)
PLUGIN_CA = resource_policy(
    Meta(
        "managedcluster-plugin-ca-complete",
        "A plug-in CA names its Key Vault and all four secrets, and the Key Vault secrets provider add-on is on.",
        Severity.CRITICAL,
        "Set keyVaultId, certObjectName, keyObjectName, rootCertObjectName and certChainObjectName, and enable "
        "addonProfiles.azureKeyvaultSecretsProvider with secret rotation.",
        DOCS + "istio-plugin-ca",
        (*TAGS, "pki"),
    ),
    CLUSTER_KINDS,
    check_plugin_ca_complete,
)
POLICIES: Final = (OSM, VIRTUAL_NODES, REVISIONS_VALID, REVISION_DISTANCE, REVISION_K8S, INGRESS_COUNT, PLUGIN_CA)
