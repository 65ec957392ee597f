"""AksIstioCluster: an AKS cluster with the Istio add-on, and everything it needs to stand on.

Children: the resource group (or an existing one), a VNet and node subnet (or an existing subnet), the
user-assigned control-plane identity, the plug-in CA vault, the ManagedCluster, user AgentPools, the
planned-maintenance windows, the role grants the add-on depends on, and a Kubernetes provider whose
credentials never leave Pulumi's secret handling.
"""

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import pulumi
import pulumi_kubernetes as k8s
from pulumi_azure_native import authorization, containerservice, managedidentity, network, resources

from aks_istio.addon import rules
from aks_istio.addon import support_matrix as sm
from aks_istio.azure.roles import grant
from aks_istio.cluster import spec
from aks_istio.cluster.values import ClusterSpec, EgressGatewayRef, EgressPool, KubeStateMetrics
from aks_istio.mesh.plugin_ca import PluginCa, PluginCaArgs, PluginCaSource
from aks_istio.outputs import after_apply
from aks_istio.plan import vnet_name
from aks_istio.tokens import type_token
from aks_istio.value_checks import Problems, check


@dataclass(frozen=True, kw_only=True)
class AksIstioClusterArgs:
    """Inputs of `AksIstioCluster`."""

    cluster: ClusterSpec
    """Version, tier, node pools, network, API server access, Entra ID, upgrades."""
    cluster_name: str
    """Name of the managed cluster."""
    location: str
    """Azure region."""
    resource_group_name: str
    """Group to create, or the existing group when `existing_resource_group` is set."""
    existing_resource_group: bool = False
    """Use `resource_group_name` as it is instead of creating it."""
    revisions: Sequence[str]
    """The control-plane revisions to run: the plan's `revisions.installed` (two during a canary upgrade)."""
    vnet_name: str | None = None
    """Name of the VNet created for the nodes (the plan's `vnet_name`); unset: `vnet-<cluster_name>`."""
    internal_ingress: bool = False
    """The add-on runs its internal ingress gateway."""
    external_ingress: bool = False
    """The add-on runs its external ingress gateway."""
    plugin_ca: PluginCaSource | None = None
    """Istio's CA from Key Vault (the add-on's plug-in CA); unset: the add-on's self-signed root."""
    egress_pool: EgressPool | None = None
    """The Static Egress Gateway pool egress gateways need."""
    egress_gateways: list[EgressGatewayRef] = field(default_factory=list)
    """Egress gateways on the mesh profile (their Kubernetes side is `EgressGateways`)."""
    kube_state_metrics: KubeStateMetrics | None = None
    """Set: `azureMonitorProfile.metrics` on with these allowlists (`ManagedPrometheus` adds the collection
    chain); unset: metrics off."""
    tags: dict[str, str] = field(default_factory=dict)
    """Azure tags on every resource."""
    protect: bool = False
    """Protect the cluster, its identity, network and CA vault (prod)."""

    def __post_init__(self) -> None:
        check(self)

    def rules(self, problems: Problems) -> None:
        for problem in rules.revision_set_problems(self.revisions):
            problems.add("revisions", problem)
        if self.egress_gateways and self.egress_pool is None:
            problems.add("egress_pool", "is required for egress gateways: a Static Egress Gateway pool")
        if self.cluster.system_pool is None:
            problems.add(
                ("cluster", "system_pool"),
                "is required for a cluster (a stack file's environment preset fills it); allowed: a NodePool",
            )


class AksIstioCluster(pulumi.ComponentResource):
    """An AKS cluster with the Istio add-on and what it stands on: resource group, network, control-plane
    identity, plug-in CA, node pools, maintenance windows, role grants and a Kubernetes provider."""

    resource_group_name: pulumi.Output[str]
    """The group the cluster lives in."""
    cluster_name: pulumi.Output[str]
    """Name of the managed cluster."""
    cluster_id: pulumi.Output[str]
    """ARM id of the managed cluster (scope for role assignments and data collection rules)."""
    oidc_issuer_url: pulumi.Output[str]
    """OIDC issuer for workload identity federation."""
    node_subnet_id: pulumi.Output[str]
    """Subnet of the nodes (internal load balancers land here unless annotated otherwise)."""
    subscription_id: pulumi.Output[str]
    """Subscription the cluster is deployed in (built-in role definitions are addressed under it)."""
    control_plane_principal_id: pulumi.Output[str]
    """Principal of the control-plane identity (needs rights on load-balancer subnets and public IPs)."""
    revisions: pulumi.Output[list[str]]
    """Istio control-plane revisions installed."""
    kubeconfig: pulumi.Output[str]
    """User kubeconfig (exec format, needs kubelogin), always secret."""
    secrets_provider_client_id: pulumi.Output[str | None]
    """Client id of the Key Vault secrets provider add-on's identity (`AppIngressArgs`); None when the add-on is
    off (`ClusterSpec.key_vault_secrets_provider` and no plug-in CA)."""
    secrets_provider_object_id: pulumi.Output[str | None]
    """Object id of that identity (what `KeyVaultSecretsReader` grants); None when the add-on is off."""

    def __init__(
        self,
        name: str,
        args: AksIstioClusterArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        wait_for: Sequence[pulumi.Resource] = (),
    ) -> None:
        """Declare the component `name` (its children's names start with it) from `args`; `opts` are Pulumi's
        resource options.

        Fields of `args` (`AksIstioClusterArgs`):
            cluster: Version, tier, node pools, network, API server access, Entra ID, upgrades.
            cluster_name: Name of the managed cluster.
            location: Azure region.
            resource_group_name: Group to create, or the existing group when `existing_resource_group` is set.
            existing_resource_group: Use `resource_group_name` as it is instead of creating it.
            revisions: The control-plane revisions to run: the plan's `revisions.installed` (two during a canary
                upgrade).
            vnet_name: Name of the VNet created for the nodes (the plan's `vnet_name`); unset: `vnet-<cluster_name>`.
            internal_ingress: The add-on runs its internal ingress gateway.
            external_ingress: The add-on runs its external ingress gateway.
            plugin_ca: Istio's CA from Key Vault (the add-on's plug-in CA); unset: the add-on's self-signed root.
            egress_pool: The Static Egress Gateway pool egress gateways need.
            egress_gateways: Egress gateways on the mesh profile (their Kubernetes side is `EgressGateways`).
            kube_state_metrics: Set: `azureMonitorProfile.metrics` on with these allowlists (`ManagedPrometheus` adds
                the collection chain); unset: metrics off.
            tags: Azure tags on every resource.
            protect: Protect the cluster, its identity, network and CA vault (prod).

        Outputs (attributes of the component):
            resource_group_name: The group the cluster lives in.
            cluster_name: Name of the managed cluster.
            cluster_id: ARM id of the managed cluster (scope for role assignments and data collection rules).
            oidc_issuer_url: OIDC issuer for workload identity federation.
            node_subnet_id: Subnet of the nodes (internal load balancers land here unless annotated otherwise).
            subscription_id: Subscription the cluster is deployed in (built-in role definitions are addressed under it).
            control_plane_principal_id: Principal of the control-plane identity (needs rights on load-balancer subnets
                and public IPs).
            revisions: Istio control-plane revisions installed.
            kubeconfig: User kubeconfig (exec format, needs kubelogin), always secret.
            secrets_provider_client_id: Client id of the Key Vault secrets provider add-on's identity
                (`AppIngressArgs`); None when the add-on is off (`ClusterSpec.key_vault_secrets_provider` and no plug-in
                CA).
            secrets_provider_object_id: Object id of that identity (what `KeyVaultSecretsReader` grants); None when the
                add-on is off.

        `wait_for`: what the cluster update (and so any change of `revisions`) waits for: during a canary upgrade, the
        new revision's shared MeshConfig, relabelled namespaces and restarts (`aks_istio.mesh.canary`). Python-side
        wiring, narrower than `opts.depends_on` (which would hold back every child), so not an Args field.
        """
        super().__init__(type_token("AksIstioCluster"), name, None, opts)
        client = authorization.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=self))
        group_name = self._declare_resource_group(name, args)
        identity = self._declare_identity(name, args, group_name)
        subnet_id = self._declare_node_subnet(name, args, group_name)
        subnet_grant = self._grant_identity_on_node_subnet(name, identity, subnet_id, client.subscription_id)
        plugin_ca = self._declare_plugin_ca(name, args, group_name, client.tenant_id)
        managed_cluster = self._declare_managed_cluster(
            name,
            args,
            group_name=group_name,
            identity_id=identity.id,
            subnet_id=subnet_id,
            plugin_ca_key_vault_id=plugin_ca.key_vault_id if plugin_ca else None,
            depends_on=[subnet_grant, *wait_for],
        )
        self._declare_node_pools(name, args, group_name, managed_cluster.name, subnet_id)
        self._declare_maintenance_windows(name, args, group_name, managed_cluster.name)
        if plugin_ca is not None:
            self._grant_secrets_provider_on_plugin_ca(name, plugin_ca, managed_cluster, client.subscription_id)
        self.kubeconfig = user_kubeconfig(group_name, managed_cluster.name, parent=self)
        # A child, not an output: set here rather than declared on the class, as Pulumi's component-provider
        # schema takes class annotations for outputs.
        self.k8s_provider: k8s.Provider = kubernetes_provider(f"{name}-k8s", self.kubeconfig, parent=self)
        """Provider for Kubernetes resources on this cluster (pass as `providers`/`provider` to children)."""

        secrets_provider = secrets_provider_ids(
            managed_cluster, enabled=args.plugin_ca is not None or args.cluster.key_vault_secrets_provider
        )
        self.resource_group_name = group_name
        self.cluster_name = managed_cluster.name
        self.cluster_id = managed_cluster.id
        self.oidc_issuer_url = managed_cluster.oidc_issuer_profile.apply(
            lambda p: after_apply(getattr(p, "issuer_url", None), "OIDC issuer URL")
        )
        self.node_subnet_id = subnet_id
        self.control_plane_principal_id = identity.principal_id
        self.subscription_id = client.subscription_id
        self.revisions = pulumi.Output.from_input(list(args.revisions))
        self.secrets_provider_client_id = secrets_provider.client_id
        self.secrets_provider_object_id = secrets_provider.object_id
        self.register_outputs(
            {
                "resource_group_name": self.resource_group_name,
                "cluster_name": self.cluster_name,
                "cluster_id": self.cluster_id,
                "oidc_issuer_url": self.oidc_issuer_url,
                "node_subnet_id": self.node_subnet_id,
                "control_plane_principal_id": self.control_plane_principal_id,
                "subscription_id": self.subscription_id,
                "revisions": self.revisions,
                "kubeconfig": self.kubeconfig,
                "secrets_provider_client_id": self.secrets_provider_client_id,
                "secrets_provider_object_id": self.secrets_provider_object_id,
            }
        )

    def _declare_resource_group(self, name: str, args: AksIstioClusterArgs) -> pulumi.Output[str]:
        """The group the cluster lives in: created here, or the existing one named (its name, either way)."""
        if args.existing_resource_group:
            return pulumi.Output.from_input(args.resource_group_name)
        group = resources.ResourceGroup(
            f"{name}-rg",
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        created: pulumi.Output[str] = group.name
        return created

    def _declare_identity(
        self, name: str, args: AksIstioClusterArgs, group_name: pulumi.Input[str]
    ) -> managedidentity.UserAssignedIdentity:
        """The control-plane's user-assigned identity."""
        return managedidentity.UserAssignedIdentity(
            f"{name}-identity",
            resource_group_name=group_name,
            location=args.location,
            resource_name_=f"id-{args.cluster_name}",
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )

    def _declare_node_subnet(
        self, name: str, args: AksIstioClusterArgs, group_name: pulumi.Input[str]
    ) -> pulumi.Output[str]:
        """The nodes' subnet id: the existing subnet named, or `snet-nodes` in a VNet created here."""
        network_settings = args.cluster.network
        if network_settings.existing_subnet_id is not None:
            return pulumi.Output.from_input(network_settings.existing_subnet_id)
        vnet = network.VirtualNetwork(
            f"{name}-vnet",
            resource_group_name=group_name,
            location=args.location,
            virtual_network_name=args.vnet_name or vnet_name(args.cluster_name),
            address_space={"address_prefixes": [network_settings.vnet_address_space]},
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, ignore_changes=["subnets"]),
        )
        subnet = network.Subnet(
            f"{name}-nodes",
            resource_group_name=group_name,
            virtual_network_name=vnet.name,
            subnet_name="snet-nodes",
            address_prefix=network_settings.node_subnet_prefix,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        created: pulumi.Output[str] = subnet.id
        return created

    def _grant_identity_on_node_subnet(
        self,
        name: str,
        identity: managedidentity.UserAssignedIdentity,
        subnet_id: pulumi.Input[str],
        subscription_id: pulumi.Input[str],
    ) -> authorization.RoleAssignment:
        """Network Contributor on the node subnet for the control-plane identity (the cluster waits for it)."""
        # With a user-assigned identity AKS does not grant itself rights on a subnet it didn't create: internal
        # load balancers (the internal ingress gateway) fail without Network Contributor on the node subnet.
        return grant(
            f"{name}-identity-subnet-network-contributor",
            role_guid=sm.ROLE_NETWORK_CONTRIBUTOR,
            scope=subnet_id,
            principal_id=identity.principal_id,
            subscription_id=subscription_id,
            parent=self,
        )

    def _declare_plugin_ca(
        self, name: str, args: AksIstioClusterArgs, group_name: pulumi.Input[str], tenant_id: pulumi.Input[str]
    ) -> PluginCa | None:
        """The Key Vault of the mesh's plug-in CA, when `args.plugin_ca` asks for one."""
        if args.plugin_ca is None:
            return None
        return PluginCa(
            f"{name}-plugin-ca",
            PluginCaArgs(
                source=args.plugin_ca,
                resource_group_name=group_name,
                location=args.location,
                tenant_id=tenant_id,
                tags=args.tags,
                protect=args.protect,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _declare_managed_cluster(
        self,
        name: str,
        args: AksIstioClusterArgs,
        *,
        group_name: pulumi.Input[str],
        identity_id: pulumi.Input[str],
        subnet_id: pulumi.Input[str],
        plugin_ca_key_vault_id: pulumi.Input[str] | None,
        depends_on: Sequence[pulumi.Resource],
    ) -> containerservice.ManagedCluster:
        """The ManagedCluster: the system pool inline, the Istio add-on's mesh profile, and every other profile
        from the pure builders in `aks_istio.cluster.spec`."""
        settings = args.cluster
        return containerservice.ManagedCluster(
            f"{name}-aks",
            resource_group_name=group_name,
            resource_name_=args.cluster_name,
            location=args.location,
            dns_prefix=args.cluster_name,
            kubernetes_version=settings.kubernetes_version,
            sku={"name": "Base", "tier": settings.tier.value},
            identity={"type": "UserAssigned", "user_assigned_identities": [identity_id]},
            agent_pool_profiles=[spec.system_pool_profile(settings, subnet_id)],
            network_profile=spec.network_profile(settings, static_egress=args.egress_pool is not None),
            aad_profile=spec.aad_profile(settings),
            enable_rbac=True,
            disable_local_accounts=True,
            api_server_access_profile=spec.api_server_access_profile(settings),
            oidc_issuer_profile={"enabled": True},
            security_profile=spec.security_profile(settings),
            addon_profiles=spec.addon_profiles(settings, args.plugin_ca),
            auto_upgrade_profile=spec.auto_upgrade_profile(settings),
            disk_encryption_set_id=settings.disk_encryption_set_id,
            node_resource_group=f"MC_{args.resource_group_name}_{args.cluster_name}",
            service_mesh_profile=spec.service_mesh_profile(
                list(args.revisions),
                internal_ingress=args.internal_ingress,
                external_ingress=args.external_ingress,
                plugin_ca=args.plugin_ca,
                plugin_ca_key_vault_id=plugin_ca_key_vault_id,
                egress_gateways=args.egress_gateways,
            ),
            azure_monitor_profile=spec.azure_monitor_profile(args.kube_state_metrics),
            tags=args.tags,
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.protect,
                ignore_changes=spec.cluster_ignore_changes(settings),
                depends_on=list(depends_on),
            ),
        )

    def _declare_node_pools(
        self,
        name: str,
        args: AksIstioClusterArgs,
        group_name: pulumi.Input[str],
        cluster_name: pulumi.Input[str],
        subnet_id: pulumi.Input[str],
    ) -> None:
        """The user pools, then the Static Egress Gateway pool, each an AgentPool of its own."""
        for pool in args.cluster.user_pools:
            containerservice.AgentPool(
                f"{name}-pool-{pool.name}",
                resource_group_name=group_name,
                resource_name_=cluster_name,
                agent_pool_name=pool.name,
                **spec.pool_fields(pool, mode="User", subnet_id=subnet_id),
                opts=pulumi.ResourceOptions(parent=self, ignore_changes=spec.agent_pool_ignore_changes(args.cluster)),
            )
        if args.egress_pool is not None:
            # One owner per pool: the gateway pool is a separate AgentPool like the user pools, never inline.
            containerservice.AgentPool(
                f"{name}-pool-{args.egress_pool.name}",
                resource_group_name=group_name,
                resource_name_=cluster_name,
                agent_pool_name=args.egress_pool.name,
                **spec.gateway_pool_fields(args.egress_pool, subnet_id=subnet_id),
                opts=pulumi.ResourceOptions(parent=self),
            )

    def _declare_maintenance_windows(
        self, name: str, args: AksIstioClusterArgs, group_name: pulumi.Input[str], cluster_name: pulumi.Input[str]
    ) -> None:
        """One MaintenanceConfiguration per planned-maintenance window of the cluster's settings."""
        for config_name, body in spec.maintenance_configurations(args.cluster).items():
            containerservice.MaintenanceConfiguration(
                f"{name}-maintenance-{config_name}",
                resource_group_name=group_name,
                resource_name_=cluster_name,
                config_name=config_name,
                **body,
                opts=pulumi.ResourceOptions(parent=self),
            )

    def _grant_secrets_provider_on_plugin_ca(
        self,
        name: str,
        plugin_ca: PluginCa,
        managed_cluster: containerservice.ManagedCluster,
        subscription_id: pulumi.Input[str],
    ) -> None:
        """Key Vault Secrets User on the plug-in CA's vault for the secrets provider add-on's identity."""
        # istiod mounts the CA through the secrets provider's identity; without read access its pods hang in
        # Init:0/2 with a 403 (https://learn.microsoft.com/azure/aks/istio-plugin-ca, which names Key Vault Secrets
        # User).
        grant(
            f"{name}-keyvault-secrets-user",
            role_guid=sm.ROLE_KEY_VAULT_SECRETS_USER,
            scope=plugin_ca.key_vault_id,
            principal_id=managed_cluster.addon_profiles.apply(_secrets_provider_identity),
            subscription_id=subscription_id,
            parent=self,
        )


class SecretsProviderIds(NamedTuple):
    """The ids of the identity AKS makes for the Key Vault secrets provider add-on (None when the add-on is off)."""

    client_id: pulumi.Output[str | None]
    object_id: pulumi.Output[str | None]


def secrets_provider_ids(managed_cluster: containerservice.ManagedCluster, *, enabled: bool) -> SecretsProviderIds:
    """Read from the cluster's `addonProfiles` when the add-on is `enabled`; None for both otherwise."""
    if not enabled:
        return SecretsProviderIds(pulumi.Output.from_input(None), pulumi.Output.from_input(None))
    return SecretsProviderIds(
        client_id=managed_cluster.addon_profiles.apply(lambda p: _secrets_provider_identity(p, "client_id")),
        object_id=managed_cluster.addon_profiles.apply(lambda p: _secrets_provider_identity(p, "object_id")),
    )


def user_kubeconfig(
    resource_group_name: pulumi.Input[str], cluster_name: pulumi.Input[str], *, parent: pulumi.Resource
) -> pulumi.Output[str]:
    """The cluster's user kubeconfig (exec format, needs kubelogin), always secret.

    The lookup waits for whatever its inputs wait for: given the ManagedCluster's outputs, for the cluster's
    create or update; given plain names, for nothing (the cluster must exist already).
    """
    credentials = containerservice.list_managed_cluster_user_credentials_output(
        resource_group_name=resource_group_name,
        resource_name=cluster_name,
        format="exec",
        opts=pulumi.InvokeOutputOptions(parent=parent),
    )
    return pulumi.Output.secret(
        credentials.kubeconfigs.apply(lambda configs: base64.b64decode(configs[0].value).decode())
    )


def kubernetes_provider(name: str, kubeconfig: pulumi.Input[str], *, parent: pulumi.Resource) -> k8s.Provider:
    secret_kubeconfig = pulumi.ResourceOptions(parent=parent, additional_secret_outputs=["kubeconfig"])
    return k8s.Provider(name, kubeconfig=kubeconfig, opts=secret_kubeconfig)


def _secrets_provider_identity(profiles: object, field: str = "object_id") -> pulumi.Input[str]:
    """The object id (or client id) of the identity AKS makes for the Key Vault secrets provider add-on.

    AKS creates that identity; at preview the cluster's outputs echo its inputs, which have none yet, so the
    id is unknown until apply.
    """
    profile = profiles.get(spec.KEYVAULT_ADDON) if isinstance(profiles, Mapping) else None
    value = getattr(getattr(profile, "identity", None), field, None)
    return after_apply(value, f"{field} of the identity for the {spec.KEYVAULT_ADDON} add-on")
