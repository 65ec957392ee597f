"""PlatformPlan: what a stack deploys, derived once from its validated `StackConfig`.

The data path is stack file -> `StackConfig` (validated whole) -> `plan_platform` -> components -> resources.
Everything the components would otherwise work out from settings is here, computed once: the names (cluster,
resource group, mesh VNet), the revisions of the current upgrade phase (what the cluster runs, where each
namespace points, whose gateway HPAs may be edited, what restarts), which features are on, and what the
environment decides (protection, Grafana's network access). Components take these values through their Args and
never re-derive them; a library user can fill the same Args by hand without a stack config.
"""

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

from aks_istio.cluster.values import ClusterSpec, EgressGatewayRef, EgressPool, KubeStateMetrics
from aks_istio.config import StackConfig
from aks_istio.config.presets import grafana_private_endpoint, grafana_public_access
from aks_istio.gateways.app_ingress_values import AppRoute
from aks_istio.gateways.modes import IngressMode
from aks_istio.gateways.values import (
    EgressGateway,
    GatewayApiSettings,
    IngressGatewayOptions,
    default_public_ip_name,
)
from aks_istio.mesh import phases
from aks_istio.mesh.phases import Restart
from aks_istio.mesh.values import MeshNamespace, PluginCaSource, UpgradePhase
from aks_istio.observability.values import (
    EmailReceiver,
    GrafanaSettings,
    IstioAlerts,
    IstioScrape,
    WebhookReceiver,
    WorkspaceSettings,
    grafana_default_name,
)

MANAGED_BY_TAG = {"managed-by": "aks-istio"}


def vnet_name(cluster_name: str) -> str:
    """The name of the VNet the cluster creates for its nodes."""
    return f"vnet-{cluster_name}"


def vnet_of(subnet_id: str) -> tuple[str, str]:
    """`.../resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<s>` -> (rg, vnet)."""
    parts = subnet_id.split("/")
    lowered = [p.lower() for p in parts]
    return parts[lowered.index("resourcegroups") + 1], parts[lowered.index("virtualnetworks") + 1]


@dataclass(frozen=True, kw_only=True)
class RevisionPlan:
    """The Istio revisions of the current canary phase (the table in `aks_istio.mesh.canary`)."""

    installed: list[str]
    """`serviceMeshProfile.istio.revisions`: one revision, two during start and migrate."""
    stable: str
    """The revision whose gateway HPAs may be edited (the add-on copies them to a canary's)."""
    namespaces: dict[str, str]
    """Managed namespace -> the revision its `istio.io/rev` label points at."""
    shared_mesh_config: list[str]
    """Revisions that get an `istio-shared-configmap-<revision>`."""
    upgrade_phase: UpgradePhase | None = None
    """The canary phase the stack file is in; None outside an upgrade."""
    restarts: list[Restart]
    """Deployments rolled in this phase so their pods get the new sidecar."""
    warnings: list[str]
    """Revisions past their end of life or newer than the catalog, and a stale catalog (warnings: AKS keeps
    running such revisions)."""
    relabel_after_cluster: bool
    """Namespaces point at the new revision in this phase (migrate, complete): their relabel and the restarts
    wait for the cluster update that lists it, never the other way round."""
    gateway_api_revision: str | None = None
    """The `istio.io/rev` pin of Gateway API Gateways during an upgrade (`mesh.upgrade.gatewayRevision`)."""


@dataclass(frozen=True, kw_only=True)
class FeaturePlan:
    """Which optional parts the stack declares."""

    ingress_modes: list[str]
    """Classic ingress gateways on, by add-on mode (`Internal`, `External`)."""
    egress: bool
    """Egress gateways on Static Egress Gateway."""
    gateway_api: bool
    """The add-on's managed Gateway API ingress."""
    shared_mesh_config: bool
    """A shared MeshConfig per revision."""
    canary_upgrade: bool
    """A canary revision upgrade is in progress."""
    observability: bool
    """Managed Prometheus (and, with `grafana`, Managed Grafana)."""
    grafana: bool
    """Managed Grafana (only with observability)."""


@dataclass(frozen=True, kw_only=True)
class ClusterValues:
    """What `AksIstioClusterArgs` takes from the stack, beside the plan's names and revisions."""

    spec: ClusterSpec
    """The stack's `cluster:` section."""
    internal_ingress: bool
    """The add-on runs its internal ingress gateway."""
    external_ingress: bool
    """The add-on runs its external ingress gateway."""
    plugin_ca: PluginCaSource | None
    """The plug-in CA, if any."""
    egress_pool: EgressPool | None
    """The Static Egress Gateway pool, if any."""
    egress_gateways: list[EgressGatewayRef]
    """The egress gateways the mesh profile enables."""
    kube_state_metrics: KubeStateMetrics | None
    """Metrics on, with these allowlists (observability on); None: metrics off."""


@dataclass(frozen=True, kw_only=True)
class GatewayValues:
    """What the gateway components take from the stack."""

    ingress: dict[IngressMode, IngressGatewayOptions]
    """The enabled classic ingress gateways, a static IP named (`pip-<cluster>-ingress` unless the stack names it)."""
    egress_pool_name: str
    """The pool egress gateways leave through (empty without egress gateways)."""
    egress: list[EgressGateway]
    """The egress gateways."""
    gateway_api: GatewayApiSettings
    """Gateway API ingress."""
    app_routing_istio: bool
    """App-routing's Istio Gateway API implementation is on."""
    apps: list[AppRoute]
    """The apps published as `AppIngress` (`gateways.apps`)."""
    app_vaults: list[str]
    """The Key Vaults the apps' certificates come from that need a `KeyVaultSecretsReader` grant (one per vault;
    none for the plug-in CA's, which the cluster grants)."""


@dataclass(frozen=True, kw_only=True)
class ObservabilityValues:
    """What Managed Prometheus and Managed Grafana take from the stack."""

    workspace: WorkspaceSettings
    """The Azure Monitor workspace."""
    scrape: IstioScrape
    """Istio scraping."""
    recording_rules: bool
    """Azure's recording rules."""
    alerts: IstioAlerts | None
    """Istio alert thresholds; None: alerts off."""
    alert_emails: list[EmailReceiver]
    """E-mail receivers of the alerts."""
    alert_webhooks: list[WebhookReceiver]
    """Webhook receivers of the alerts."""
    grafana: GrafanaSettings
    """Managed Grafana as configured (its name, network access and endpoint: the plan's fields beside)."""


@dataclass(frozen=True, kw_only=True)
class PlatformPlan:
    """One stack's platform as plain values: names, revisions, features and environment decisions."""

    environment: str
    """The environment's name (dev, staging, prod, or one named by the team, e.g. qa)."""
    tier: str
    """The preset tier whose presets and rules apply: dev, staging or prod."""
    location: str
    """Azure region of the platform."""
    cluster_name: str
    """The managed cluster's name."""
    resource_group_name: str
    """The platform's resource group."""
    existing_resource_group: bool
    """Use that group as it is instead of creating it."""
    vnet_resource_group: str
    """Resource group of the mesh VNet: the existing node subnet's, or the platform's."""
    vnet_name: str
    """The mesh VNet: the existing node subnet's, or the one the cluster creates."""
    tags: dict[str, str]
    """Azure tags on every resource."""
    protect: bool
    """Protect stateful and slow-to-rebuild resources (the prod preset turns it on)."""
    revisions: RevisionPlan
    """The revisions of the current upgrade phase."""
    features: FeaturePlan
    """Which optional parts are on."""
    grafana_name: str
    """Managed Grafana's instance name."""
    grafana_public_network_access: bool
    """Grafana reachable from public networks (off in prod unless configured)."""
    grafana_private_endpoint: bool
    """Grafana gets a private endpoint (when public access is off, unless configured)."""
    cluster: ClusterValues
    """The cluster's values."""
    namespaces: list[MeshNamespace]
    """The mesh namespaces (each points at `revisions.namespaces[name]`)."""
    mesh_config_fields: dict[str, Any]
    """The shared MeshConfig's fields."""
    gateways: GatewayValues
    """The gateways' values."""
    observability: ObservabilityValues
    """The observability values."""


def plan_revisions(config: StackConfig, today: date) -> RevisionPlan:
    """The revisions of the current phase, from `mesh.revision` and `mesh.upgrade`."""
    mesh = config.mesh
    return RevisionPlan(
        installed=phases.cluster_revisions(mesh),
        stable=phases.stable_revision(mesh),
        namespaces={ns.name: phases.namespace_revision(mesh, ns.name) for ns in mesh.namespaces},
        shared_mesh_config=phases.shared_configmap_revisions(mesh) if mesh.mesh_config.fields else [],
        upgrade_phase=mesh.upgrade.phase if mesh.upgrade is not None else None,
        restarts=phases.restarts(mesh),
        warnings=phases.revision_warnings(mesh, today, kubernetes_version=config.cluster.kubernetes_version),
        relabel_after_cluster=phases.relabel_waits_for_cluster(mesh),
        gateway_api_revision=phases.gateway_api_revision(mesh),
    )


def plan_platform(config: StackConfig, today: date) -> PlatformPlan:
    """The plan of a validated stack config; `today` dates the revision end-of-life warnings."""
    cluster_name = config.cluster_name
    resource_group_name = config.resource_group_name
    existing_subnet = config.cluster.network.existing_subnet_id
    vnet_group, vnet = (
        vnet_of(existing_subnet) if existing_subnet is not None else (resource_group_name, vnet_name(cluster_name))
    )
    gateways = config.gateways
    observability = config.observability
    grafana = observability.grafana
    return PlatformPlan(
        environment=config.environment,
        tier=config.preset_tier.value,
        location=config.location,
        cluster_name=cluster_name,
        resource_group_name=resource_group_name,
        existing_resource_group=config.resource_group.existing,
        vnet_resource_group=vnet_group,
        vnet_name=vnet,
        tags={"environment": config.environment, **MANAGED_BY_TAG, **config.tags},
        protect=config.protect,
        revisions=plan_revisions(config, today),
        features=FeaturePlan(
            ingress_modes=list(gateways.ingress.gateways()),
            egress=bool(gateways.egress.gateways),
            gateway_api=gateways.gateway_api.enabled,
            shared_mesh_config=bool(config.mesh.mesh_config.fields),
            canary_upgrade=config.mesh.upgrade is not None,
            observability=observability.enabled,
            grafana=observability.enabled and grafana.enabled,
        ),
        grafana_name=grafana.name or grafana_default_name(cluster_name),
        grafana_public_network_access=grafana_public_access(grafana, config.preset_tier),
        grafana_private_endpoint=grafana_private_endpoint(grafana, config.preset_tier),
        cluster=ClusterValues(
            spec=config.cluster,
            internal_ingress=gateways.ingress.internal.enabled,
            external_ingress=gateways.ingress.external.enabled,
            plugin_ca=config.mesh.plugin_ca,
            egress_pool=gateways.egress.pool,
            egress_gateways=[
                EgressGatewayRef(name=g.name, namespace=g.namespace, configuration_name=g.configuration_name)
                for g in gateways.egress.gateways
            ],
            kube_state_metrics=observability.kube_state_metrics if observability.enabled else None,
        ),
        namespaces=list(config.mesh.namespaces),
        mesh_config_fields=dict(config.mesh.mesh_config.fields),
        gateways=GatewayValues(
            ingress={mode: _named_ip(options, cluster_name) for mode, options in gateways.ingress.gateways().items()},
            egress_pool_name=gateways.egress.pool.name if gateways.egress.pool is not None else "",
            egress=list(gateways.egress.gateways),
            gateway_api=gateways.gateway_api,
            app_routing_istio=gateways.app_routing_istio,
            apps=list(gateways.apps),
            app_vaults=_app_vaults(gateways.apps, config.mesh.plugin_ca),
        ),
        observability=ObservabilityValues(
            workspace=observability.workspace,
            scrape=observability.scrape,
            recording_rules=observability.recording_rules,
            alerts=observability.alerts if observability.alerts.enabled else None,
            alert_emails=list(observability.alerts.emails),
            alert_webhooks=list(observability.alerts.webhooks),
            grafana=grafana,
        ),
    )


def _app_vaults(apps: list[AppRoute], plugin_ca: PluginCaSource | None) -> list[str]:
    """ARM takes one Key Vault Secrets User grant per vault and identity: each vault the apps' certificates come
    from, once, except the plug-in CA's (the cluster grants that one)."""
    granted = {plugin_ca.key_vault_id.lower()} if plugin_ca is not None and plugin_ca.key_vault_id else set()
    vaults = {app.certificate.key_vault_id for app in apps if app.terminates_tls and app.certificate}
    return [vault for vault in sorted(vaults) if vault.lower() not in granted]


def _named_ip(options: IngressGatewayOptions, cluster_name: str) -> IngressGatewayOptions:
    """`options` with its static IP named (`pip-<cluster>-ingress` where the stack leaves the name unset)."""
    ip = options.static_ip
    if ip is None or ip.name is not None:
        return options
    return dataclasses.replace(options, static_ip=dataclasses.replace(ip, name=default_public_ip_name(cluster_name)))


__all__ = [
    "ClusterValues",
    "FeaturePlan",
    "GatewayValues",
    "ObservabilityValues",
    "PlatformPlan",
    "RevisionPlan",
    "plan_platform",
    "plan_revisions",
]
