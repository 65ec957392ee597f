"""The plain values `AksIstioClusterArgs` is made of: what the managed cluster, its pools and its add-ons are.

Frozen dataclasses and enums only (no pydantic, no Pulumi), so a library user fills them in code and Pulumi's
component-provider host can describe them to other languages. A stack's `cluster:` settings are validated by
`aks_istio.config` first and translated by `aks_istio.platform_values`; the values here keep the names of those
settings. Enum values are the exact strings ARM takes (API 2025-09-01).
"""

import enum
from dataclasses import dataclass, field


class ClusterTier(enum.StrEnum):
    """AKS pricing tier: Standard and Premium have the uptime SLA."""

    FREE = "Free"
    """No uptime SLA: for dev and test clusters."""
    STANDARD = "Standard"
    """Financially backed uptime SLA, for production."""
    PREMIUM = "Premium"
    """Standard plus long-term support (LTS) Kubernetes versions."""


class OsSku(enum.StrEnum):
    """Node OS image."""

    AZURE_LINUX = "AzureLinux"
    """Azure Linux, Microsoft's container host OS."""
    UBUNTU = "Ubuntu"
    """Ubuntu."""


class OsDiskType(enum.StrEnum):
    """Node OS disk: Ephemeral (on the VM's temp disk) or Managed."""

    EPHEMERAL = "Ephemeral"
    """On the VM's local storage: faster reimage, no disk cost; the VM size must have room for it."""
    MANAGED = "Managed"
    """On an Azure managed disk."""


class NetworkDataplane(enum.StrEnum):
    """Network dataplane of Azure CNI overlay."""

    CILIUM = "cilium"
    """Azure CNI powered by Cilium (eBPF)."""
    AZURE = "azure"
    """Azure's own dataplane."""


class NetworkPolicyEngine(enum.StrEnum):
    """Network policy engine."""

    CILIUM = "cilium"
    """Cilium enforces network policies (needs the cilium dataplane)."""
    AZURE = "azure"
    """Azure Network Policy Manager."""
    CALICO = "calico"
    """Calico."""


class OutboundType(enum.StrEnum):
    """How nodes reach the internet."""

    LOAD_BALANCER = "loadBalancer"
    """Through the cluster's standard load balancer."""
    MANAGED_NAT_GATEWAY = "managedNATGateway"
    """Through a NAT gateway AKS manages."""
    USER_DEFINED_ROUTING = "userDefinedRouting"
    """Through the subnet's own route table (a firewall, say); AKS adds no outbound path."""


class UpgradeChannel(enum.StrEnum):
    """Kubernetes auto-upgrade channel."""

    PATCH = "patch"
    """Latest patch of the cluster's minor version."""
    STABLE = "stable"
    """Latest patch of the second-newest supported minor version."""
    RAPID = "rapid"
    """Latest patch of the newest supported minor version."""
    NODE_IMAGE = "node-image"
    """Node images only; Kubernetes is not upgraded."""
    NONE = "none"
    """No automatic upgrades."""

    @property
    def moves_minor(self) -> bool:
        """stable and rapid move the cluster to new Kubernetes minors by themselves (AKS owns the version then);
        patch, node-image and none never change the minor."""
        return self in (UpgradeChannel.STABLE, UpgradeChannel.RAPID)


class NodeOsChannel(enum.StrEnum):
    """Node OS auto-upgrade channel."""

    NODE_IMAGE = "NodeImage"
    """Nodes are reimaged with each new node image."""
    SECURITY_PATCH = "SecurityPatch"
    """Security patches only, applied by AKS (reimaging where needed)."""
    UNMANAGED = "Unmanaged"
    """The OS's own unattended updates; AKS does not reboot nodes."""
    NONE = "None"
    """No OS updates."""


class Weekday(enum.StrEnum):
    """Day of a weekly maintenance window."""

    MONDAY = "Monday"
    """Monday."""
    TUESDAY = "Tuesday"
    """Tuesday."""
    WEDNESDAY = "Wednesday"
    """Wednesday."""
    THURSDAY = "Thursday"
    """Thursday."""
    FRIDAY = "Friday"
    """Friday."""
    SATURDAY = "Saturday"
    """Saturday."""
    SUNDAY = "Sunday"
    """Sunday."""


@dataclass(frozen=True, kw_only=True)
class NodePool:
    """A node pool (the system pool inline on the cluster, user pools as AgentPools)."""

    name: str
    """Pool name: 1-12 lowercase letters/digits."""
    vm_size: str = "Standard_D4ds_v5"
    """VM size of the nodes."""
    min_count: int = 1
    """Autoscaler minimum node count."""
    max_count: int = 3
    """Autoscaler maximum node count."""
    zones: list[str] = field(default_factory=list)
    """Availability zones ("1", "2", "3")."""
    max_pods: int = 110
    """Pods per node."""
    os_sku: OsSku = OsSku.AZURE_LINUX
    """Node OS image."""
    os_disk_type: OsDiskType = OsDiskType.MANAGED
    """OS disk type (the stack picks Ephemeral where the VM size's temp disk holds it)."""
    os_disk_size_gb: int | None = None
    """OS disk size; unset: the temp disk's size (Ephemeral, at most 128) or 128 (Managed)."""
    labels: dict[str, str] = field(default_factory=dict)
    """Kubernetes node labels."""
    taints: list[str] = field(default_factory=list)
    """Node taints, `key=value:Effect`."""
    encryption_at_host: bool = True
    """Encrypt temp disks and caches on the host."""


@dataclass(frozen=True, kw_only=True)
class ClusterNetwork:
    """Azure CNI overlay networking, in a VNet we create or an existing subnet."""

    existing_subnet_id: str | None = None
    """Put the nodes in this subnet instead of creating a VNet."""
    vnet_address_space: str = "10.20.0.0/16"
    """Address space of the VNet we create."""
    node_subnet_prefix: str = "10.20.0.0/22"
    """Node subnet inside the VNet."""
    pod_cidr: str = "192.168.0.0/16"
    """Overlay pod CIDR (not routable in the VNet)."""
    service_cidr: str = "10.240.0.0/16"
    """Kubernetes service CIDR."""
    dns_service_ip: str = "10.240.0.10"
    """CoreDNS service IP, inside `service_cidr`."""
    dataplane: NetworkDataplane = NetworkDataplane.CILIUM
    """Network dataplane."""
    network_policy: NetworkPolicyEngine = NetworkPolicyEngine.CILIUM
    """Network policy engine."""
    outbound_type: OutboundType = OutboundType.LOAD_BALANCER
    """How nodes reach the internet."""


@dataclass(frozen=True, kw_only=True)
class ApiServerAccess:
    """Who reaches the API server: a private endpoint, or public with authorized IP ranges."""

    private_cluster: bool = False
    """API server only on a private endpoint."""
    authorized_ip_ranges: list[str] = field(default_factory=list)
    """CIDRs allowed to reach a public API server."""


@dataclass(frozen=True, kw_only=True)
class EntraAccess:
    """Entra ID integration with Azure RBAC for Kubernetes (local accounts stay off)."""

    admin_group_object_ids: list[str] = field(default_factory=list)
    """Entra groups that get cluster-admin."""
    tenant_id: str | None = None
    """Tenant of the groups; unset: the deploying tenant."""


@dataclass(frozen=True, kw_only=True)
class MaintenanceWindow:
    """The weekly planned-maintenance window (add-on patches and auto-upgrades)."""

    day_of_week: Weekday = Weekday.SUNDAY
    """Day the window opens."""
    start_hour: int = 2
    """Hour the window opens (0-23)."""
    duration_hours: int = 4
    """Length of the window; AKS needs at least 4 hours."""
    utc_offset: str = "+00:00"
    """Offset of the window's times, e.g. +01:00."""


@dataclass(frozen=True, kw_only=True)
class AutoUpgrade:
    """Automatic upgrade channels and their maintenance window."""

    channel: UpgradeChannel = UpgradeChannel.PATCH
    """Kubernetes auto-upgrade channel."""
    node_os_channel: NodeOsChannel = NodeOsChannel.NODE_IMAGE
    """Node OS auto-upgrade channel."""
    maintenance_window: MaintenanceWindow = field(default_factory=MaintenanceWindow)
    """When upgrades may run."""


@dataclass(frozen=True, kw_only=True)
class ClusterSpec:
    """The managed cluster itself: version, tier, pools, network, access, upgrades."""

    kubernetes_version: str
    """`1.N` (AKS picks the patch) or `1.N.P`."""
    tier: ClusterTier = ClusterTier.FREE
    """Pricing tier; Standard has the uptime SLA."""
    system_pool: NodePool
    """Pool for system pods, tainted CriticalAddonsOnly."""
    user_pools: list[NodePool] = field(default_factory=list)
    """Pools for workloads."""
    network: ClusterNetwork = field(default_factory=ClusterNetwork)
    """Networking."""
    api_server: ApiServerAccess = field(default_factory=ApiServerAccess)
    """API server access."""
    entra: EntraAccess = field(default_factory=EntraAccess)
    """Entra ID integration."""
    upgrade: AutoUpgrade = field(default_factory=AutoUpgrade)
    """Auto-upgrade channels and window."""
    azure_policy: bool = True
    """Azure Policy add-on."""
    disk_encryption_set_id: str | None = None
    """Customer-managed key for OS and data disks."""
    defender_workspace_id: str | None = None
    """Log Analytics workspace of Microsoft Defender for Containers; unset: Defender off."""
    key_vault_secrets_provider: bool = False
    """The Key Vault secrets provider add-on (with rotation), which syncs app certificates for `AppIngress`; the
    plug-in CA turns it on by itself."""


@dataclass(frozen=True, kw_only=True)
class EgressPool:
    """The Static Egress Gateway node pool (mode Gateway) egress gateways leave through."""

    name: str = "egress"
    """Pool name."""
    vm_size: str = "Standard_D2ds_v5"
    """VM size of the gateway nodes."""
    public_ip_prefix_size: int = 31
    """Prefix of the pool's public IPs: 31 = 2 nodes ... 28 = 16 nodes."""
    count: int = 2
    """Nodes (gateway pools have no autoscaler)."""
    zones: list[str] = field(default_factory=list)
    """Availability zones."""


@dataclass(frozen=True, kw_only=True)
class EgressGatewayRef:
    """An egress gateway as the cluster's mesh profile enables it."""

    name: str
    """Gateway name."""
    namespace: str
    """Its namespace."""
    configuration_name: str
    """The StaticGatewayConfiguration it uses (in its namespace)."""


@dataclass(frozen=True, kw_only=True)
class KubeStateMetrics:
    """Extra Kubernetes labels and annotations kube-state-metrics turns into metric labels."""

    labels_allowlist: dict[str, list[str]] = field(default_factory=dict)
    """Resource -> label keys, e.g. {"namespaces": ["team"]}."""
    annotations_allowlist: dict[str, list[str]] = field(default_factory=dict)
    """Resource -> annotation keys."""
