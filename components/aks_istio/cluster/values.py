"""The plain values `AksIstioClusterArgs` is made of: what the managed cluster, its pools and its add-ons are.

Each is defined once, here: the stack file's `cluster:` section is these classes (camelCase keys; pydantic
validates the file into them), a library user builds them in code, and Pulumi's component-provider host
describes them to other languages. Their rules run wherever they are made (`aks_istio.value_checks`). Frozen
dataclasses and enums only (no pydantic, no Pulumi); enum values are the exact strings ARM takes (API 2025-09-01).
"""

import enum
import ipaddress
import re
from dataclasses import dataclass, field
from typing import ClassVar

from aks_istio.addon import support_matrix as sm
from aks_istio.azure.vm_sizes import MIN_OS_DISK_GIB, ephemeral_capacity_gib
from aks_istio.cluster.ip_planning import ip_planning_problems
from aks_istio.value_checks import (
    POOL_NAME,
    RESOURCE_ID,
    STACK_FILE,
    SUBNET_ID,
    UUID,
    Problems,
    check,
    constrained,
    field_name,
)

ZONES = ("1", "2", "3")
TAINT_PATTERN = r"^[^=:]+(=[^:]*)?:(NoSchedule|PreferNoSchedule|NoExecute)$"
# kube-state-metrics allowlist entries: a resource (plural, lower case) and the label/annotation keys to keep,
# rendered as `namespaces=[a,b],pods=[c]` (`--ksm-metric-labels-allow-list`).
_KSM_RESOURCE = re.compile(r"^[a-z][a-z0-9]*$")
_KSM_KEY = re.compile(r"^(\*|[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?)$")


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


def kubernetes_version_reason(version: str) -> str | None:
    """Why `version` is not a Kubernetes version the add-on runs on, or None."""
    minor = sm.kubernetes_minor(version)
    if minor is None:
        return f"{version!r} is not a Kubernetes version; allowed: 1.N or 1.N.P, e.g. 1.34"
    if minor < sm.MIN_KUBERNETES_MINOR:
        return f"{version!r} is too old for the Istio add-on; allowed: 1.{sm.MIN_KUBERNETES_MINOR} or newer"
    return None


def ipv4_cidrs_reason(values: list[str]) -> str | None:
    """Why `values` are not all IPv4 CIDRs (Azure takes no IPv6 here), or None."""
    for cidr in values:
        try:
            ipaddress.IPv4Network(cidr)
        except ValueError as exc:
            return f"{cidr!r} is not an IPv4 CIDR ({exc}); allowed: e.g. 203.0.113.0/24"
    return None


def allowlist_reason(value: dict[str, list[str]]) -> str | None:
    """Why a kube-state-metrics allowlist is malformed, or None."""
    for resource, keys in value.items():
        if not _KSM_RESOURCE.match(resource):
            return f"{resource!r} is not a resource name; allowed: plural lower case, e.g. pods"
        for key in keys:
            if not _KSM_KEY.match(key):
                return f"{key!r} under {resource!r} is not a label key; allowed: a key or '*'"
    return None


@dataclass(frozen=True, kw_only=True)
class NodePool:
    """One Linux node pool (the system pool inline on the cluster, user pools as AgentPools). The add-on runs no
    Windows containers, so Windows is not offered."""

    __pydantic_config__: ClassVar = STACK_FILE

    name: str = constrained(**POOL_NAME)
    """Pool name: 1-12 lowercase letters/digits."""
    vm_size: str = "Standard_D4ds_v5"
    """VM size of the nodes."""
    min_count: int = constrained(1, ge=0, le=1000)
    """Autoscaler minimum node count."""
    max_count: int = constrained(3, ge=1, le=1000)
    """Autoscaler maximum node count."""
    zones: list[str] = constrained(default_factory=list, choices=ZONES)
    """Availability zones."""
    max_pods: int = constrained(110, ge=50, le=250)
    """Pods per node; >= 50 (CKV_AZURE_168) leaves room for sidecars."""
    os_sku: OsSku = OsSku.AZURE_LINUX
    """Node OS image."""
    os_disk_type: OsDiskType | None = None
    """Unset: ephemeral where the VM size allows it, else managed."""
    os_disk_size_gb: int | None = constrained(None, ge=MIN_OS_DISK_GIB, le=2048)
    """Unset: the largest that fits the disk type."""
    labels: dict[str, str] = field(default_factory=dict)
    """Kubernetes node labels."""
    taints: list[str] = constrained(
        default_factory=list, pattern=TAINT_PATTERN, words="key=value:NoSchedule|PreferNoSchedule|NoExecute"
    )
    """Node taints, `key=value:Effect`."""
    encryption_at_host: bool = True
    """Encrypt temp disks and caches on the host."""

    def __post_init__(self) -> None:
        check(self)

    def rules(self, problems: Problems) -> None:
        if problems.fine("min_count", "max_count") and self.min_count > self.max_count:
            most = field_name("max_count")
            problems.add("min_count", f"{self.min_count} is above {most} {self.max_count}; allowed: <= {most}")
        capacity = ephemeral_capacity_gib(self.vm_size)
        if self.os_disk_type == OsDiskType.EPHEMERAL and problems.fine("os_disk_type", "os_disk_size_gb"):
            if capacity is None:
                problems.add(
                    "os_disk_type",
                    f"'Ephemeral' is not possible on {self.vm_size!r} (no temp disk we know of); allowed: "
                    "'Managed', or a `ds` size such as Standard_D4ds_v5",
                )
            elif self.os_disk_size_gb is not None and self.os_disk_size_gb > capacity:
                problems.add(
                    "os_disk_size_gb",
                    f"{self.os_disk_size_gb} does not fit the {capacity} GiB temp disk of {self.vm_size}; "
                    f"allowed: {MIN_OS_DISK_GIB}..{capacity}",
                )

    @property
    def effective_os_disk_type(self) -> OsDiskType:
        """`os_disk_type`, or where unset: Ephemeral if the VM size's temp disk holds the disk, else Managed."""
        if self.os_disk_type is not None:
            return self.os_disk_type
        capacity = ephemeral_capacity_gib(self.vm_size)
        fits = capacity is not None and (self.os_disk_size_gb is None or self.os_disk_size_gb <= capacity)
        return OsDiskType.EPHEMERAL if fits else OsDiskType.MANAGED


@dataclass(frozen=True, kw_only=True)
class ClusterNetwork:
    """Azure CNI overlay with the Cilium dataplane by default; bring a subnet or let us create a VNet."""

    __pydantic_config__: ClassVar = STACK_FILE

    existing_subnet_id: str | None = constrained(None, **SUBNET_ID)
    """Node subnet to use instead of creating a VNet."""
    vnet_address_space: str = "10.20.0.0/16"
    """Address space of the VNet we create."""
    node_subnet_prefix: str = "10.20.0.0/22"
    """Node subnet inside the VNet."""
    pod_cidr: str = "192.168.0.0/16"
    """Overlay pod CIDR (not routable in the VNet)."""
    service_cidr: str = "10.240.0.0/16"
    """Kubernetes service CIDR."""
    dns_service_ip: str = "10.240.0.10"
    """CoreDNS service IP, inside serviceCidr."""
    dataplane: NetworkDataplane = NetworkDataplane.CILIUM
    """Network dataplane."""
    network_policy: NetworkPolicyEngine = NetworkPolicyEngine.CILIUM
    """Policy engine."""
    outbound_type: OutboundType = OutboundType.LOAD_BALANCER
    """How nodes reach the internet."""

    def __post_init__(self) -> None:
        check(self)

    def rules(self, problems: Problems) -> None:
        ip_planning_problems(self, problems)
        if (
            problems.fine("network_policy", "dataplane")
            and self.network_policy == NetworkPolicyEngine.CILIUM
            and self.dataplane != NetworkDataplane.CILIUM
        ):
            problems.add(
                "network_policy", "'cilium' needs dataplane 'cilium'; allowed with dataplane 'azure': azure, calico"
            )


@dataclass(frozen=True, kw_only=True)
class ApiServerAccess:
    """Who can reach the Kubernetes API: a private cluster, or a public endpoint limited to IP ranges."""

    __pydantic_config__: ClassVar = STACK_FILE

    private_cluster: bool = False
    """API server only on a private endpoint."""
    authorized_ip_ranges: list[str] = constrained(default_factory=list, check=ipv4_cidrs_reason)
    """CIDRs allowed to reach a public API server (CKV_AZURE_6)."""

    def __post_init__(self) -> None:
        check(self)

    def rules(self, problems: Problems) -> None:
        if self.private_cluster and self.authorized_ip_ranges:
            problems.add(
                "authorized_ip_ranges",
                f"must be empty for a private cluster; allowed: {field_name('private_cluster')}: true, or a list of "
                "CIDRs",
            )


@dataclass(frozen=True, kw_only=True)
class EntraAccess:
    """Entra ID integration with Azure RBAC for Kubernetes authorization; local accounts are disabled."""

    __pydantic_config__: ClassVar = STACK_FILE

    admin_group_object_ids: list[str] = constrained(default_factory=list, **UUID)
    """Entra groups that get cluster-admin."""
    tenant_id: str | None = constrained(None, **UUID)
    """Tenant of the groups; unset: the deploying tenant."""

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True, kw_only=True)
class MaintenanceWindow:
    """When AKS may upgrade the cluster, node images and the mesh's patch versions."""

    __pydantic_config__: ClassVar = STACK_FILE

    day_of_week: Weekday = Weekday.SUNDAY
    """Day the window opens."""
    start_hour: int = constrained(2, ge=0, le=23)
    """Hour the window opens."""
    duration_hours: int = constrained(4, ge=4, le=24)
    """AKS needs at least 4 hours."""
    utc_offset: str = constrained("+00:00", pattern=r"^[+-](0\d|1[0-4]):[0-5]\d$", words="e.g. +01:00")
    """e.g. +01:00."""

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True, kw_only=True)
class AutoUpgrade:
    """Automatic upgrade channels (CKV_AZURE_171) and their maintenance window."""

    __pydantic_config__: ClassVar = STACK_FILE

    channel: UpgradeChannel = UpgradeChannel.PATCH
    """Kubernetes auto-upgrade channel."""
    node_os_channel: NodeOsChannel = NodeOsChannel.NODE_IMAGE
    """Node OS auto-upgrade channel."""
    maintenance_window: MaintenanceWindow = field(default_factory=MaintenanceWindow)
    """When AKS may upgrade the cluster, node images and the mesh's patch versions."""

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True, kw_only=True)
class ClusterSpec:
    """The managed cluster: version, tier, pools, network, access, upgrades."""

    __pydantic_config__: ClassVar = STACK_FILE

    name: str | None = constrained(
        None,
        pattern=r"^[a-zA-Z0-9][a-zA-Z0-9_-]{0,61}[a-zA-Z0-9]$",
        words="1-63 letters, digits, '-' and '_', starting and ending with a letter or digit",
    )
    """Unset: aks-istio-<env>."""
    kubernetes_version: str = constrained(check=kubernetes_version_reason)
    """`1.N` (AKS picks the patch) or `1.N.P`."""
    tier: ClusterTier = ClusterTier.FREE
    """Standard has the uptime SLA."""
    system_pool: NodePool | None = None
    """Pool for system pods, tainted CriticalAddonsOnly. Unset in a stack file: the environment's preset
    decides; the cluster component needs one."""
    user_pools: list[NodePool] = field(default_factory=list)
    """Pools for workloads."""
    network: ClusterNetwork = field(default_factory=ClusterNetwork)
    """Azure CNI overlay with the Cilium dataplane by default; bring a subnet or let us create a VNet."""
    api_server: ApiServerAccess = field(default_factory=ApiServerAccess)
    """Who can reach the Kubernetes API: a private cluster, or a public endpoint limited to IP ranges."""
    entra: EntraAccess = field(default_factory=EntraAccess)
    """Entra ID integration with Azure RBAC for Kubernetes authorization; local accounts are disabled."""
    upgrade: AutoUpgrade = field(default_factory=AutoUpgrade)
    """Automatic upgrade channels (CKV_AZURE_171) and their maintenance window."""
    azure_policy: bool = True
    """Azure Policy add-on (CKV_AZURE_116)."""
    disk_encryption_set_id: str | None = constrained(None, **RESOURCE_ID)
    """Customer-managed key for OS and data disks."""
    defender_workspace_id: str | None = constrained(None, **RESOURCE_ID)
    """Log Analytics workspace for Defender for Containers; unset: Defender off."""
    key_vault_secrets_provider: bool = False
    """The Key Vault secrets provider add-on (with rotation): syncs app certificates for AppIngress
    (docs/gateways.md); the plug-in CA turns it on by itself."""

    def __post_init__(self) -> None:
        check(self)

    def rules(self, problems: Problems) -> None:
        system = self.system_pool
        if system is not None and problems.fine(("system_pool", "min_count")) and system.min_count < 1:
            problems.add(("system_pool", "min_count"), f"{system.min_count} leaves no system node; allowed: >= 1")
        names = self.pool_names
        for index, pool in enumerate(self.user_pools):
            if names.count(pool.name) > 1 and problems.fine(("user_pools", index, "name")):
                problems.add(("user_pools", index, "name"), f"{pool.name!r} is used twice; pool names must be unique")

    @property
    def pool_names(self) -> list[str]:
        """The system pool's name, then the user pools'."""
        system = [self.system_pool.name] if self.system_pool is not None else []
        return system + [p.name for p in self.user_pools]


@dataclass(frozen=True, kw_only=True)
class EgressPool:
    """The Static Egress Gateway node pool (mode Gateway): it gives egress traffic a fixed public IP prefix."""

    __pydantic_config__: ClassVar = STACK_FILE

    name: str = constrained("egress", **POOL_NAME)
    """Pool name."""
    vm_size: str = "Standard_D2ds_v5"
    """VM size of the gateway nodes."""
    public_ip_prefix_size: int = constrained(31, choices=(28, 29, 30, 31))
    """Prefix of the pool's public IPs: /31 = 2 nodes ... /28 = 16 nodes."""
    count: int = constrained(2, ge=1)
    """Nodes (gateway pools have no autoscaler)."""
    zones: list[str] = constrained(default_factory=list, choices=ZONES)
    """Availability zones."""

    def __post_init__(self) -> None:
        check(self)

    def rules(self, problems: Problems) -> None:
        if not problems.fine("public_ip_prefix_size", "count"):
            return
        most = sm.gateway_pool_max_nodes(self.public_ip_prefix_size)
        if self.count > most:
            problems.add(
                "count", f"{self.count} nodes do not fit a /{self.public_ip_prefix_size} prefix; allowed: 1..{most}"
            )


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
    """Extra Kubernetes labels and annotations kube-state-metrics turns into metric labels (cost: cardinality)."""

    __pydantic_config__: ClassVar = STACK_FILE

    labels_allowlist: dict[str, list[str]] = constrained(default_factory=dict, check=allowlist_reason)
    """Resource -> label keys, e.g. {namespaces: [team], pods: [app]}."""
    annotations_allowlist: dict[str, list[str]] = constrained(default_factory=dict, check=allowlist_reason)
    """Resource -> annotation keys."""

    def __post_init__(self) -> None:
        check(self)
