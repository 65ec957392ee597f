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

The gateway, app-routing and MeshConfig facts live in their own modules (ingress_gateways.py, app_routing.py,
gateway_api.py, mesh_config.py);
this module re-exports them, so every caller has one import point (`from aks_istio.addon import support_matrix as sm`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from aks_istio.addon import catalog
from aks_istio.addon.app_routing import (
    GATEWAY_SELECTOR_LABEL as GATEWAY_SELECTOR_LABEL,
)
from aks_istio.addon.app_routing import (
    GATEWAY_SERVICE_PORTS as GATEWAY_SERVICE_PORTS,
)
from aks_istio.addon.app_routing import (
    GATEWAY_STATUS_PORT as GATEWAY_STATUS_PORT,
)
from aks_istio.addon.app_routing import (
    GATEWAY_TRAFFIC_PORTS as GATEWAY_TRAFFIC_PORTS,
)
from aks_istio.addon.app_routing import (
    INGRESS_GATEWAY_SELECTORS as INGRESS_GATEWAY_SELECTORS,
)
from aks_istio.addon.app_routing import (
    SECRET_PROVIDER_CLASS_GROUP as SECRET_PROVIDER_CLASS_GROUP,
)
from aks_istio.addon.app_routing import (
    SECRETS_STORE_CSI_DRIVER as SECRETS_STORE_CSI_DRIVER,
)
from aks_istio.addon.app_routing import (
    UPSTREAM_GATEWAY_SELECTORS as UPSTREAM_GATEWAY_SELECTORS,
)
from aks_istio.addon.app_routing import (
    UPSTREAM_ROOT_NAMESPACE as UPSTREAM_ROOT_NAMESPACE,
)
from aks_istio.addon.gateway_api import (
    APP_ROUTING_ISTIO_CLASS as APP_ROUTING_ISTIO_CLASS,
)
from aks_istio.addon.gateway_api import (
    GATEWAY_API_CLASS_DEFAULTS_CONFIGMAP as GATEWAY_API_CLASS_DEFAULTS_CONFIGMAP,
)
from aks_istio.addon.gateway_api import (
    GATEWAY_API_CLASS_DEFAULTS_LABEL as GATEWAY_API_CLASS_DEFAULTS_LABEL,
)
from aks_istio.addon.gateway_api import (
    GATEWAY_API_CLASS_NAME as GATEWAY_API_CLASS_NAME,
)
from aks_istio.addon.gateway_api import (
    GATEWAY_API_CUSTOMIZATION_ALLOWLIST as GATEWAY_API_CUSTOMIZATION_ALLOWLIST,
)
from aks_istio.addon.gateway_api import (
    GATEWAY_API_GROUP as GATEWAY_API_GROUP,
)
from aks_istio.addon.gateway_api import (
    GATEWAY_API_INSTALLATION_STANDARD as GATEWAY_API_INSTALLATION_STANDARD,
)
from aks_istio.addon.gateway_api import (
    GATEWAY_API_MIN_ARM_API_VERSION as GATEWAY_API_MIN_ARM_API_VERSION,
)
from aks_istio.addon.gateway_api import (
    GATEWAY_API_MIN_REVISION as GATEWAY_API_MIN_REVISION,
)
from aks_istio.addon.gateway_api import (
    GATEWAY_API_VERSION as GATEWAY_API_VERSION,
)
from aks_istio.addon.gateway_api import (
    TLS_ROUTE_MIN_REVISION as TLS_ROUTE_MIN_REVISION,
)
from aks_istio.addon.gateway_api import (
    gateway_api_customization_problems as gateway_api_customization_problems,
)
from aks_istio.addon.gateway_api import (
    gateway_api_supported as gateway_api_supported,
)
from aks_istio.addon.ingress_gateways import (
    ALLOWED_GATEWAY_SERVICE_ANNOTATIONS as ALLOWED_GATEWAY_SERVICE_ANNOTATIONS,
)
from aks_istio.addon.ingress_gateways import (
    ALLOWED_GATEWAY_SERVICE_SPEC_FIELDS as ALLOWED_GATEWAY_SERVICE_SPEC_FIELDS,
)
from aks_istio.addon.ingress_gateways import (
    ALLOWED_HEALTH_PROBE_ANNOTATIONS as ALLOWED_HEALTH_PROBE_ANNOTATIONS,
)
from aks_istio.addon.ingress_gateways import (
    EXTERNAL_TRAFFIC_POLICIES as EXTERNAL_TRAFFIC_POLICIES,
)
from aks_istio.addon.ingress_gateways import (
    GATEWAY_HPA_DEFAULT_MAX_REPLICAS as GATEWAY_HPA_DEFAULT_MAX_REPLICAS,
)
from aks_istio.addon.ingress_gateways import (
    GATEWAY_HPA_MIN_REPLICAS as GATEWAY_HPA_MIN_REPLICAS,
)
from aks_istio.addon.ingress_gateways import (
    GATEWAY_SERVICE_ANNOTATION_INTERNAL_SUBNET as GATEWAY_SERVICE_ANNOTATION_INTERNAL_SUBNET,
)
from aks_istio.addon.ingress_gateways import (
    GATEWAY_SERVICE_ANNOTATION_IP_RANGES as GATEWAY_SERVICE_ANNOTATION_IP_RANGES,
)
from aks_istio.addon.ingress_gateways import (
    GATEWAY_SERVICE_ANNOTATION_IPV4 as GATEWAY_SERVICE_ANNOTATION_IPV4,
)
from aks_istio.addon.ingress_gateways import (
    GATEWAY_SERVICE_ANNOTATION_PIP_NAME as GATEWAY_SERVICE_ANNOTATION_PIP_NAME,
)
from aks_istio.addon.ingress_gateways import (
    GATEWAY_SERVICE_ANNOTATION_PIP_RESOURCE_GROUP as GATEWAY_SERVICE_ANNOTATION_PIP_RESOURCE_GROUP,
)
from aks_istio.addon.ingress_gateways import (
    GATEWAY_SERVICE_ANNOTATION_SERVICE_TAGS as GATEWAY_SERVICE_ANNOTATION_SERVICE_TAGS,
)
from aks_istio.addon.ingress_gateways import (
    HEALTH_PROBE_ANNOTATION_SUFFIXES as HEALTH_PROBE_ANNOTATION_SUFFIXES,
)
from aks_istio.addon.ingress_gateways import (
    HEALTH_PROBE_PORTS as HEALTH_PROBE_PORTS,
)
from aks_istio.addon.ingress_gateways import (
    INGRESS_GATEWAY_HTTP_PORT as INGRESS_GATEWAY_HTTP_PORT,
)
from aks_istio.addon.ingress_gateways import (
    INGRESS_GATEWAY_HTTPS_PORT as INGRESS_GATEWAY_HTTPS_PORT,
)
from aks_istio.addon.ingress_gateways import (
    INGRESS_GATEWAY_MODES as INGRESS_GATEWAY_MODES,
)
from aks_istio.addon.ingress_gateways import (
    INGRESS_GATEWAY_PORTS as INGRESS_GATEWAY_PORTS,
)
from aks_istio.addon.ingress_gateways import (
    INGRESS_GATEWAY_SELECTOR_LABEL as INGRESS_GATEWAY_SELECTOR_LABEL,
)
from aks_istio.addon.ingress_gateways import (
    INGRESS_GATEWAY_SERVICES as INGRESS_GATEWAY_SERVICES,
)
from aks_istio.addon.ingress_gateways import (
    LOAD_BALANCER_INTERNAL_ANNOTATION as LOAD_BALANCER_INTERNAL_ANNOTATION,
)
from aks_istio.addon.ingress_gateways import (
    MAX_INGRESS_GATEWAYS_PER_MODE as MAX_INGRESS_GATEWAYS_PER_MODE,
)
from aks_istio.addon.ingress_gateways import (
    PULUMI_PATCH_DIRECTIVE_PREFIX as PULUMI_PATCH_DIRECTIVE_PREFIX,
)
from aks_istio.addon.ingress_gateways import (
    allowed_gateway_annotations as allowed_gateway_annotations,
)
from aks_istio.addon.ingress_gateways import (
    gateway_hpa_name as gateway_hpa_name,
)
from aks_istio.addon.ingress_gateways import (
    is_allowed_gateway_annotation as is_allowed_gateway_annotation,
)
from aks_istio.addon.mesh_config import (
    MESH_CONFIG_ALLOWED_FIELDS as MESH_CONFIG_ALLOWED_FIELDS,
)
from aks_istio.addon.mesh_config import (
    MESH_CONFIG_DATA_KEY as MESH_CONFIG_DATA_KEY,
)
from aks_istio.addon.mesh_config import (
    MESH_CONFIG_SUPPORTED_FIELDS as MESH_CONFIG_SUPPORTED_FIELDS,
)
from aks_istio.addon.mesh_config import (
    OUTBOUND_TRAFFIC_POLICY_MODES as OUTBOUND_TRAFFIC_POLICY_MODES,
)
from aks_istio.addon.mesh_config import (
    PROXY_CONFIG_ALLOWED_FIELDS as PROXY_CONFIG_ALLOWED_FIELDS,
)
from aks_istio.addon.mesh_config import (
    PROXY_CONFIG_SUPPORTED_FIELDS as PROXY_CONFIG_SUPPORTED_FIELDS,
)
from aks_istio.addon.mesh_config import (
    SHARED_MESH_CONFIGMAP_PREFIX as SHARED_MESH_CONFIGMAP_PREFIX,
)

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
EGRESS_GATEWAY_SELECTOR_LABEL: Final = GATEWAY_SELECTOR_LABEL
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

# --- Plug-in CA (https://learn.microsoft.com/azure/aks/istio-plugin-ca; CLI aks_mesh_enable)
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
