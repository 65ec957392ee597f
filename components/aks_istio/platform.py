"""AksIstioPlatform: one stack's whole platform, composed from a validated `StackConfig`.

The cluster comes first. Kubernetes objects go through providers built from the cluster's credentials: the
cluster's own, and a mesh-side one (shared MeshConfig, mesh namespaces, restarts) whose credential lookup can come
before the cluster's revision change during a canary upgrade (canary_upgrade.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pulumi

from aks_istio.cluster.cluster import AksIstioCluster, AksIstioClusterArgs, kubernetes_provider, user_kubeconfig
from aks_istio.config import StackConfig
from aks_istio.mesh.canary import (
    CanaryUpgrade,
    CanaryUpgradeArgs,
    cluster_revisions,
    gateway_api_revision,
    relabel_waits_for_cluster,
    revision_warnings,
    shared_configmap_revisions,
)
from aks_istio.mesh.mesh_config import SharedMeshConfig, SharedMeshConfigArgs
from aks_istio.mesh.namespaces import MeshNamespaces, MeshNamespacesArgs
from aks_istio.tokens import type_token


@dataclass(frozen=True, kw_only=True)
class AksIstioPlatformArgs:
    config: StackConfig
    """The validated stack configuration."""


class AksIstioPlatform(pulumi.ComponentResource):
    cluster: AksIstioCluster
    """The cluster component (its outputs are the platform's wiring points)."""
    revisions: pulumi.Output[list[str]]
    """Istio control-plane revisions installed."""
    namespaces: pulumi.Output[list[str]]
    """Application namespaces in the mesh."""

    def __init__(self, name: str, args: AksIstioPlatformArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("AksIstioPlatform"), name, None, opts)
        config = args.config
        tags = {"environment": config.environment, "managed-by": "aks-istio", **config.tags}
        revisions = cluster_revisions(config.mesh)
        for warning in revision_warnings(
            config.mesh, date.today(), kubernetes_version=config.cluster.kubernetes_version
        ):
            pulumi.log.warn(warning, resource=self)
        # During a canary upgrade the mesh-side resources come first and the cluster's revision change waits for
        # them; outside one they wait for the cluster (why and how: canary_upgrade.py).
        upgrading = config.mesh.upgrade is not None
        relabel_first = not relabel_waits_for_cluster(config.mesh)
        early = (
            _mesh_side(self, name, config, config.resource_group_name, config.cluster_name, relabel=relabel_first)
            if upgrading
            else None
        )

        self.cluster = AksIstioCluster(
            name,
            AksIstioClusterArgs(
                cluster=config.cluster,
                mesh=config.mesh,
                ingress=config.gateways.ingress,
                egress=config.gateways.egress,
                cluster_name=config.cluster_name,
                location=config.location,
                resource_group_name=config.resource_group_name,
                existing_resource_group=config.resource_group.existing,
                revisions=revisions,
                revisions_wait_for=early[1] if early else (),
                tags=tags,
                protect=config.protect,
                observability=config.observability,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        in_cluster = pulumi.ResourceOptions(parent=self, providers=[self.cluster.k8s_provider])

        if early is None:
            relabelled, _, mesh_opts = _mesh_side(
                self, name, config, self.cluster.resource_group_name, self.cluster.cluster_name, relabel=False
            )
            wait_for: list[pulumi.Resource] = []  # the provider's credentials wait for the cluster already
        else:
            # migrate/complete: namespaces point at the new revision only once the cluster lists it (canary.py).
            relabelled, _, mesh_opts = early
            wait_for = [self.cluster]
        mesh_namespaces = relabelled or _relabel(self, name, config, mesh_opts, wait_for=wait_for)[0]
        if config.observability.enabled:
            _observability(name, config, tags, self.cluster, in_cluster)
        _gateways(name, config, tags, self.cluster, in_cluster, mesh_namespaces)

        self.revisions = self.cluster.revisions
        self.namespaces = mesh_namespaces.namespaces
        self.register_outputs({"revisions": self.revisions, "namespaces": self.namespaces})


def _mesh_side(
    platform: pulumi.Resource,
    name: str,
    config: StackConfig,
    resource_group_name: pulumi.Input[str],
    cluster_name: pulumi.Input[str],
    *,
    relabel: bool = True,
) -> tuple[MeshNamespaces | None, list[pulumi.Resource], pulumi.ResourceOptions]:
    """Shared MeshConfig, and (with `relabel`) mesh namespaces and upgrade restarts, through the `<name>-mesh-k8s`
    provider (one URN and one kubeconfig in every phase; only what its credential lookup waits for changes)."""
    kubeconfig = user_kubeconfig(resource_group_name, cluster_name, parent=platform)
    provider = kubernetes_provider(f"{name}-mesh-k8s", kubeconfig, parent=platform)
    opts = pulumi.ResourceOptions(parent=platform, providers=[provider])
    declared: list[pulumi.Resource] = []
    if config.mesh.mesh_config.fields:
        revisions = shared_configmap_revisions(config.mesh)
        settings = SharedMeshConfigArgs(settings=config.mesh.mesh_config, revisions=revisions)
        declared.append(SharedMeshConfig(f"{name}-meshconfig", settings, opts=opts))
    if not relabel:
        return None, declared, opts
    namespaces, relabelled = _relabel(platform, name, config, opts)
    return namespaces, declared + relabelled, opts


def _relabel(
    platform: pulumi.Resource,
    name: str,
    config: StackConfig,
    opts: pulumi.ResourceOptions,
    wait_for: Sequence[pulumi.Resource] = (),
) -> tuple[MeshNamespaces, list[pulumi.Resource]]:
    """Mesh namespaces (their `istio.io/rev`) and the upgrade's restarts, after `wait_for`."""
    namespaces = MeshNamespaces(f"{name}-mesh", MeshNamespacesArgs(mesh=config.mesh, wait_for=wait_for), opts=opts)
    declared: list[pulumi.Resource] = [namespaces]
    if config.mesh.upgrade is not None:
        upgrade = CanaryUpgradeArgs(mesh=config.mesh, relabelled_by=[namespaces])
        declared.append(CanaryUpgrade(f"{name}-upgrade", upgrade, opts=opts))
    return namespaces, declared


def _gateways(
    name: str,
    config: StackConfig,
    tags: dict[str, str],
    cluster: AksIstioCluster,
    opts: pulumi.ResourceOptions,
    mesh_namespaces: MeshNamespaces,
) -> None:
    """Ingress (classic and Gateway API) and egress gateways (docs/gateways.md); their SDK modules load only when
    a stack has them."""
    gateways = config.gateways
    if gateways.ingress.gateways():
        from aks_istio.gateways.ingress import IngressGateway, IngressGatewayArgs, mesh_vnet

        for mode, settings in gateways.ingress.gateways().items():
            IngressGateway(
                f"{name}-ingress-{mode.lower()}",
                IngressGatewayArgs(
                    mode=mode,
                    settings=settings,
                    mesh=config.mesh,
                    cluster_name=config.cluster_name,
                    location=config.location,
                    resource_group_name=cluster.resource_group_name,
                    vnet=mesh_vnet(
                        config.cluster.network.existing_subnet_id, config.resource_group_name, config.cluster_name
                    ),
                    node_subnet_id=cluster.node_subnet_id,
                    principal_id=cluster.control_plane_principal_id,
                    subscription_id=cluster.subscription_id,
                    tags=tags,
                    protect=config.protect,
                ),
                opts=opts,
            )
    if gateways.egress.gateways:
        from aks_istio.gateways.egress import EgressGateways, EgressGatewaysArgs

        EgressGateways(f"{name}-egress", EgressGatewaysArgs(egress=gateways.egress, mesh=config.mesh), opts=opts)
    if gateways.gateway_api.enabled:
        from aks_istio.gateways.gateway_api import GatewayApiIngress, GatewayApiIngressArgs

        GatewayApiIngress(
            f"{name}-gateway-api",
            GatewayApiIngressArgs(
                settings=gateways.gateway_api,
                revisions=cluster_revisions(config.mesh),
                resource_group_name=cluster.resource_group_name,
                cluster_name=cluster.cluster_name,
                cluster_id=cluster.cluster_id,
                app_routing_istio=gateways.app_routing_istio,
                depends_on=[mesh_namespaces],
                revision_label=gateway_api_revision(config.mesh),
            ),
            opts=opts,
        )


def _observability(
    name: str, config: StackConfig, tags: dict[str, str], cluster: AksIstioCluster, opts: pulumi.ResourceOptions
) -> None:
    """Managed Prometheus and Grafana. Imported here: a stack without observability never loads their SDKs."""
    from aks_istio.observability.grafana import ManagedGrafana, ManagedGrafanaArgs, default_name
    from aks_istio.observability.prometheus import ManagedPrometheus, ManagedPrometheusArgs

    prometheus = ManagedPrometheus(
        f"{name}-prometheus",
        ManagedPrometheusArgs(
            settings=config.observability,
            cluster_name=config.cluster_name,
            cluster_id=cluster.cluster_id,
            resource_group_name=cluster.resource_group_name,
            location=config.location,
            tags=tags,
            protect=config.protect,
        ),
        opts=opts,
    )
    grafana = config.observability.grafana
    if grafana.enabled:
        ManagedGrafana(
            f"{name}-grafana",
            ManagedGrafanaArgs(
                settings=grafana,
                name=grafana.name or default_name(config.cluster_name),
                public_network_access=grafana.public_access(config.environment),
                workspace_id=prometheus.workspace_id,
                resource_group_name=cluster.resource_group_name,
                location=config.location,
                tags=tags,
                protect=config.protect,
                private_endpoint_subnet_id=(
                    (grafana.private_endpoint.subnet_id or cluster.node_subnet_id)
                    if grafana.private_endpoint_wanted(config.environment)
                    else None
                ),
                private_dns_zone_id=grafana.private_endpoint.private_dns_zone_id,
            ),
            opts=opts,
        )
