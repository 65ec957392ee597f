"""Settings of the AKS cluster itself: node pools, network, API server access, identity, upgrades."""

from __future__ import annotations

import re
from typing import Literal
from uuid import UUID

from pydantic import Field, field_validator, model_validator

from aks_istio.addon import support_matrix as sm
from aks_istio.azure.vm_sizes import MIN_OS_DISK_GIB, ephemeral_capacity_gib
from aks_istio.config._base import POOL_NAME_PATTERN, Problems, Settings, valid_cidrs
from aks_istio.config.network import ip_planning_problems

SUBNET_ID_PATTERN = (
    r"(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Network/virtualNetworks/[^/]+/subnets/[^/]+$"
)
RESOURCE_ID_PATTERN = r"(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/.+$"


class NodePoolSettings(Settings):
    """One Linux node pool. The add-on runs no Windows containers, so Windows is not offered."""

    name: str = Field(pattern=POOL_NAME_PATTERN, description="Pool name: 1-12 lowercase letters/digits.")
    vm_size: str = Field(default="Standard_D4ds_v5", description="VM size of the nodes.")
    min_count: int = Field(default=1, ge=0, le=1000, description="Autoscaler minimum node count.")
    max_count: int = Field(default=3, ge=1, le=1000, description="Autoscaler maximum node count.")
    zones: list[Literal["1", "2", "3"]] = Field(default_factory=list, description="Availability zones.")
    max_pods: int = Field(
        default=110, ge=50, le=250, description="Pods per node; >= 50 (CKV_AZURE_168) leaves room for sidecars."
    )
    os_sku: Literal["AzureLinux", "Ubuntu"] = Field(default="AzureLinux", description="Node OS image.")
    os_disk_type: Literal["Ephemeral", "Managed"] | None = Field(
        default=None, description="Unset: ephemeral where the VM size allows it, else managed."
    )
    os_disk_size_gb: int | None = Field(
        default=None, ge=MIN_OS_DISK_GIB, le=2048, description="Unset: the largest that fits the disk type."
    )
    labels: dict[str, str] = Field(default_factory=dict, description="Kubernetes node labels.")
    taints: list[str] = Field(default_factory=list, description="Node taints, `key=value:Effect`.")
    encryption_at_host: bool = Field(default=True, description="Encrypt temp disks and caches on the host.")

    @field_validator("taints")
    @classmethod
    def _taints_well_formed(cls, taints: list[str]) -> list[str]:
        for taint in taints:
            if not re.match(r"^[^=:]+(=[^:]*)?:(NoSchedule|PreferNoSchedule|NoExecute)$", taint):
                raise ValueError(f"taint {taint!r} is not of the form key=value:NoSchedule|PreferNoSchedule|NoExecute")
        return taints

    @model_validator(mode="after")
    def _counts_and_disk(self) -> NodePoolSettings:
        problems = Problems()
        if self.min_count > self.max_count:
            problems.add("minCount", f"{self.min_count} is above maxCount {self.max_count}; allowed: <= maxCount")
        capacity = ephemeral_capacity_gib(self.vm_size)
        if self.os_disk_type == "Ephemeral":
            if capacity is None:
                problems.add(
                    "osDiskType",
                    f"'Ephemeral' is not possible on {self.vm_size!r} (no temp disk we know of); allowed: "
                    "'Managed', or a `ds` size such as Standard_D4ds_v5",
                )
            elif self.os_disk_size_gb is not None and self.os_disk_size_gb > capacity:
                problems.add(
                    "osDiskSizeGb",
                    f"{self.os_disk_size_gb} does not fit the {capacity} GiB temp disk of {self.vm_size}; "
                    f"allowed: {MIN_OS_DISK_GIB}..{capacity}",
                )
        problems.raise_if_any()
        return self

    @property
    def effective_os_disk_type(self) -> Literal["Ephemeral", "Managed"]:
        if self.os_disk_type is not None:
            return self.os_disk_type
        capacity = ephemeral_capacity_gib(self.vm_size)
        fits = capacity is not None and (self.os_disk_size_gb is None or self.os_disk_size_gb <= capacity)
        return "Ephemeral" if fits else "Managed"


class NetworkSettings(Settings):
    """Azure CNI overlay with the Cilium dataplane by default; bring a subnet or let us create a VNet."""

    existing_subnet_id: str | None = Field(
        default=None, pattern=SUBNET_ID_PATTERN, description="Node subnet to use instead of creating a VNet."
    )
    vnet_address_space: str = Field(default="10.20.0.0/16", description="Address space of the VNet we create.")
    node_subnet_prefix: str = Field(default="10.20.0.0/22", description="Node subnet inside the VNet.")
    pod_cidr: str = Field(default="192.168.0.0/16", description="Overlay pod CIDR (not routable in the VNet).")
    service_cidr: str = Field(default="10.240.0.0/16", description="Kubernetes service CIDR.")
    dns_service_ip: str = Field(default="10.240.0.10", description="CoreDNS service IP, inside serviceCidr.")
    dataplane: Literal["cilium", "azure"] = Field(default="cilium", description="Network dataplane.")
    network_policy: Literal["cilium", "azure", "calico"] = Field(default="cilium", description="Policy engine.")
    outbound_type: Literal["loadBalancer", "managedNATGateway", "userDefinedRouting"] = Field(
        default="loadBalancer", description="How nodes reach the internet."
    )

    @model_validator(mode="after")
    def _cidrs_consistent(self) -> NetworkSettings:
        problems = Problems()
        ip_planning_problems(self, problems)
        if self.network_policy == "cilium" and self.dataplane != "cilium":
            problems.add(
                "networkPolicy", "'cilium' needs dataplane 'cilium'; allowed with dataplane 'azure': azure, calico"
            )
        problems.raise_if_any()
        return self


class ApiServerSettings(Settings):
    """Who can reach the Kubernetes API: a private cluster, or a public endpoint limited to IP ranges."""

    private_cluster: bool = Field(default=False, description="API server only on a private endpoint.")
    authorized_ip_ranges: list[str] = Field(
        default_factory=list, description="CIDRs allowed to reach a public API server (CKV_AZURE_6)."
    )

    @field_validator("authorized_ip_ranges")
    @classmethod
    def _cidrs(cls, ranges: list[str]) -> list[str]:
        return valid_cidrs(ranges, ipv4_only=True)

    @model_validator(mode="after")
    def _one_way_in(self) -> ApiServerSettings:
        problems = Problems()
        if self.private_cluster and self.authorized_ip_ranges:
            problems.add(
                "authorizedIpRanges",
                "must be empty for a private cluster; allowed: privateCluster: true, or a list of CIDRs",
            )
        problems.raise_if_any()
        return self


class EntraSettings(Settings):
    """Entra ID integration with Azure RBAC for Kubernetes authorization; local accounts are disabled."""

    admin_group_object_ids: list[UUID] = Field(default_factory=list, description="Entra groups that get cluster-admin.")
    tenant_id: UUID | None = Field(default=None, description="Tenant of the groups; unset: the deploying tenant.")


Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class MaintenanceWindowSettings(Settings):
    """When AKS may upgrade the cluster, node images and the mesh's patch versions."""

    day_of_week: Weekday = Field(default="Sunday", description="Day the window opens.")
    start_hour: int = Field(default=2, ge=0, le=23, description="Hour the window opens.")
    duration_hours: int = Field(default=4, ge=4, le=24, description="AKS needs at least 4 hours.")
    utc_offset: str = Field(default="+00:00", pattern=r"^[+-](0\d|1[0-4]):[0-5]\d$", description="e.g. +01:00.")


class UpgradeSettings(Settings):
    """Automatic upgrade channels (CKV_AZURE_171) and their maintenance window."""

    channel: Literal["patch", "stable", "rapid", "node-image", "none"] = Field(
        default="patch", description="Kubernetes auto-upgrade channel."
    )
    node_os_channel: Literal["NodeImage", "SecurityPatch", "Unmanaged", "None"] = Field(
        default="NodeImage", description="Node OS auto-upgrade channel."
    )
    maintenance_window: MaintenanceWindowSettings = Field(default_factory=MaintenanceWindowSettings)


class ClusterSettings(Settings):
    """The managed cluster."""

    name: str | None = Field(
        default=None, pattern=r"^[a-zA-Z0-9][a-zA-Z0-9_-]{0,61}[a-zA-Z0-9]$", description="Unset: aks-istio-<env>."
    )
    kubernetes_version: str = Field(description="`1.N` (AKS picks the patch) or `1.N.P`.")
    tier: Literal["Free", "Standard", "Premium"] = Field(default="Free", description="Standard has the uptime SLA.")
    system_pool: NodePoolSettings = Field(description="Pool for system pods, tainted CriticalAddonsOnly.")
    user_pools: list[NodePoolSettings] = Field(default_factory=list, description="Pools for workloads.")
    network: NetworkSettings = Field(default_factory=NetworkSettings)
    api_server: ApiServerSettings = Field(default_factory=ApiServerSettings)
    entra: EntraSettings = Field(default_factory=EntraSettings)
    upgrade: UpgradeSettings = Field(default_factory=UpgradeSettings)
    azure_policy: bool = Field(default=True, description="Azure Policy add-on (CKV_AZURE_116).")
    disk_encryption_set_id: str | None = Field(
        default=None, pattern=RESOURCE_ID_PATTERN, description="Customer-managed key for OS and data disks."
    )
    defender_workspace_id: str | None = Field(
        default=None, pattern=RESOURCE_ID_PATTERN, description="Log Analytics workspace for Defender for Containers."
    )
    key_vault_secrets_provider: bool = Field(
        default=False,
        description="The Key Vault secrets provider add-on (with rotation): syncs app certificates for "
        "AppIngress (docs/gateways.md); the plug-in CA turns it on by itself.",
    )

    @field_validator("kubernetes_version")
    @classmethod
    def _version(cls, version: str) -> str:
        minor = sm.kubernetes_minor(version)
        if minor is None:
            raise ValueError(f"{version!r} is not a Kubernetes version; allowed: 1.N or 1.N.P, e.g. 1.34")
        if minor < sm.MIN_KUBERNETES_MINOR:
            raise ValueError(
                f"{version!r} is too old for the Istio add-on; allowed: 1.{sm.MIN_KUBERNETES_MINOR} or newer"
            )
        return version

    @model_validator(mode="after")
    def _pools(self) -> ClusterSettings:
        problems = Problems()
        if self.system_pool.min_count < 1:
            problems.add("systemPool.minCount", f"{self.system_pool.min_count} leaves no system node; allowed: >= 1")
        names = [self.system_pool.name] + [p.name for p in self.user_pools]
        for index, pool in enumerate(self.user_pools):
            if names.count(pool.name) > 1:
                problems.add(f"userPools[{index}].name", f"{pool.name!r} is used twice; pool names must be unique")
        problems.raise_if_any()
        return self


__all__ = [
    "ApiServerSettings",
    "ClusterSettings",
    "EntraSettings",
    "MaintenanceWindowSettings",
    "NetworkSettings",
    "NodePoolSettings",
    "UpgradeSettings",
]
