"""AksIstioPlatform: one stack's whole platform, composed from a validated `StackConfig` through its plan.

The plan (`aks_istio.plan`) is derived once; every child gets its values from it. The cluster comes first.
Kubernetes objects go through providers built from the cluster's credentials: the cluster's own, and a mesh-side
one (shared MeshConfig, mesh namespaces, restarts) whose credential lookup can come before the cluster's revision
change during a canary upgrade (`aks_istio.mesh.canary`).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, NamedTuple, cast

import pulumi
import pulumi_kubernetes as k8s

from aks_istio.cluster.cluster import AksIstioCluster, AksIstioClusterArgs, kubernetes_provider, user_kubeconfig
from aks_istio.config.stack import StackConfig
from aks_istio.mesh.canary import CanaryUpgrade, CanaryUpgradeArgs
from aks_istio.mesh.mesh_config import SharedMeshConfig, SharedMeshConfigArgs
from aks_istio.mesh.namespaces import MeshNamespaces, MeshNamespacesArgs
from aks_istio.plan import PlatformPlan, plan_platform
from aks_istio.tokens import type_token

if TYPE_CHECKING:
    from aks_istio.gateways.app_ingress import AppIngress
    from aks_istio.gateways.egress import EgressGateways
    from aks_istio.gateways.gateway_api import GatewayApiIngress
    from aks_istio.gateways.ingress import IngressGateway
    from aks_istio.observability.grafana import ManagedGrafana
    from aks_istio.observability.prometheus import ManagedPrometheus


@dataclass(frozen=True, kw_only=True)
class AksIstioPlatformArgs:
    """Inputs of `AksIstioPlatform`: what a stack file holds under `aks-istio:platform`, as its typed value
    (`aks_istio.config.load_stack_config(raw)` reads one with presets and every problem at once; built in code,
    each value checks itself)."""

    platform: StackConfig
    """The platform: environment, location, cluster, mesh, gateways, observability (the stack file's keys)."""
    grafana_dashboards_token: pulumi.Input[str] | None = None
    """A Grafana service-account token (secret): set, the Istio dashboards are provisioned in Managed Grafana."""


class MeshSide(NamedTuple):
    """What `AksIstioPlatform._mesh_side` declared, and the provider it declared it through."""

    declared: list[pulumi.Resource]
    """The shared MeshConfig and, with the relabel, the mesh namespaces and restarts."""
    provider: k8s.Provider
    """The `<name>-mesh-k8s` provider (a later relabel goes through it too)."""


class AksIstioPlatform(pulumi.ComponentResource):
    """A stack's whole platform: the AKS cluster with the Istio add-on, the mesh, gateways and observability.

    Children are attributes (`cluster`, `mesh_namespaces`, `ingress_gateways`, `egress_gateways`,
    `gateway_api`, `apps` (by `<namespace>/<name>`), `prometheus`, `grafana`; None or empty where the stack turns
    the feature off) and `plan` holds the values they were built from.
    """

    revisions: pulumi.Output[list[str]]
    """Istio control-plane revisions installed."""
    namespaces: pulumi.Output[list[str]]
    """Application namespaces in the mesh."""
    kubeconfig: pulumi.Output[str]
    """User kubeconfig of the cluster (exec format, needs kubelogin), always secret."""
    ingress_ips: pulumi.Output[dict[str, str | None]]
    """Static public IP address of each classic ingress gateway by mode (`External`: point DNS here); None where
    a gateway has no static IP."""
    grafana_endpoint: pulumi.Output[str | None]
    """Managed Grafana's URL; None without Grafana."""
    workspace_id: pulumi.Output[str | None]
    """ARM id of the Azure Monitor workspace; None without observability."""

    def __init__(
        self,
        name: str,
        args: AksIstioPlatformArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        today: date | None = None,
    ) -> None:
        """Declare the component `name` (its children's names start with it) from `args`; `opts` are Pulumi's
        resource options.

        Fields of `args` (`AksIstioPlatformArgs`):
            platform: The platform: environment, location, cluster, mesh, gateways, observability (the stack file's
                keys).
            grafana_dashboards_token: A Grafana service-account token (secret): set, the Istio dashboards are
                provisioned in Managed Grafana.

        Outputs (attributes of the component):
            revisions: Istio control-plane revisions installed.
            namespaces: Application namespaces in the mesh.
            kubeconfig: User kubeconfig of the cluster (exec format, needs kubelogin), always secret.
            ingress_ips: Static public IP address of each classic ingress gateway by mode (`External`: point DNS here);
                None where a gateway has no static IP.
            grafana_endpoint: Managed Grafana's URL; None without Grafana.
            workspace_id: ARM id of the Azure Monitor workspace; None without observability.
        """
        super().__init__(type_token("AksIstioPlatform"), name, None, opts)
        # The plan is the one reader of the stack's values; from here on the platform only wires Outputs.
        plan = plan_platform(args.platform, today or date.today())
        self.plan: PlatformPlan = plan
        for warning in plan.revisions.warnings:
            pulumi.log.warn(warning, resource=self)
        # During a canary upgrade the mesh-side resources come first and the cluster's revision change waits for
        # them; outside one they wait for the cluster (why and how: aks_istio.mesh.canary). In migrate and complete
        # the relabel is the exception: namespaces may point at the new revision only once the cluster lists it.
        self.canary_upgrade: CanaryUpgrade | None = None
        relabel_first = not plan.revisions.relabel_after_cluster
        early = (
            self._mesh_side(name, plan.resource_group_name, plan.cluster_name, relabel=relabel_first)
            if plan.features.canary_upgrade
            else None
        )

        self.cluster = self._declare_cluster(name, wait_for=early.declared if early is not None else ())
        in_cluster = pulumi.ResourceOptions(parent=self)

        if early is None:
            self._mesh_side(name, self.cluster.resource_group_name, self.cluster.cluster_name, relabel=True)
        elif not relabel_first:
            self._relabel(name, early.provider, wait_for=[self.cluster])
        self.prometheus: ManagedPrometheus | None = None
        self.grafana: ManagedGrafana | None = None
        if plan.features.observability:
            self._observability(name, args, in_cluster)
        self.ingress_gateways: dict[str, IngressGateway] = {}
        self.egress_gateways: EgressGateways | None = None
        self.gateway_api: GatewayApiIngress | None = None
        self._gateways(name, in_cluster)
        self.apps: dict[str, AppIngress] = {}
        if plan.gateways.apps:
            self._apps(name)

        self.revisions = self.cluster.revisions
        self.namespaces = self.mesh_namespaces.namespaces
        self.kubeconfig = self.cluster.kubeconfig
        self.ingress_ips = pulumi.Output.all(
            **{mode: gateway.public_ip_address for mode, gateway in self.ingress_gateways.items()}
        ).apply(dict)
        self.grafana_endpoint = self.grafana.endpoint if self.grafana else pulumi.Output.from_input(None)
        self.workspace_id = self.prometheus.workspace_id if self.prometheus else pulumi.Output.from_input(None)
        self.register_outputs(
            {
                "revisions": self.revisions,
                "namespaces": self.namespaces,
                "kubeconfig": self.kubeconfig,
                "ingress_ips": self.ingress_ips,
                "grafana_endpoint": self.grafana_endpoint,
                "workspace_id": self.workspace_id,
            }
        )

    def _declare_cluster(self, name: str, *, wait_for: Sequence[pulumi.Resource]) -> AksIstioCluster:
        """The AKS cluster with the Istio add-on, from the plan; its revision change waits for `wait_for`."""
        plan = self.plan
        return AksIstioCluster(
            name,
            AksIstioClusterArgs(
                cluster=plan.cluster.spec,
                internal_ingress=plan.cluster.internal_ingress,
                external_ingress=plan.cluster.external_ingress,
                plugin_ca=plan.cluster.plugin_ca,
                egress_pool=plan.cluster.egress_pool,
                egress_gateways=plan.cluster.egress_gateways,
                kube_state_metrics=plan.cluster.kube_state_metrics,
                cluster_name=plan.cluster_name,
                location=plan.location,
                resource_group_name=plan.resource_group_name,
                existing_resource_group=plan.existing_resource_group,
                revisions=plan.revisions.installed,
                vnet_name=plan.vnet_name,
                tags=plan.tags,
                protect=plan.protect,
            ),
            opts=pulumi.ResourceOptions(parent=self),
            wait_for=wait_for,
        )

    def _mesh_side(
        self,
        name: str,
        resource_group_name: pulumi.Input[str],
        cluster_name: pulumi.Input[str],
        *,
        relabel: bool,
    ) -> MeshSide:
        """Shared MeshConfig, and (with `relabel`) mesh namespaces and upgrade restarts, through the
        `<name>-mesh-k8s` provider (one URN and one kubeconfig in every phase; only what its credential lookup
        waits for changes)."""
        plan = self.plan
        kubeconfig = user_kubeconfig(resource_group_name, cluster_name, parent=self)
        provider = kubernetes_provider(f"{name}-mesh-k8s", kubeconfig, parent=self)
        declared: list[pulumi.Resource] = []
        if plan.features.shared_mesh_config:
            settings = SharedMeshConfigArgs(
                kubernetes_provider=provider,
                fields=plan.mesh_config_fields,
                revisions=plan.revisions.shared_mesh_config,
            )
            declared.append(SharedMeshConfig(f"{name}-meshconfig", settings, opts=pulumi.ResourceOptions(parent=self)))
        if relabel:
            declared += self._relabel(name, provider)
        return MeshSide(declared=declared, provider=provider)

    def _relabel(
        self, name: str, provider: k8s.Provider, wait_for: Sequence[pulumi.Resource] = ()
    ) -> list[pulumi.Resource]:
        """Mesh namespaces (their `istio.io/rev`) and the upgrade's restarts through `provider`, after `wait_for`."""
        plan = self.plan
        opts = pulumi.ResourceOptions(parent=self)
        namespaces = MeshNamespacesArgs(
            kubernetes_provider=provider, namespaces=plan.namespaces, revisions=plan.revisions.namespaces
        )
        self.mesh_namespaces = MeshNamespaces(f"{name}-mesh", namespaces, opts=opts, wait_for=wait_for)
        declared: list[pulumi.Resource] = [self.mesh_namespaces]
        if plan.revisions.upgrade_phase is not None:
            upgrade = CanaryUpgradeArgs(
                kubernetes_provider=provider,
                phase=plan.revisions.upgrade_phase,
                revisions=plan.revisions.installed,
                restarts=plan.revisions.restarts,
            )
            self.canary_upgrade = CanaryUpgrade(f"{name}-upgrade", upgrade, opts=opts, wait_for=[self.mesh_namespaces])
            declared.append(self.canary_upgrade)
        return declared

    def _gateways(self, name: str, opts: pulumi.ResourceOptions) -> None:
        """Ingress (classic and Gateway API) and egress gateways (docs/gateways.md); their SDK modules load only
        when a stack has them."""
        plan = self.plan
        cluster = self.cluster
        gateways = plan.gateways
        if plan.features.ingress_modes:
            from aks_istio.gateways.ingress import IngressGateway, IngressGatewayArgs

            for mode, settings in gateways.ingress.items():
                self.ingress_gateways[mode] = IngressGateway(
                    f"{name}-ingress-{mode.lower()}",
                    IngressGatewayArgs(
                        kubernetes_provider=cluster.k8s_provider,
                        mode=mode,
                        annotations=settings.annotations,
                        external_traffic_policy=settings.external_traffic_policy,
                        allowed_service_tags=settings.allowed_service_tags,
                        allowed_ip_ranges=settings.allowed_ip_ranges,
                        hpa=settings.hpa,
                        static_ip=settings.static_ip,
                        subnet=settings.subnet,
                        hpa_revision=plan.revisions.stable,
                        location=plan.location,
                        resource_group_name=cluster.resource_group_name,
                        vnet_resource_group=plan.vnet_resource_group,
                        vnet_name=plan.vnet_name,
                        node_subnet_id=cluster.node_subnet_id,
                        principal_id=cluster.control_plane_principal_id,
                        subscription_id=cluster.subscription_id,
                        tags=plan.tags,
                        protect=plan.protect,
                    ),
                    opts=opts,
                )
        if plan.features.egress:
            from aks_istio.gateways.egress import EgressGateways, EgressGatewaysArgs

            self.egress_gateways = EgressGateways(
                f"{name}-egress",
                EgressGatewaysArgs(
                    kubernetes_provider=cluster.k8s_provider,
                    pool_name=gateways.egress_pool_name,
                    gateways=gateways.egress,
                    hpa_revision=plan.revisions.stable,
                ),
                opts=opts,
            )
        if plan.features.gateway_api:
            from aks_istio.gateways.gateway_api import GatewayApiIngress, GatewayApiIngressArgs

            self.gateway_api = GatewayApiIngress(
                f"{name}-gateway-api",
                GatewayApiIngressArgs(
                    kubernetes_provider=cluster.k8s_provider,
                    gateways=gateways.gateway_api.gateways,
                    class_defaults=gateways.gateway_api.class_defaults,
                    revisions=plan.revisions.installed,
                    resource_group_name=cluster.resource_group_name,
                    cluster_name=cluster.cluster_name,
                    cluster_id=cluster.cluster_id,
                    app_routing_istio=gateways.app_routing_istio,
                    revision_label=plan.revisions.gateway_api_revision,
                ),
                opts=opts,
                wait_for=[self.mesh_namespaces],
            )

    def _apps(self, name: str) -> None:
        """The stack's apps (`gateways.apps`), each an `AppIngress` after the gateways and namespaces it uses, and
        one `KeyVaultSecretsReader` per vault their certificates come from (the plan's `app_vaults`)."""
        from aks_istio.gateways.app_ingress import (
            AppIngress,
            AppIngressArgs,
            KeyVaultSecretsReader,
            KeyVaultSecretsReaderArgs,
        )

        cluster = self.cluster
        gateways = self.plan.gateways
        # Set whenever an app has a certificate: config validation refuses one while the add-on is off.
        client_id = cast(pulumi.Output[str], cluster.secrets_provider_client_id)
        object_id = cast(pulumi.Output[str], cluster.secrets_provider_object_id)
        for vault in gateways.app_vaults:
            KeyVaultSecretsReader(
                f"{name}-vault-{vault.rsplit('/', 1)[-1]}",
                KeyVaultSecretsReaderArgs(
                    key_vault_id=vault,
                    secrets_provider_object_id=object_id,
                    subscription_id=cluster.subscription_id,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
        gateways_first: list[pulumi.Resource] = [self.mesh_namespaces, *self.ingress_gateways.values()]
        if self.gateway_api is not None:
            gateways_first.append(self.gateway_api)
        for app in gateways.apps:
            ingress = gateways.ingress.get(app.gateway)
            self.apps[f"{app.backend.namespace}/{app.name}"] = AppIngress(
                f"{name}-app-{app.backend.namespace}-{app.name}",
                AppIngressArgs(
                    route=app,
                    kubernetes_provider=cluster.k8s_provider,
                    gateway_external_traffic_policy=ingress.external_traffic_policy if ingress else None,
                    secrets_provider_client_id=client_id,
                    secrets_provider_object_id=object_id,
                    grant_vault_access=False,
                    subscription_id=cluster.subscription_id,
                    revisions=self.plan.revisions.installed,
                ),
                opts=pulumi.ResourceOptions(parent=self, depends_on=gateways_first),
            )

    def _observability(self, name: str, args: AksIstioPlatformArgs, opts: pulumi.ResourceOptions) -> None:
        """Managed Prometheus and Grafana. Imported here: a stack without observability never loads their SDKs."""
        from aks_istio.observability.grafana import ManagedGrafana, ManagedGrafanaArgs
        from aks_istio.observability.prometheus import ManagedPrometheus, ManagedPrometheusArgs

        plan = self.plan
        cluster = self.cluster
        observability = plan.observability
        self.prometheus = ManagedPrometheus(
            f"{name}-prometheus",
            ManagedPrometheusArgs(
                kubernetes_provider=cluster.k8s_provider,
                existing_workspace_id=observability.workspace.existing_id,
                workspace_location=observability.workspace.location,
                workspace_public_network_access=observability.workspace.public_network_access,
                scrape=observability.scrape,
                recording_rules=observability.recording_rules,
                alerts=observability.alerts,
                alert_emails=observability.alert_emails,
                alert_webhooks=observability.alert_webhooks,
                cluster_name=plan.cluster_name,
                cluster_id=cluster.cluster_id,
                resource_group_name=cluster.resource_group_name,
                location=plan.location,
                tags=plan.tags,
                protect=plan.protect,
            ),
            opts=opts,
        )
        grafana = observability.grafana
        if plan.features.grafana:
            self.grafana = ManagedGrafana(
                f"{name}-grafana",
                ManagedGrafanaArgs(
                    existing_id=grafana.existing_id,
                    sku=grafana.sku,
                    major_version=grafana.major_version,
                    zone_redundant=grafana.zone_redundant,
                    service_accounts=grafana.service_accounts,
                    admins=grafana.admins,
                    editors=grafana.editors,
                    viewers=grafana.viewers,
                    name=plan.grafana_name,
                    public_network_access=plan.grafana_public_network_access,
                    workspace_id=self.prometheus.workspace_id,
                    resource_group_name=cluster.resource_group_name,
                    location=plan.location,
                    tags=plan.tags,
                    protect=plan.protect,
                    private_endpoint_subnet_id=(
                        (grafana.private_endpoint.subnet_id or cluster.node_subnet_id)
                        if plan.grafana_private_endpoint
                        else None
                    ),
                    private_dns_zone_id=grafana.private_endpoint.private_dns_zone_id,
                    dashboards_token=args.grafana_dashboards_token,
                ),
                opts=opts,
            )
