"""What the AKS Istio add-on supports, allows and blocks: one pure-data module.

Config validation (``aks_istio.config``), the components and the CrossGuard policy pack (``policy/``) all
read these facts, so the two guard rails can never disagree. This module must stay free of Pulumi and
pydantic imports: the policy pack loads it in a virtualenv that has neither the azure-native SDK nor pydantic.

Every fact names its source. Keys used below:
  AKSDOCS  MicrosoftDocs/azure-aks-docs, articles/aks/<file> (snapshot 2026-08-21)
  SUPP     MicrosoftDocs/SupportArticles-docs, support/azure/azure-kubernetes/extensions/<file>
  BT       Azure/bicep-types-az, generated/containerservice/.../<api>/types.md
  CLI      Azure/azure-cli, src/azure-cli/azure/cli/command_modules/acs/<file>
Collected in ../shared/reference/aks-istio-addon.md on 2026-11-22.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final

# --- Namespaces the add-on owns (AKSDOCS istio-deploy-addon.md, istio-deploy-ingress.md, istio-deploy-egress.md)
ADDON_SYSTEM_NAMESPACE: Final = "aks-istio-system"
ADDON_INGRESS_NAMESPACE: Final = "aks-istio-ingress"
ADDON_EGRESS_NAMESPACE: Final = "aks-istio-egress"
REVISION_LABEL: Final = "istio.io/rev"
# The add-on ignores the upstream injection label: "istio-injection=enabled ... will cause the sidecar
# injection to skip the namespace" (AKSDOCS istio-deploy-addon.md).
IGNORED_INJECTION_LABEL: Final = "istio-injection"

# --- Revisions ------------------------------------------------------------------------------------------------
# Format enforced by the CLI (`validate_azure_service_mesh_revision`, CLI _validators.py).
REVISION_PATTERN: Final = re.compile(r"^asm-(\d+)-(\d+)$")
# `serviceMeshProfile.istio.revisions` has {maxLength: 2} (BT 2026-05-01); two only during a canary upgrade.
MAX_REVISIONS: Final = 2
# "Istio add-on can only be enabled on AKS clusters of version >= 1.23" (AKSDOCS istio-deploy-addon.md).
MIN_KUBERNETES_MINOR: Final = 23


@dataclass(frozen=True)
class Revision:
    """One `asm-1-N` revision and the AKS Kubernetes minors it runs on."""

    name: str
    min_kubernetes_minor: int
    max_kubernetes_minor: int
    end_of_life: date
    """Last day of support; an `expected` date is Microsoft's estimate, not an announcement."""
    end_of_life_expected: bool = False
    upgrades: tuple[str, ...] = ()
    """Revisions a canary upgrade from this one may target (see UPGRADE_RULE_SOURCE)."""

    @property
    def minor(self) -> int:
        return parse_revision(self.name)[1]

    def is_past_end_of_life(self, today: date) -> bool:
        """Past its (possibly expected) end of life on `today`: no new installs, upgrade off it."""
        return today > self.end_of_life

    def supports_kubernetes(self, kubernetes_version: str) -> bool:
        minor = kubernetes_minor(kubernetes_version)
        return minor is not None and self.min_kubernetes_minor <= minor <= self.max_kubernetes_minor


# Release calendar: AKSDOCS istio-support-policy.md (ms.date 05/15/2026; asm-1-30 row added 2026-06-24).
# End-of-life months are recorded as the last day of the month the calendar names.
# The live set in a region comes from `az aks mesh get-revisions` (ARM meshRevisionProfiles); this table is
# what validation can know offline.
#
# `upgrades` is the relation ARM's meshRevisionProfiles returns per revision (`upgrades[]`, aks-istio-addon.md
# §1.3), written out by UPGRADE_RULE_SOURCE: n+1, or skip one to n+2. Whether both ends also run on the
# cluster's Kubernetes version is checked against the two revisions' ranges, not baked in here.
REVISIONS: Final[tuple[Revision, ...]] = (
    Revision("asm-1-17", 23, 28, date(2024, 1, 31), upgrades=("asm-1-18", "asm-1-19")),
    Revision("asm-1-18", 24, 28, date(2024, 2, 29), upgrades=("asm-1-19", "asm-1-20")),
    Revision("asm-1-19", 25, 28, date(2024, 6, 30), upgrades=("asm-1-20", "asm-1-21")),
    Revision("asm-1-20", 25, 29, date(2024, 9, 30), upgrades=("asm-1-21", "asm-1-22")),
    Revision("asm-1-21", 26, 30, date(2024, 10, 31), upgrades=("asm-1-22", "asm-1-23")),
    Revision("asm-1-22", 27, 30, date(2025, 3, 31), upgrades=("asm-1-23", "asm-1-24")),
    Revision("asm-1-23", 27, 32, date(2025, 6, 30), upgrades=("asm-1-24", "asm-1-25")),
    Revision("asm-1-24", 28, 33, date(2025, 9, 30), upgrades=("asm-1-25", "asm-1-26")),
    Revision("asm-1-25", 29, 33, date(2026, 1, 31), upgrades=("asm-1-26", "asm-1-27")),
    Revision("asm-1-26", 29, 34, date(2026, 4, 30), upgrades=("asm-1-27", "asm-1-28")),
    Revision("asm-1-27", 29, 35, date(2026, 5, 31), upgrades=("asm-1-28", "asm-1-29")),
    Revision("asm-1-28", 30, 35, date(2026, 8, 31), end_of_life_expected=True, upgrades=("asm-1-29", "asm-1-30")),
    Revision("asm-1-29", 31, 36, date(2026, 9, 30), end_of_life_expected=True, upgrades=("asm-1-30",)),
    Revision("asm-1-30", 32, 36, date(2026, 12, 31), end_of_life_expected=True),
)
REVISIONS_BY_NAME: Final[dict[str, Revision]] = {r.name: r for r in REVISIONS}
REVISION_CATALOG_SOURCE: Final = "AKSDOCS istio-support-policy.md, read 2026-11-22"
REVISION_CATALOG_DATE: Final = date(2026, 11, 22)
UPGRADE_RULE_SOURCE: Final = "AKSDOCS istio-upgrade.md; SUPP istio-add-on-minor-revision-upgrade.md (2026-11-22)"

# Upgrades may go to n+1, or skip one to n+2 when both are supported (AKSDOCS istio-upgrade.md; SUPP
# istio-add-on-minor-revision-upgrade.md). The ARM docstring says "two consecutive values"; the newer
# upgrade docs win. A downgrade outside a canary rollback "isn't allowed" (SUPP).
MAX_UPGRADE_MINOR_DISTANCE: Final = 2


def parse_revision(name: str) -> tuple[int, int]:
    """`asm-1-28` -> (1, 28); raises ValueError for anything else."""
    match = REVISION_PATTERN.match(name)
    if match is None:
        raise ValueError(f"{name!r} is not a revision name of the form asm-<major>-<minor>")
    return int(match.group(1)), int(match.group(2))


def kubernetes_minor(version: str) -> int | None:
    """`1.34` or `1.34.2` -> 34; None for anything that is not a 1.x version."""
    match = re.match(r"^1\.(\d+)(?:\.\d+)?$", version)
    return int(match.group(1)) if match else None


def revisions_supporting(kubernetes_version: str) -> list[str]:
    """Revisions in the catalog that run on this Kubernetes version, oldest first."""
    return [r.name for r in REVISIONS if r.supports_kubernetes(kubernetes_version)]


def allowed_upgrades(current: str) -> list[str]:
    """Revisions a canary upgrade may start from `current` to (n+1, n+2), by the catalog's `upgrades`."""
    revision = REVISIONS_BY_NAME.get(current)
    return list(revision.upgrades) if revision is not None else []


def revisions_past_end_of_life(revisions: Iterable[str], today: date) -> list[Revision]:
    """The catalogued revisions among `revisions` that are past their end of life on `today` (injected, so
    callers and tests decide what "today" is)."""
    known = [REVISIONS_BY_NAME[r] for r in revisions if r in REVISIONS_BY_NAME]
    return [r for r in known if r.is_past_end_of_life(today)]


# --- Ingress gateways (AKSDOCS istio-deploy-ingress.md) --------------------------------------------------------
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
# currently not supported" (AKSDOCS istio-about.md, istio-deploy-ingress.md).
ALLOWED_GATEWAY_SERVICE_SPEC_FIELDS: Final = frozenset({"externalTrafficPolicy"})
EXTERNAL_TRAFFIC_POLICIES: Final = ("Cluster", "Local")


def is_allowed_gateway_annotation(key: str) -> bool:
    return key in ALLOWED_GATEWAY_SERVICE_ANNOTATIONS or key in ALLOWED_HEALTH_PROBE_ANNOTATIONS


def allowed_gateway_annotations() -> list[str]:
    return sorted(ALLOWED_GATEWAY_SERVICE_ANNOTATIONS | ALLOWED_HEALTH_PROBE_ANNOTATIONS)


# HPA for istiod and the gateways: default 2..5 at 80% CPU; "the add-on does not allow setting the
# minReplicas below the initial default of 2" (AKSDOCS istio-scale.md).
GATEWAY_HPA_MIN_REPLICAS: Final = 2
GATEWAY_HPA_DEFAULT_MAX_REPLICAS: Final = 5
# HPAs (and Deployments) are per revision: `aks-istio-ingressgateway-{external|internal}-asm-1-NN` in
# aks-istio-ingress (AKSDOCS istio-scale.md); egress Deployments are `<name>-<asm-rev>` (istio-deploy-egress.md)
# and their HPA follows the same naming.
GATEWAY_SERVICE_ANNOTATION_PIP_NAME: Final = "service.beta.kubernetes.io/azure-pip-name"
GATEWAY_SERVICE_ANNOTATION_PIP_RESOURCE_GROUP: Final = "service.beta.kubernetes.io/azure-load-balancer-resource-group"
GATEWAY_SERVICE_ANNOTATION_IPV4: Final = "service.beta.kubernetes.io/azure-load-balancer-ipv4"
GATEWAY_SERVICE_ANNOTATION_INTERNAL_SUBNET: Final = "service.beta.kubernetes.io/azure-load-balancer-internal-subnet"
GATEWAY_SERVICE_ANNOTATION_SERVICE_TAGS: Final = "service.beta.kubernetes.io/azure-allowed-service-tags"
GATEWAY_SERVICE_ANNOTATION_IP_RANGES: Final = "service.beta.kubernetes.io/azure-allowed-ip-ranges"
# Set by the add-on on the internal Service; Gateway API gateways need it in spec.infrastructure.annotations
# (AKSDOCS istio-gateway-api.md).
LOAD_BALANCER_INTERNAL_ANNOTATION: Final = "service.beta.kubernetes.io/azure-load-balancer-internal"


def gateway_hpa_name(gateway: str, revision: str) -> str:
    """`aks-istio-ingressgateway-external` + `asm-1-30` -> `aks-istio-ingressgateway-external-asm-1-30`."""
    return f"{gateway}-{revision}"


# --- Gateway API ingress (AKSDOCS istio-gateway-api.md; GA 2026-05-27) --------------------------------------------
GATEWAY_API_MIN_REVISION: Final = "asm-1-26"
GATEWAY_API_CLASS_NAME: Final = "istio"
GATEWAY_API_CLASS_DEFAULTS_CONFIGMAP: Final = "istio-gateway-class-defaults"
# First stable ARM API version with `ingressProfile.gatewayAPI` (BT scan, aks-istio-addon.md §1.2).
GATEWAY_API_MIN_ARM_API_VERSION: Final = "2026-02-01"
# ARM value that installs the managed (standard-channel) Gateway API CRDs: ingressProfile.gatewayAPI.installation.
GATEWAY_API_INSTALLATION_STANDARD: Final = "Standard"
GATEWAY_API_GROUP: Final = "gateway.networking.k8s.io"
GATEWAY_API_VERSION: Final = "gateway.networking.k8s.io/v1"
# Label that marks the class-level customization ConfigMap in aks-istio-system.
GATEWAY_API_CLASS_DEFAULTS_LABEL: Final = "gateway.istio.io/defaults-for-class"
# "Cannot coexist with the app-routing Gateway API implementation (approuting-istio); disable one first"
# (AKSDOCS istio-gateway-api.md, app-routing-gateway-api.md).
APP_ROUTING_ISTIO_CLASS: Final = "approuting-istio"


def gateway_api_supported(revision: str) -> bool:
    """Gateway API ingress with the add-on needs asm-1-26 or newer (AKSDOCS istio-gateway-api.md)."""
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


# --- Egress gateways (AKSDOCS istio-deploy-egress.md, configure-static-egress-gateway.md; GA 2025-11-24) -------
EGRESS_GATEWAY_NAME_PATTERN: Final = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
# The AKS doc says 1-53 characters, the CLI constant and SUPP say 63: enforce the stricter one.
EGRESS_GATEWAY_NAME_MAX_LENGTH: Final = 53
MAX_EGRESS_GATEWAYS: Final = 500
GATEWAY_POOL_PREFIX_SIZES: Final = (28, 29, 30, 31)
STATIC_GATEWAY_CONFIGURATION_API: Final = "egressgateway.kubernetes.azure.com/v1alpha1"
STATIC_GATEWAY_CONFIGURATION_KIND: Final = "StaticGatewayConfiguration"
# The gateway pool's mode, and what it may not have: no cluster autoscaler, Linux only, IPv4 only
# (AKSDOCS configure-static-egress-gateway.md limitations).
GATEWAY_POOL_MODE: Final = "Gateway"
# Static Egress Gateway "is currently not supported on Azure CNI Pod Subnet clusters", so neither is the Istio
# egress gateway (AKSDOCS istio-deploy-egress.md). Overlay (our only mode) and node-subnet CNI are fine.
EGRESS_UNSUPPORTED_NETWORK: Final = "Azure CNI Pod Subnet (agent pools with podSubnetID)"
# The egress gateway Service carries `istio: <name>` (AKSDOCS istio-deploy-egress.md), the selector of an
# Istio Gateway bound to it.
EGRESS_GATEWAY_SELECTOR_LABEL: Final = "istio"
# The add-on egress gateway needs `resolution: DNS` on the ServiceEntry (AKSDOCS istio-scale.md, SUPP
# istio-add-on-egress-gateway.md).
EGRESS_SERVICE_ENTRY_RESOLUTION: Final = "DNS"


def gateway_pool_max_nodes(prefix_size: int) -> int:
    """A /31 public IP prefix serves 2 gateway nodes, a /28 serves 16 (BT AgentPoolGatewayProfile)."""
    return 1 << (32 - prefix_size)


def is_pod_subnet_cluster(network_plugin: str | None, pod_subnet_ids: list[str | None]) -> bool:
    """Azure CNI with a pod subnet on any pool: static egress (and so the Istio egress gateway) is unsupported."""
    return network_plugin == "azure" and any(pod_subnet_ids)


# --- Blocked custom resources (AKSDOCS istio-about.md, HEAD) ----------------------------------------------------
# Rejected by the add-on's admission webhooks.
BLOCKED_ISTIO_KINDS: Final = frozenset({"ProxyConfig", "WorkloadEntry", "WorkloadGroup", "IstioOperator", "WasmPlugin"})
# EnvoyFilter: since 2025-10-16 every EnvoyFilter is *allowed* but outside Azure's support scope; before that
# only these three filter types were accepted (AKSDOCS istio-about.md, commit 5d94e46db and its removed lines).
SUPPORTED_ENVOY_FILTER_TYPES: Final = frozenset(
    {
        "type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua",
        "type.googleapis.com/envoy.extensions.filters.http.compressor.v3.Compressor",
        "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
    }
)

# --- MeshConfig (AKSDOCS istio-meshconfig.md) --------------------------------------------------------------------
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

# --- Plug-in CA (AKSDOCS istio-plugin-ca.md; CLI aks_mesh_enable) ------------------------------------------------
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

# --- Add-ons and features the Istio add-on cannot run beside (AKSDOCS istio-about.md §Limitations) ------------
OSM_ADDON: Final = "openServiceMesh"  # "Istio based Azure service mesh is incompatible with feature %s" (SUPP)
VIRTUAL_NODE_ADDON: Final = "aciConnectorLinux"
UNSUPPORTED_OS_TYPES: Final = frozenset({"Windows"})
# Helm charts that install upstream (self-managed) Istio next to the add-on.
SELF_MANAGED_ISTIO_CHARTS: Final = frozenset({"base", "istiod", "gateway", "cni", "ztunnel", "istio-base"})
SELF_MANAGED_ISTIO_REPO_MARKERS: Final = ("istio-release.storage.googleapis.com", "istio.io")

# --- Facts the policy pack checks on raw resources (aks-istio-addon.md §§4-8) -----------------------------------
# Static egress gateway: the cluster-level switch (BT 2026-05-01 ManagedClusterStaticEgressGatewayProfile; AKSDOCS
# configure-static-egress-gateway.md); the pool side is GATEWAY_POOL_MODE above.
STATIC_EGRESS_PROFILE_PATH: Final = "networkProfile.staticEgressGatewayProfile.enabled"
# "The Istio egress gateway isn't supported on Azure CNI Pod Subnet clusters" (AKSDOCS istio-deploy-egress.md):
# pools that set a pod subnet are that mode.
POD_SUBNET_POOL_FIELD: Final = "podSubnetID"
# Managed Gateway API CRDs (BT 2026-02-01+ `ingressProfile.gatewayAPI.installation`; AKSDOCS istio-gateway-api.md)
# and the app-routing Gateway API implementation the add-on cannot coexist with (same doc, Limitations).
GATEWAY_API_INSTALLATION_PATH: Final = "ingressProfile.gatewayAPI.installation"
APP_ROUTING_ISTIO_MODE_PATH: Final = "ingressProfile.webAppRouting.gatewayAPIImplementations.appRoutingIstio.mode"
# The add-on's own per-revision MeshConfig `istio-<rev>` is reconciled: edits are reverted (AKSDOCS
# istio-meshconfig.md; Azure/AKS #5175, #4362). Only `istio-shared-configmap-<rev>` is for users.
DEFAULT_MESH_CONFIGMAP_PATTERN: Final = re.compile(r"^istio-asm-\d+-\d+$")
# Namespaces whose HPAs belong to the add-on (istiod, ingress and egress gateways; AKSDOCS istio-scale.md).
ADDON_NAMESPACES: Final = frozenset({ADDON_SYSTEM_NAMESPACE, ADDON_INGRESS_NAMESPACE, ADDON_EGRESS_NAMESPACE})
# Upstream Istio: mesh-wide PeerAuthentication lives in the root namespace, which for the add-on is
# aks-istio-system (AKSDOCS istio-deploy-addon.md uses it as the root namespace; istio-telemetry.md likewise).
MESH_ROOT_NAMESPACE: Final = ADDON_SYSTEM_NAMESPACE
# API groups a self-managed Istio install brings (its CRDs are `*.istio.io`); the add-on manages these itself.
ISTIO_API_GROUP_SUFFIX: Final = "istio.io"
# Service annotations that restrict who can reach a public load balancer (AKSDOCS istio-deploy-ingress.md
# allowlist): the prod baseline asks for one of them on an external ingress gateway.
GATEWAY_SOURCE_RESTRICTION_ANNOTATIONS: Final = (
    "service.beta.kubernetes.io/azure-allowed-ip-ranges",
    "service.beta.kubernetes.io/azure-allowed-service-tags",
)


# --- Built-in role definition GUIDs (aks-istio-addon.md §9.2, §10) ----------------------------------------------
ROLE_KEY_VAULT_SECRETS_USER: Final = "4633458b-17de-408a-b874-0445c86b69e6"
ROLE_NETWORK_CONTRIBUTOR: Final = "4d97b98b-1d4f-4787-a291-c67834d212e7"
ROLE_MONITORING_DATA_READER: Final = "b0d8363b-8ddd-447d-831f-62ca05bff136"
ROLE_MONITORING_READER: Final = "43d0d8ad-25c7-4714-9337-8ba259a9fe05"
ROLE_GRAFANA_ADMIN: Final = "22926164-76b3-42b3-bc55-97df8dab3e41"
ROLE_GRAFANA_EDITOR: Final = "a79a5197-3a5c-4973-a920-486035ffd60f"
ROLE_GRAFANA_VIEWER: Final = "60921a7e-fef1-4a43-9b16-a26c52ad4769"

# --- Managed Prometheus (aks-istio-addon.md §9; pitfalls.md "Managed Prometheus") --------------------------------
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
# prometheus-metrics-scrape-configuration.md; AKSDOCS istio-metrics-managed-prometheus.md).
AMA_METRICS_NAMESPACE: Final = "kube-system"
AMA_METRICS_PROMETHEUS_CONFIGMAP: Final = "ama-metrics-prometheus-config"
AMA_METRICS_PROMETHEUS_CONFIG_KEY: Final = "prometheus-config"
AMA_METRICS_SETTINGS_CONFIGMAP: Final = "ama-metrics-settings-configmap"
# Upstream Istio ports: istiod's http-monitoring and Envoy's own Prometheus endpoint.
ISTIOD_MONITORING_PORT: Final = 15014
ENVOY_PROMETHEUS_PORT: Final = 15090
ENVOY_PROMETHEUS_PATH: Final = "/stats/prometheus"
