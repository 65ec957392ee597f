"""Settings models -> the plain values of component Args, for `AksIstioPlatform`.

Component Args hold plain typed values (so a library user, or another language through Pulumi's component
provider, builds them without a stack config); the stack's settings are pydantic models. These functions are the
one translation between the two. Each imports its component module only when called: a stack without a feature
never loads that feature's provider SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aks_istio.cluster import values as cv
from aks_istio.config import (
    EgressSettings,
    GatewayApiSettings,
    HpaSettings,
    IngressGatewaySettings,
    PluginCaSettings,
    StackConfig,
)
from aks_istio.config.observability import GrafanaSettings, ObservabilitySettings

if TYPE_CHECKING:
    from aks_istio.gateways.ingress import GatewayHpa
    from aks_istio.mesh.plugin_ca import PluginCaSource


def gateway_hpa(hpa: HpaSettings | None) -> GatewayHpa | None:
    """The `GatewayHpa` of `hpa`, or None."""
    from aks_istio.gateways.ingress import GatewayHpa

    return None if hpa is None else GatewayHpa(min_replicas=hpa.min_replicas, max_replicas=hpa.max_replicas)


def ingress_values(settings: IngressGatewaySettings, cluster_name: str) -> dict[str, Any]:
    """`IngressGatewayArgs` fields from one classic ingress gateway's settings (the static IP named by default
    `pip-<cluster>-ingress`)."""
    from aks_istio.gateways.ingress import (
        ExternalTrafficPolicy,
        GatewaySubnet,
        StaticPublicIp,
        default_public_ip_name,
    )

    ip = settings.static_ip
    policy = settings.external_traffic_policy
    return {
        "annotations": dict(settings.annotations),
        "external_traffic_policy": ExternalTrafficPolicy(policy) if policy is not None else None,
        "allowed_service_tags": list(settings.allowed_service_tags),
        "allowed_ip_ranges": list(settings.allowed_ip_ranges),
        "hpa": gateway_hpa(settings.hpa),
        "static_ip": None
        if ip is None
        else StaticPublicIp(
            name=ip.name or default_public_ip_name(cluster_name),
            existing=ip.existing,
            resource_group=ip.resource_group,
            zones=list(ip.zones),
            domain_name_label=ip.domain_name_label,
        ),
        "subnet": None
        if settings.subnet is None
        else GatewaySubnet(name=settings.subnet.name, prefix=settings.subnet.prefix),
    }


def egress_values(egress: EgressSettings) -> dict[str, Any]:
    """`EgressGatewaysArgs` fields from the egress settings (a pool is there: config validation insists)."""
    from aks_istio.gateways.egress import EgressGateway, EgressHost, EgressProtocol

    assert egress.pool is not None, "egress gateways without a pool do not pass config validation"
    gateways = [
        EgressGateway(
            name=gateway.name,
            namespace=gateway.namespace,
            configuration_name=gateway.configuration_name,
            exclude_cidrs=list(gateway.exclude_cidrs),
            public_ip_prefix_id=gateway.public_ip_prefix_id,
            hosts=[EgressHost(host=h.host, port=h.port, protocol=EgressProtocol(h.protocol)) for h in gateway.hosts],
            hpa=gateway_hpa(gateway.hpa),
        )
        for gateway in egress.gateways
    ]
    return {"pool_name": egress.pool.name, "gateways": gateways}


def grafana_values(grafana: GrafanaSettings) -> dict[str, Any]:
    """`ManagedGrafanaArgs` fields from the Grafana settings (name, network access and endpoint: the plan's)."""
    from aks_istio.observability.grafana import GrafanaSku

    return {
        "existing_id": grafana.existing_id,
        "sku": GrafanaSku(grafana.sku),
        "major_version": grafana.major_version,
        "zone_redundant": grafana.zone_redundant,
        "service_accounts": grafana.service_accounts,
        "admins": [str(i) for i in grafana.admins],
        "editors": [str(i) for i in grafana.editors],
        "viewers": [str(i) for i in grafana.viewers],
    }


def prometheus_values(observability: ObservabilitySettings) -> dict[str, Any]:
    """`ManagedPrometheusArgs` fields from the observability settings."""
    from aks_istio.observability.istio_rules import IstioAlerts
    from aks_istio.observability.prometheus import EmailReceiver, WebhookReceiver
    from aks_istio.observability.scrape import IstioScrape

    alerts = observability.alerts
    scrape = observability.scrape
    return {
        "existing_workspace_id": observability.workspace.existing_id,
        "workspace_location": observability.workspace.location,
        "workspace_public_network_access": observability.workspace.public_network_access,
        "scrape": IstioScrape(interval=scrape.interval, istiod=scrape.istiod, envoy=scrape.envoy),
        "recording_rules": observability.recording_rules,
        "alerts": IstioAlerts(
            error_ratio=alerts.error_ratio,
            p99_latency_ms=alerts.p99_latency_ms,
            min_request_rate=alerts.min_request_rate,
            for_minutes=alerts.for_minutes,
            severity=alerts.severity,
        )
        if alerts.enabled
        else None,
        "alert_emails": [EmailReceiver(name=r.name, address=r.address) for r in alerts.emails],
        "alert_webhooks": [WebhookReceiver(name=r.name, uri=r.uri) for r in alerts.webhooks],
    }


def plugin_ca_source(ca: PluginCaSettings | None) -> PluginCaSource | None:
    """The plug-in CA's `PluginCaSource`, or None."""
    if ca is None:
        return None
    from aks_istio.mesh.plugin_ca import PluginCaSource

    return PluginCaSource(
        key_vault_id=ca.key_vault_id,
        generate_dev_ca=ca.generate_dev_ca,
        cert_object_name=ca.cert_object_name,
        key_object_name=ca.key_object_name,
        root_cert_object_name=ca.root_cert_object_name,
        cert_chain_object_name=ca.cert_chain_object_name,
        rotation_poll_interval=ca.rotation_poll_interval,
    )


def cluster_values(config: StackConfig) -> dict[str, Any]:
    """`AksIstioClusterArgs` fields from the stack's settings (names, revisions, tags: the plan's)."""
    egress = config.gateways.egress
    pool = egress.pool
    observability = config.observability
    ksm = observability.kube_state_metrics
    return {
        "cluster": config.cluster,
        "internal_ingress": config.gateways.ingress.internal.enabled,
        "external_ingress": config.gateways.ingress.external.enabled,
        "plugin_ca": plugin_ca_source(config.mesh.plugin_ca),
        "egress_pool": None
        if pool is None
        else cv.EgressPool(
            name=pool.name,
            vm_size=pool.vm_size,
            public_ip_prefix_size=pool.public_ip_prefix_size,
            count=pool.count,
            zones=list(pool.zones),
        ),
        "egress_gateways": [
            cv.EgressGatewayRef(name=g.name, namespace=g.namespace, configuration_name=g.configuration_name)
            for g in egress.gateways
        ],
        "kube_state_metrics": cv.KubeStateMetrics(
            labels_allowlist={k: list(v) for k, v in ksm.labels_allowlist.items()},
            annotations_allowlist={k: list(v) for k, v in ksm.annotations_allowlist.items()},
        )
        if observability.enabled
        else None,
    }


def gateway_api_values(api: GatewayApiSettings) -> dict[str, Any]:
    """`GatewayApiIngressArgs` fields from the Gateway API settings."""
    from aks_istio.gateways.gateway_api import AllowedRoutes, GatewayApiGateway, GatewayListener, ListenerProtocol

    return {
        "class_defaults": dict(api.class_defaults),
        "gateways": [
            GatewayApiGateway(
                name=gateway.name,
                namespace=gateway.namespace,
                internal=gateway.internal,
                internal_subnet=gateway.internal_subnet,
                annotations=dict(gateway.annotations),
                listeners=[
                    GatewayListener(
                        name=item.name,
                        port=item.port,
                        protocol=ListenerProtocol(item.protocol),
                        hostname=item.hostname,
                        certificate_secret=item.certificate_secret,
                        allowed_routes=AllowedRoutes(item.allowed_routes),
                    )
                    for item in gateway.listeners
                ],
                parameters=dict(gateway.parameters),
            )
            for gateway in api.gateways
        ],
    }
