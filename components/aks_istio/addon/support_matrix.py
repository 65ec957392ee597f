"""What the AKS Istio add-on supports, allows and blocks: one pure-data module.

Config validation (``aks_istio.config``), the components and the CrossGuard policy pack (``policy/``) all
read these facts, so the two guard rails can never disagree. This module must stay free of Pulumi and
pydantic imports: the policy pack loads it in a virtualenv that has neither the azure-native SDK nor pydantic.

Every fact names its source. Keys used below:
  AKSDOCS  MicrosoftDocs/azure-aks-docs, articles/aks/<file> (snapshot 2026-08-21)
  SUPP     MicrosoftDocs/SupportArticles-docs, support/azure/azure-kubernetes/extensions/<file>
  BT       Azure/bicep-types-az, generated/containerservice/.../<api>/types.md
  CLI      Azure/azure-cli, src/azure-cli/azure/cli/command_modules/acs/<file>
  MONDOCS  MicrosoftDocs/azure-monitor-docs, articles/azure-monitor/containers/<file>
  PROMCOL  Azure/prometheus-collector, AddonBicepTemplate/<file> (the template Microsoft's docs link to)
(on the web: AKSDOCS articles are https://learn.microsoft.com/azure/aks/<file without .md>, SUPP ones
https://learn.microsoft.com/troubleshoot/azure/azure-kubernetes/extensions/<file>, MONDOCS ones
https://learn.microsoft.com/azure/azure-monitor/containers/<file>; the others are GitHub repositories.)
Collected on 2026-11-22 from the public sources keyed above; each fact cites its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from aks_istio.addon import catalog

# --- Namespaces the add-on owns (https://learn.microsoft.com/azure/aks/istio-deploy-addon, istio-deploy-ingress.md,
# istio-deploy-egress.md)
ADDON_SYSTEM_NAMESPACE: Final = "aks-istio-system"
ADDON_INGRESS_NAMESPACE: Final = "aks-istio-ingress"
ADDON_EGRESS_NAMESPACE: Final = "aks-istio-egress"
REVISION_LABEL: Final = "istio.io/rev"
# The add-on ignores the upstream injection label: "istio-injection=enabled ... will cause the sidecar
# injection to skip the namespace" (https://learn.microsoft.com/azure/aks/istio-deploy-addon).
IGNORED_INJECTION_LABEL: Final = "istio-injection"

# --- Revisions ------------------------------------------------------------------------------------------------
# The revision catalog (revisions, Kubernetes ranges, upgrade targets, end-of-life dates) ages, so it is data:
# aks_istio/addon/revisions.json, read by aks_istio.addon.catalog; the rules over it are aks_istio.addon.lifecycle.
# The names below are the *shipped* catalog, for code that needs a fixed example revision; validation and the
# pack judge against `catalog.active_catalog()`, which prefers a user's refreshed file.
REVISION_PATTERN: Final = catalog.REVISION_PATTERN
# `serviceMeshProfile.istio.revisions` has {maxLength: 2} (BT 2026-05-01); two only during a canary upgrade.
MAX_REVISIONS: Final = 2
# "Istio add-on can only be enabled on AKS clusters of version >= 1.23" (https://learn.microsoft.com/azure/aks/istio-deploy-addon).
MIN_KUBERNETES_MINOR: Final = 23

Revision = catalog.Revision
parse_revision = catalog.parse_revision
kubernetes_minor = catalog.kubernetes_minor
SHIPPED: Final = catalog.shipped_catalog()
REVISIONS: Final[tuple[Revision, ...]] = SHIPPED.revisions
REVISIONS_BY_NAME: Final[Mapping[str, Revision]] = SHIPPED.by_name
REVISION_CATALOG_SOURCE: Final = f"revision catalog as of {SHIPPED.as_of}: {', '.join(SHIPPED.sources[:1])}"
REVISION_CATALOG_DATE: Final = SHIPPED.as_of
UPGRADE_RULE_SOURCE: Final = (
    "https://learn.microsoft.com/azure/aks/istio-upgrade; "
    "https://learn.microsoft.com/troubleshoot/azure/azure-kubernetes/extensions/istio-add-on-minor-revision-upgrade "
    "(2026-11-22)"
)

# Upgrades may go to n+1, or skip one to n+2 when both are supported (https://learn.microsoft.com/azure/aks/istio-upgrade;
# https://learn.microsoft.com/troubleshoot/azure/azure-kubernetes/extensions/istio-add-on-minor-revision-upgrade).
# The ARM docstring says "two consecutive values"; the newer upgrade docs win. A downgrade outside a canary
# rollback "isn't allowed" (the same troubleshooting article).
MAX_UPGRADE_MINOR_DISTANCE: Final = 2


def allowed_upgrades(current: str) -> list[str]:
    """Revisions a canary upgrade may start from `current` to (n+1, n+2), by the shipped catalog's `upgrades`."""
    return SHIPPED.upgrades_of(current)


# --- Ingress gateways (https://learn.microsoft.com/azure/aks/istio-deploy-ingress)
# --------------------------------------------------------
INGRESS_GATEWAY_MODES: Final = ("External", "Internal")
INGRESS_GATEWAY_SERVICES: Final = {
    "External": "aks-istio-ingressgateway-external",
    "Internal": "aks-istio-ingressgateway-internal",
}
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


# --- Gateway API ingress (https://learn.microsoft.com/azure/aks/istio-gateway-api; GA 2026-05-27)
# --------------------------------------------
GATEWAY_API_MIN_REVISION: Final = "asm-1-26"
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


# --- Private access to Managed Grafana (azure-docs private-link/private-endpoint-dns.md, "Azure Managed Grafana
# (Microsoft.Dashboard/grafana)": subresource grafana, zone privatelink.grafana.azure.com; managed-grafana/
# how-to-set-up-private-access.md: with public access disabled, only private endpoints reach the instance).
GRAFANA_PRIVATE_LINK_GROUP: Final = "grafana"
GRAFANA_PRIVATE_DNS_ZONE: Final = "privatelink.grafana.azure.com"


# --- Egress gateways (https://learn.microsoft.com/azure/aks/istio-deploy-egress, configure-static-egress-gateway.md; GA
# 2025-11-24) -------
EGRESS_GATEWAY_NAME_PATTERN: Final = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
# The AKS doc says 1-53 characters, the CLI constant and SUPP say 63: enforce the stricter one.
EGRESS_GATEWAY_NAME_MAX_LENGTH: Final = 53
MAX_EGRESS_GATEWAYS: Final = 500
GATEWAY_POOL_PREFIX_SIZES: Final = (28, 29, 30, 31)
STATIC_GATEWAY_CONFIGURATION_API: Final = "egressgateway.kubernetes.azure.com/v1alpha1"
STATIC_GATEWAY_CONFIGURATION_KIND: Final = "StaticGatewayConfiguration"
# The gateway pool's mode, and what it may not have: no cluster autoscaler, Linux only, IPv4 only
# (https://learn.microsoft.com/azure/aks/configure-static-egress-gateway limitations).
GATEWAY_POOL_MODE: Final = "Gateway"
# Static Egress Gateway "is currently not supported on Azure CNI Pod Subnet clusters", so neither is the Istio
# egress gateway (https://learn.microsoft.com/azure/aks/istio-deploy-egress). Overlay (our only mode) and node-subnet
# CNI are fine.
EGRESS_UNSUPPORTED_NETWORK: Final = "Azure CNI Pod Subnet (agent pools with podSubnetID)"
# The egress gateway Service carries `istio: <name>` (https://learn.microsoft.com/azure/aks/istio-deploy-egress), the
# selector of an
# Istio Gateway bound to it.
EGRESS_GATEWAY_SELECTOR_LABEL: Final = "istio"
# The add-on egress gateway needs `resolution: DNS` on the ServiceEntry
# (https://learn.microsoft.com/azure/aks/istio-scale, SUPP
# istio-add-on-egress-gateway.md).
EGRESS_SERVICE_ENTRY_RESOLUTION: Final = "DNS"


def gateway_pool_max_nodes(prefix_size: int) -> int:
    """A /31 public IP prefix serves 2 gateway nodes, a /28 serves 16 (BT AgentPoolGatewayProfile)."""
    return 1 << (32 - prefix_size)


def is_pod_subnet_cluster(network_plugin: str | None, pod_subnet_ids: list[str | None]) -> bool:
    """Azure CNI with a pod subnet on any pool: static egress (and so the Istio egress gateway) is unsupported."""
    return network_plugin == "azure" and any(pod_subnet_ids)


# --- Blocked custom resources (https://learn.microsoft.com/azure/aks/istio-about, HEAD)
# ----------------------------------------------------
# Rejected by the add-on's admission webhooks.
BLOCKED_ISTIO_KINDS: Final = frozenset({"ProxyConfig", "WorkloadEntry", "WorkloadGroup", "IstioOperator", "WasmPlugin"})
# EnvoyFilter: since 2025-10-16 every EnvoyFilter is *allowed* but outside Azure's support scope; before that
# only these three filter types were accepted (https://learn.microsoft.com/azure/aks/istio-about, commit 5d94e46db and
# its removed lines).
SUPPORTED_ENVOY_FILTER_TYPES: Final = frozenset(
    {
        "type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua",
        "type.googleapis.com/envoy.extensions.filters.http.compressor.v3.Compressor",
        "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
    }
)

# --- MeshConfig (https://learn.microsoft.com/azure/aks/istio-meshconfig)
# --------------------------------------------------------------------
SHARED_MESH_CONFIGMAP_PREFIX: Final = "istio-shared-configmap-"
MESH_CONFIG_DATA_KEY: Final = "mesh"
# "Supported": covered by Azure support.
MESH_CONFIG_SUPPORTED_FIELDS: Final = frozenset(
    {
        "defaultConfig",
        "outboundTrafficPolicy",
        "accessLogFile",
        "accessLogFormat",
        "accessLogEncoding",
        "enableEnvoyAccessLogService",
        "disableEnvoyListenerLog",
        "discoverySelectors",
    }
)
# "Allowed": accepted by the webhooks, no Azure support.
MESH_CONFIG_ALLOWED_FIELDS: Final = frozenset(
    {
        "proxyListenPort",
        "proxyInboundListenPort",
        "proxyHttpPort",
        "connectTimeout",
        "tcpKeepalive",
        "extensionProviders",
        "defaultProviders",
        "enableTracing",
        "trustDomain",
        "trustDomainAliases",
        "caCertificates",
        "defaultServiceExportTo",
        "defaultVirtualServiceExportTo",
        "defaultDestinationRuleExportTo",
        "localityLbSetting",
        "dnsRefreshRate",
        "h2UpgradePolicy",
        "enablePrometheusMerge",
        "pathNormalization",
        "defaultHttpRetryPolicy",
        "serviceSettings",
        "meshMTLS",
        "tlsDefaults",
        "ingressService",
        "ingressSelector",
    }
)
PROXY_CONFIG_SUPPORTED_FIELDS: Final = frozenset(
    {"drainDuration", "concurrency", "terminationDrainDuration", "holdApplicationUntilProxyStarts"}
)
PROXY_CONFIG_ALLOWED_FIELDS: Final = frozenset(
    {
        "tracingServiceName",
        "statsUdpAddress",
        "proxyAdminPort",
        "tracing",
        "envoyAccessLogService",
        "envoyMetricsService",
        "proxyMetadata",
        "statusPort",
        "extraStatTags",
        "gatewayTopology",
        "proxyStatsMatcher",
        "meshId",
        "caCertificatesPem",
        "privateKeyProvider",
        "proxyHeaders",
    }
)
OUTBOUND_TRAFFIC_POLICY_MODES: Final = ("ALLOW_ANY", "REGISTRY_ONLY")

# --- Plug-in CA (https://learn.microsoft.com/azure/aks/istio-plugin-ca; CLI aks_mesh_enable)
# ------------------------------------------------
# All four object names plus the Key Vault id are required ("ServiceMeshProfile is missing required
# parameters: %s for plugin certificate authority", SUPP general troubleshooting).
PLUGIN_CA_FIELDS: Final = (
    "keyVaultId",
    "certObjectName",
    "keyObjectName",
    "rootCertObjectName",
    "certChainObjectName",
)
KEY_VAULT_ID_PATTERN: Final = re.compile(
    r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.KeyVault/vaults/[^/]+$", re.IGNORECASE
)
KEY_VAULT_SECRETS_PROVIDER_ADDON: Final = "azureKeyvaultSecretsProvider"

# --- Add-ons and features the Istio add-on cannot run beside (https://learn.microsoft.com/azure/aks/istio-about
# §Limitations) ------------
OSM_ADDON: Final = "openServiceMesh"  # "Istio based Azure service mesh is incompatible with feature %s" (SUPP)
VIRTUAL_NODE_ADDON: Final = "aciConnectorLinux"
UNSUPPORTED_OS_TYPES: Final = frozenset({"Windows"})
# Helm charts that install upstream (self-managed) Istio next to the add-on.
SELF_MANAGED_ISTIO_CHARTS: Final = frozenset({"base", "istiod", "gateway", "cni", "ztunnel", "istio-base"})
SELF_MANAGED_ISTIO_REPO_MARKERS: Final = ("istio-release.storage.googleapis.com", "istio.io")

# --- Facts the policy pack checks on raw resources (https://learn.microsoft.com/azure/aks/istio-about#limitations) -
# Static egress gateway: the cluster-level switch (BT 2026-05-01 ManagedClusterStaticEgressGatewayProfile; AKSDOCS
# configure-static-egress-gateway.md); the pool side is GATEWAY_POOL_MODE above.
STATIC_EGRESS_PROFILE_PATH: Final = "networkProfile.staticEgressGatewayProfile.enabled"
# "The Istio egress gateway isn't supported on Azure CNI Pod Subnet clusters" (https://learn.microsoft.com/azure/aks/istio-deploy-egress):
# pools that set a pod subnet are that mode.
POD_SUBNET_POOL_FIELD: Final = "podSubnetID"
# Managed Gateway API CRDs (BT 2026-02-01+ `ingressProfile.gatewayAPI.installation`; https://learn.microsoft.com/azure/aks/istio-gateway-api)
# and the app-routing Gateway API implementation the add-on cannot coexist with (same doc, Limitations).
GATEWAY_API_INSTALLATION_PATH: Final = "ingressProfile.gatewayAPI.installation"
APP_ROUTING_ISTIO_MODE_PATH: Final = "ingressProfile.webAppRouting.gatewayAPIImplementations.appRoutingIstio.mode"
# The add-on's own per-revision MeshConfig `istio-<rev>` is reconciled: edits are reverted (AKSDOCS
# istio-meshconfig.md; Azure/AKS #5175, #4362). Only `istio-shared-configmap-<rev>` is for users.
DEFAULT_MESH_CONFIGMAP_PATTERN: Final = re.compile(r"^istio-asm-\d+-\d+$")
# Namespaces whose HPAs belong to the add-on (istiod, ingress and egress gateways; https://learn.microsoft.com/azure/aks/istio-scale).
ADDON_NAMESPACES: Final = frozenset({ADDON_SYSTEM_NAMESPACE, ADDON_INGRESS_NAMESPACE, ADDON_EGRESS_NAMESPACE})
# Upstream Istio: mesh-wide PeerAuthentication lives in the root namespace, which for the add-on is
# aks-istio-system (https://learn.microsoft.com/azure/aks/istio-deploy-addon uses it as the root namespace;
# istio-telemetry.md likewise).
MESH_ROOT_NAMESPACE: Final = ADDON_SYSTEM_NAMESPACE
# API groups a self-managed Istio install brings (its CRDs are `*.istio.io`); the add-on manages these itself.
ISTIO_API_GROUP_SUFFIX: Final = "istio.io"
# Service annotations that restrict who can reach a public load balancer (https://learn.microsoft.com/azure/aks/istio-deploy-ingress
# allowlist): the prod baseline asks for one of them on an external ingress gateway.
GATEWAY_SOURCE_RESTRICTION_ANNOTATIONS: Final = (
    "service.beta.kubernetes.io/azure-allowed-ip-ranges",
    "service.beta.kubernetes.io/azure-allowed-service-tags",
)


# --- Built-in role GUIDs (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles) -----------
ROLE_KEY_VAULT_SECRETS_USER: Final = "4633458b-17de-408a-b874-0445c86b69e6"
ROLE_NETWORK_CONTRIBUTOR: Final = "4d97b98b-1d4f-4787-a291-c67834d212e7"
ROLE_MONITORING_DATA_READER: Final = "b0d8363b-8ddd-447d-831f-62ca05bff136"
ROLE_MONITORING_READER: Final = "43d0d8ad-25c7-4714-9337-8ba259a9fe05"
ROLE_GRAFANA_ADMIN: Final = "22926164-76b3-42b3-bc55-97df8dab3e41"
ROLE_GRAFANA_EDITOR: Final = "a79a5197-3a5c-4973-a920-486035ffd60f"
ROLE_GRAFANA_VIEWER: Final = "60921a7e-fef1-4a43-9b16-a26c52ad4769"

# --- Managed Prometheus (PROMCOL FullAzureMonitorMetricsProfile.bicep; Azure/prometheus-collector#942) ---------
# `azureMonitorProfile.metrics.enabled` without a data collection rule association on the cluster leaves the
# ama-metrics pods crash-looping (Azure/prometheus-collector #942): the two always come together.
# Name the CLI gives the DCR association (CLI azuremonitormetrics/dc/defaults.py get_default_dcra_name).
METRICS_DCRA_NAME: Final = "ContainerInsightsMetricsExtension"
# The DCE association has a fixed name: ARM only accepts `configurationAccessEndpoint` for an association that
# carries a dataCollectionEndpointId (azurerm docs for monitor_data_collection_rule_association; PROMCOL
# AddonTerraformTemplate/main.tf `dcra_mismatch` relies on that default).
DCE_ASSOCIATION_NAME: Final = "configurationAccessEndpoint"
PROMETHEUS_STREAM: Final = "Microsoft-PrometheusMetrics"
# Managed collector ConfigMaps: all in kube-system, none exist by default (MONDOCS
# prometheus-metrics-scrape-configuration.md; https://learn.microsoft.com/azure/aks/istio-metrics-managed-prometheus).
AMA_METRICS_NAMESPACE: Final = "kube-system"
AMA_METRICS_PROMETHEUS_CONFIGMAP: Final = "ama-metrics-prometheus-config"
AMA_METRICS_PROMETHEUS_CONFIG_KEY: Final = "prometheus-config"
AMA_METRICS_SETTINGS_CONFIGMAP: Final = "ama-metrics-settings-configmap"
# Upstream Istio ports: istiod's http-monitoring and Envoy's own Prometheus endpoint.
ISTIOD_MONITORING_PORT: Final = 15014
ENVOY_PROMETHEUS_PORT: Final = 15090
ENVOY_PROMETHEUS_PATH: Final = "/stats/prometheus"
