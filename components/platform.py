"""AksIstioPlatform: one stack's whole platform, composed from a validated `StackConfig`.

The cluster comes first; everything that lives inside Kubernetes is declared through the cluster's provider.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from ._tokens import type_token
from .canary_upgrade import cluster_revisions
from .cluster import AksIstioCluster, AksIstioClusterArgs
from .config import StackConfig
from .mesh_config import SharedMeshConfig, SharedMeshConfigArgs
from .mesh_namespaces import MeshNamespaces, MeshNamespacesArgs


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

        self.cluster = AksIstioCluster(
            name,
            AksIstioClusterArgs(
                cluster=config.cluster,
                mesh=config.mesh,
                ingress=config.gateways.ingress,
                cluster_name=config.cluster_name,
                location=config.location,
                resource_group_name=config.resource_group_name,
                existing_resource_group=config.resource_group.existing,
                revisions=revisions,
                tags=tags,
                protect=config.protect,
                observability=config.observability,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        in_cluster = pulumi.ResourceOptions(parent=self, providers=[self.cluster.k8s_provider])

        if config.mesh.mesh_config.fields:
            SharedMeshConfig(
                f"{name}-meshconfig",
                SharedMeshConfigArgs(settings=config.mesh.mesh_config, revisions=revisions),
                opts=in_cluster,
            )
        mesh_namespaces = MeshNamespaces(f"{name}-mesh", MeshNamespacesArgs(mesh=config.mesh), opts=in_cluster)
        if config.observability.enabled:
            _observability(name, config, tags, self.cluster, in_cluster)

        self.revisions = self.cluster.revisions
        self.namespaces = mesh_namespaces.namespaces
        self.register_outputs({"revisions": self.revisions, "namespaces": self.namespaces})


def _observability(
    name: str, config: StackConfig, tags: dict[str, str], cluster: AksIstioCluster, opts: pulumi.ResourceOptions
) -> None:
    """Managed Prometheus and Grafana. Imported here: a stack without observability never loads their SDKs."""
    from .grafana import ManagedGrafana, ManagedGrafanaArgs, default_name
    from .managed_prometheus import ManagedPrometheus, ManagedPrometheusArgs

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
            ),
            opts=opts,
        )
