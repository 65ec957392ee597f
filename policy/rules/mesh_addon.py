"""Add-on rules on the ManagedCluster itself: coexistence, revisions, gateways, plug-in CA, egress, Gateway API.

Every fact comes from `aks_istio.addon.support_matrix` (the same module config validation reads).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from pulumi_policy import Severity

from aks_istio.addon import lifecycle
from aks_istio.addon import support_matrix as sm
from aks_istio.addon.catalog import active_catalog

from ._common import (
    AGENT_POOL,
    DOCS,
    GATEWAY_API_GATEWAY_KINDS,
    MANAGED_CLUSTER,
    NO_CONFIG,
    STATIC_GATEWAY_CONFIGURATION_KINDS,
    Config,
    Finding,
    Meta,
    Props,
    StackResource,
    Undecidable,
    addon_enabled,
    decided,
    each,
    elements,
    get_bool,
    get_list,
    get_map,
    get_str,
    istio_enabled,
    linked,
    mesh_clusters,
    mesh_revisions,
    metadata_name,
    metadata_namespace,
    node_pools,
    of_kind,
    pool_label,
    resource_policy,
    stack_policy,
)

TAGS: Final = ("aks", "istio", "service-mesh")
ISTIO_PATH: Final = "serviceMeshProfile.istio"


# --- OSM and virtual nodes -------------------------------------------------------------------------------------
def check_no_osm_with_istio(props: Props, config: Config = NO_CONFIG) -> list[str]:
    if istio_enabled(props) and addon_enabled(props, sm.OSM_ADDON):
        return [
            f"addonProfiles.{sm.OSM_ADDON}.enabled is true while serviceMeshProfile.mode is Istio; the RP rejects "
            "this ('Istio based Azure service mesh is incompatible with feature'). Migrate workloads off OSM, "
            f"set addonProfiles.{sm.OSM_ADDON}.enabled to false (or remove it), then enable the Istio add-on."
        ]
    return []


def check_no_virtual_nodes_with_istio(props: Props, config: Config = NO_CONFIG) -> list[str]:
    if istio_enabled(props) and addon_enabled(props, sm.VIRTUAL_NODE_ADDON):
        return [
            f"addonProfiles.{sm.VIRTUAL_NODE_ADDON}.enabled is true while serviceMeshProfile.mode is Istio; pods on "
            "virtual nodes (ACI) cannot join the add-on's mesh. Run meshed workloads on VMSS node pools and "
            f"disable {sm.VIRTUAL_NODE_ADDON}, or keep virtual nodes on a cluster without the mesh."
        ]
    return []


# --- Revisions --------------------------------------------------------------------------------------------------
def check_revisions_valid(props: Props, config: Config = NO_CONFIG) -> list[str]:
    if not istio_enabled(props):
        return []
    raw = get_list(props, f"{ISTIO_PATH}.revisions")
    if raw is None or len(raw) == 0:
        return [
            f"{ISTIO_PATH}.revisions is empty; AKS then installs n-1 and the next update shows a diff. Pin one "
            f'revision, e.g. ["{sm.REVISIONS[-1].name}"] (allowed: {", ".join(r.name for r in sm.REVISIONS[-3:])}).'
        ]
    messages = [
        f"{ISTIO_PATH}.revisions[{i}]: {value!r} is not of the form asm-<major>-<minor>; use e.g. "
        f"{sm.REVISIONS[-1].name!r}."
        for i, value in enumerate(elements(raw))
        if not (isinstance(value, str) and sm.REVISION_PATTERN.match(value))
    ]
    if len(raw) > sm.MAX_REVISIONS:
        messages.append(
            f"{ISTIO_PATH}.revisions has {len(raw)} entries; at most {sm.MAX_REVISIONS} are allowed, and two only "
            "while a canary upgrade is in progress. Complete or roll back the upgrade first."
        )
    return messages


def check_revision_upgrade_distance(props: Props, config: Config = NO_CONFIG) -> list[str]:
    revisions = [r for r in mesh_revisions(props) if sm.REVISION_PATTERN.match(r)]
    if not istio_enabled(props) or len(revisions) != 2:
        return []
    low, high = sorted(revisions, key=sm.parse_revision)
    catalog = active_catalog()
    if lifecycle.is_allowed_target(catalog, low, high):  # issue #12: one rule with config validation
        return []
    return [
        f"{ISTIO_PATH}.revisions {revisions}: a canary upgrade from {low} may only go to "
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
    for revision in (r for r in mesh_revisions(props) if sm.REVISION_PATTERN.match(r)):
        # issue #12: the catalog in use; a revision newer than it is the advisory revision-lifecycle finding only.
        catalog = active_catalog()
        known = lifecycle.resolve(catalog, revision)
        supported = ", ".join(catalog.supporting(version)) or "none in the catalog"
        if known is not None and revision not in catalog.by_name:
            continue
        if known is None:
            messages.append(
                f"{ISTIO_PATH}.revisions: {revision!r} is not in the revision catalog ({catalog.source_note()}); "
                f"revisions for Kubernetes {version}: {supported}."
            )
        elif not known.supports_kubernetes(version):
            messages.append(
                f"{ISTIO_PATH}.revisions: {revision} runs on Kubernetes 1.{known.min_kubernetes_minor}-"
                f"1.{known.max_kubernetes_minor}, not {version}; the RP rejects it ('Service mesh revision ... is "
                f"not compatible with cluster version'). Use one of: {supported}, or change kubernetesVersion."
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
    plugin = get_map(props, f"{ISTIO_PATH}.certificateAuthority.plugin")
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
                f"{ISTIO_PATH}.certificateAuthority.plugin.{name} is missing; the RP needs all of "
                f"{', '.join(sm.PLUGIN_CA_FIELDS)} ('ServiceMeshProfile is missing required parameters')."
            )
        elif name == "keyVaultId" and not sm.KEY_VAULT_ID_PATTERN.match(value):
            messages.append(
                f"{ISTIO_PATH}.certificateAuthority.plugin.keyVaultId {value!r} is not a Key Vault resource id "
                "(/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.KeyVault/vaults/<name>)."
            )
    if not addon_enabled(props, sm.KEY_VAULT_SECRETS_PROVIDER_ADDON):
        messages.append(
            f"addonProfiles.{sm.KEY_VAULT_SECRETS_PROVIDER_ADDON}.enabled must be true for a plug-in CA ('Azure"
            "KeyvaultSecretsProvider addon is required for Azure Service Mesh plugin certificate authority'); "
            "enable it with config.enableSecretRotation 'true' and grant its identity Key Vault Secrets User."
        )
    return messages


# --- Egress gateways --------------------------------------------------------------------------------------------
def _enabled_egress(props: Props) -> list[Mapping[str, object]]:
    result: list[Mapping[str, object]] = []
    for gateway in elements(get_list(props, f"{ISTIO_PATH}.components.egressGateways")):
        try:
            if isinstance(gateway, Mapping) and get_bool(gateway, "enabled") is True:
                result.append(gateway)
        except Undecidable:
            continue
    return result


def _egress_problems(gateway: Mapping[str, object]) -> list[str]:
    name = get_str(gateway, "name")
    where = f"{ISTIO_PATH}.components.egressGateways[name={name!r}]"
    problems: list[str] = []
    if not name or not sm.EGRESS_GATEWAY_NAME_PATTERN.match(name) or len(name) > sm.EGRESS_GATEWAY_NAME_MAX_LENGTH:
        problems.append(
            f"{where}.name must be 1-{sm.EGRESS_GATEWAY_NAME_MAX_LENGTH} characters of lower-case letters, digits, "
            "'-' and '.' (DNS subdomain)."
        )
    if not get_str(gateway, "gatewayConfigurationName"):
        problems.append(
            f"{where}.gatewayConfigurationName is missing; it must name a StaticGatewayConfiguration in the "
            f"gateway's namespace (default {sm.ADDON_EGRESS_NAMESPACE})."
        )
    return problems


def _pod_subnet_problem(pool: object) -> list[str]:
    if not get_str(pool, sm.POD_SUBNET_POOL_FIELD):
        return []
    return [
        f"agentPoolProfiles[{pool_label(pool)}].{sm.POD_SUBNET_POOL_FIELD} is set: Static Egress Gateway, and so the "
        "Istio egress gateway, is not supported on Azure CNI Pod Subnet clusters; use Azure CNI Overlay."
    ]


def check_egress_prerequisites(props: Props, config: Config = NO_CONFIG) -> list[str]:
    gateways = _enabled_egress(props)
    if not gateways or not istio_enabled(props):
        return []
    messages = each(gateways, _egress_problems)
    if len(gateways) > sm.MAX_EGRESS_GATEWAYS:
        messages.append(f"{len(gateways)} egress gateways; at most {sm.MAX_EGRESS_GATEWAYS} per cluster.")
    if get_bool(props, sm.STATIC_EGRESS_PROFILE_PATH) is not True:
        messages.append(
            f"{sm.STATIC_EGRESS_PROFILE_PATH} must be true: Istio egress gateways require Static Egress Gateway "
            "(az aks update --enable-static-egress-gateway)."
        )
    messages.extend(each(node_pools(props, MANAGED_CLUSTER), _pod_subnet_problem))
    return messages


def _gateway_pool(pool: object) -> bool:
    try:
        return get_str(pool, "mode") == sm.GATEWAY_POOL_MODE
    except Undecidable:
        return True  # unknown mode: it may well be the gateway pool; never a false violation


def check_egress_stack(resources: Sequence[StackResource], config: Config = NO_CONFIG) -> list[Finding]:
    clusters = of_kind(resources, (MANAGED_CLUSTER,))
    pools = of_kind(resources, (AGENT_POOL,))
    configurations = {
        (metadata_namespace(r.props), metadata_name(r.props))
        for r in of_kind(resources, STATIC_GATEWAY_CONFIGURATION_KINDS)
    }
    findings: list[Finding] = []
    for cluster in clusters:
        gateways = _enabled_egress(cluster.props) if istio_enabled(cluster.props) else []
        if not gateways:
            continue
        own_pools = [p.props for p in pools if linked(p, cluster, clusters)]
        if not any(_gateway_pool(p) for p in [*node_pools(cluster.props, MANAGED_CLUSTER), *own_pools]):
            findings.append(
                (
                    cluster.urn,
                    f"egress gateways are enabled but no node pool has mode {sm.GATEWAY_POOL_MODE!r}; add an "
                    "AgentPool with mode Gateway and gatewayProfile.publicIPPrefixSize 28-31 for Static Egress "
                    "Gateway.",
                )
            )
        if config.get("requireStaticGatewayConfiguration", True):
            for gateway in gateways:
                wanted = (
                    get_str(gateway, "namespace") or sm.ADDON_EGRESS_NAMESPACE,
                    get_str(gateway, "gatewayConfigurationName"),
                )
                if wanted[1] and wanted not in configurations:
                    findings.append(
                        (
                            cluster.urn,
                            f"egress gateway {get_str(gateway, 'name')!r} references StaticGatewayConfiguration "
                            f"{wanted[1]!r} in namespace {wanted[0]!r}, which this program does not declare; declare "
                            f"it ({sm.STATIC_GATEWAY_CONFIGURATION_API}) in that namespace and wait for "
                            ".status.egressIpPrefix, or waive this policy if another program owns it.",
                        )
                    )
    return findings


# --- Gateway API ------------------------------------------------------------------------------------------------
def check_gateway_api_prerequisites(props: Props, config: Config = NO_CONFIG) -> list[str]:
    installation = get_str(props, sm.GATEWAY_API_INSTALLATION_PATH)
    if installation != sm.GATEWAY_API_INSTALLATION_STANDARD or not istio_enabled(props):
        return []
    messages = [
        f"{ISTIO_PATH}.revisions: {revision} is older than {sm.GATEWAY_API_MIN_REVISION}, the first revision with "
        "Gateway API support in the add-on; upgrade the mesh revision first."
        for revision in mesh_revisions(props)
        if sm.REVISION_PATTERN.match(revision) and not sm.gateway_api_supported(revision)
    ]
    app_routing = get_str(props, sm.APP_ROUTING_ISTIO_MODE_PATH)
    if app_routing is not None and app_routing.lower() == "enabled":
        messages.append(
            f"{sm.APP_ROUTING_ISTIO_MODE_PATH} is Enabled: the app-routing Gateway API implementation cannot coexist "
            "with the Istio add-on's; disable it in a separate operation first."
        )
    return messages


def _istio_gateway(resource: StackResource) -> bool:
    try:
        return get_str(resource.props, "spec.gatewayClassName") == sm.GATEWAY_API_CLASS_NAME
    except Undecidable:
        return False


def check_gateway_api_stack(resources: Sequence[StackResource], config: Config = NO_CONFIG) -> list[Finding]:
    gateways = [g for g in of_kind(resources, GATEWAY_API_GATEWAY_KINDS) if _istio_gateway(g)]
    clusters = mesh_clusters(resources)
    if not gateways or not clusters:
        return []  # the cluster is another program's: nothing to compare with
    if any(decided(_gateway_api_on, c.props, default=True) for c in clusters):
        return []
    return [
        (
            gateway.urn,
            f"Gateway {metadata_name(gateway.props)!r} uses gatewayClassName {sm.GATEWAY_API_CLASS_NAME!r} but no "
            f"Istio cluster in this program sets {sm.GATEWAY_API_INSTALLATION_PATH}: "
            f"{sm.GATEWAY_API_INSTALLATION_STANDARD} (needs ARM API >= {sm.GATEWAY_API_MIN_ARM_API_VERSION} and "
            f"revision >= {sm.GATEWAY_API_MIN_REVISION}); enable the managed Gateway API CRDs.",
        )
        for gateway in gateways
    ]


def _gateway_api_on(cluster: Props) -> bool:
    return get_str(cluster, sm.GATEWAY_API_INSTALLATION_PATH) == sm.GATEWAY_API_INSTALLATION_STANDARD


URL_ABOUT = DOCS + "istio-about"
CLUSTER = (MANAGED_CLUSTER,)

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
    CLUSTER,
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
    CLUSTER,
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
    CLUSTER,
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
    CLUSTER,
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
    CLUSTER,
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
    CLUSTER,
    check_plugin_ca_complete,
)
EGRESS = resource_policy(
    Meta(
        "managedcluster-egress-gateway-prerequisites",
        "An Istio egress gateway has a valid name, a gateway configuration and Static Egress Gateway enabled.",
        Severity.HIGH,
        "Enable networkProfile.staticEgressGatewayProfile, name each egress gateway as a DNS subdomain and set its "
        "gatewayConfigurationName; do not use Azure CNI Pod Subnet.",
        DOCS + "istio-deploy-egress",
        TAGS,
    ),
    CLUSTER,
    check_egress_prerequisites,
)
EGRESS_STACK = stack_policy(
    Meta(
        "managedcluster-egress-gateway-resources",
        "An Istio egress gateway has a Gateway-mode node pool and its StaticGatewayConfiguration in the program.",
        Severity.HIGH,
        "Add an AgentPool with mode Gateway and declare the StaticGatewayConfiguration the gateway names, in its "
        "namespace.",
        DOCS + "configure-static-egress-gateway",
        TAGS,
        config={
            "requireStaticGatewayConfiguration": {
                "type": "boolean",
                "default": True,
                "description": "Require the StaticGatewayConfiguration to be declared by the same program.",
            }
        },
    ),
    check_egress_stack,
)
GATEWAY_API = resource_policy(
    Meta(
        "managedcluster-gateway-api-prerequisites",
        "Managed Gateway API with the add-on needs revision asm-1-26 or later and no app-routing Istio.",
        Severity.HIGH,
        "Upgrade to asm-1-26 or later and disable ingressProfile.webAppRouting.gatewayAPIImplementations."
        "appRoutingIstio before enabling ingressProfile.gatewayAPI.installation Standard.",
        DOCS + "istio-gateway-api",
        TAGS,
    ),
    CLUSTER,
    check_gateway_api_prerequisites,
)
GATEWAY_API_STACK = stack_policy(
    Meta(
        "gateway-istio-class-requires-managed-gateway-api",
        "A Gateway of class istio needs its cluster to install the managed Gateway API CRDs.",
        Severity.HIGH,
        "Set ingressProfile.gatewayAPI.installation to Standard on the ManagedCluster (ARM API 2026-02-01 or later).",
        DOCS + "istio-gateway-api",
        TAGS,
    ),
    check_gateway_api_stack,
)

POLICIES: Final = (
    OSM,
    VIRTUAL_NODES,
    REVISIONS_VALID,
    REVISION_DISTANCE,
    REVISION_K8S,
    INGRESS_COUNT,
    PLUGIN_CA,
    EGRESS,
    EGRESS_STACK,
    GATEWAY_API,
    GATEWAY_API_STACK,
)
