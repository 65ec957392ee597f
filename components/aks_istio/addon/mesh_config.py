"""The shared MeshConfig AKS admits (https://learn.microsoft.com/azure/aks/istio-meshconfig): the fields Azure
supports, the ones its webhooks allow without support, and the ConfigMap that carries them. Pure data.
"""

from __future__ import annotations

from typing import Final

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
