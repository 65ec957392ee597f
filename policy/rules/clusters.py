"""Where each Azure provider keeps the cluster settings the rules read: one accessor per provider, one rule body.

azure-native (`ManagedCluster`, `AgentPool`) sends the ARM shape: `addonProfiles.<name>.enabled`,
`serviceMeshProfile.istio.revisions`, `agentPoolProfiles[]`. The classic provider, pulumi-azure 6.x
(`azure:containerservice/kubernetesCluster:KubernetesCluster`, `.../kubernetesClusterNodePool:...`), sends the
Terraform azurerm shape in camelCase: flags such as `openServiceMeshEnabled`, blocks whose presence turns a
feature on (`aciConnectorLinux`, `keyVaultSecretsProvider`, `microsoftDefender`), `serviceMeshProfile.revisions`
and one `defaultNodePool`. tests/policy/test_classic_provider_schema.py checks every classic path below against
pulumi-azure's own input types. Classic 6.x cannot express egress gateways, Gateway API or a Kubernetes dashboard
(its ingress gateways are two booleans), so those rules have nothing to read there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from aks_istio.addon import support_matrix as sm

from ._common import (
    AGENT_POOL,
    CLASSIC_CLUSTER,
    CLASSIC_NODE_POOL,
    MANAGED_CLUSTER,
    Props,
    Undecidable,
    decided,
    each,
    elements,
    get_bool,
    get_list,
    get_map,
    get_str,
    keys_of,
    kind_of,
)
from .stack import StackResource, of_kind

MESH_MODE: Final = "serviceMeshProfile.mode"
SHARED_CLUSTER_PATHS: Final = (
    MESH_MODE,
    "kubernetesVersion",
    "identity.type",
    "networkProfile.networkPlugin",
    "networkProfile.networkPolicy",
)
"""Paths both providers spell alike."""
CRITICAL_ADDONS_ONLY: Final = "CriticalAddonsOnly=true:NoSchedule"


def addon_profile(cluster: object, addon: str) -> Mapping[str, object] | None:
    """An azure-native add-on profile; ARM keys are case-insensitive (`openServiceMesh`, `OpenServiceMesh`)."""
    profiles = get_map(cluster, "addonProfiles")
    for key in keys_of(profiles):
        if key.lower() == addon.lower():
            return get_map(profiles, key)
    return None


@dataclass(frozen=True)
class Switch:
    """A setting that is on or off. `flag`: a boolean; `block`: an object whose presence turns it on (classic);
    `text`: the string "true"; with `addon`, the path is inside that azure-native add-on profile."""

    path: str
    style: Literal["flag", "block", "text"] = "flag"
    addon: str | None = None

    @property
    def where(self) -> str:
        """The property path as the provider spells it, for messages."""
        return f"addonProfiles.{self.addon}.{self.path}" if self.addon else self.path

    def state(self, cluster: object) -> bool | None:
        """True or False when set, None when absent (messages tell the two apart)."""
        node = addon_profile(cluster, self.addon) if self.addon else cluster
        if self.addon and node is None:
            return None
        if self.style == "block":
            return None if get_map(node, self.path) is None else True
        if self.style == "text":
            text = get_str(node, self.path)
            return None if text is None else text.lower() == "true"
        return get_bool(node, self.path)

    def on(self, cluster: object) -> bool:
        return self.state(cluster) is True


@dataclass(frozen=True)
class PoolShape:
    """Where a node pool (inline, or its own resource) keeps its settings."""

    names: tuple[str, ...]
    encryption_at_host: str
    node_public_ip: str
    pod_subnet: str
    vm_set_type: str | None
    os_type: str | None = "osType"
    """None: the pool is always Linux (classic `defaultNodePool`)."""
    taints: str | None = "nodeTaints"
    critical_addons_only: str | None = None
    """A boolean that taints the pool CriticalAddonsOnly (classic `defaultNodePool.onlyCriticalAddonsEnabled`)."""
    implied_mode: str | None = None
    """The mode a pool has without a `mode` field (classic `defaultNodePool` is always the System pool)."""

    def paths(self) -> tuple[str, ...]:
        """Every path this shape reads, but the names (a pool has one of them)."""
        own = _paths_of(self, skip={"names", "implied_mode"})
        return (*own, *(() if self.implied_mode else ("mode",)), "osDiskType", "maxPods")


@dataclass(frozen=True)
class ClusterShape:
    """One provider's spelling of every cluster setting a rule reads (paths are camelCase, as on the wire)."""

    provider: str
    cluster_kind: str
    pool_kind: str
    inline_pools: str
    inline_pools_are_list: bool
    inline_pool: PoolShape
    pool: PoolShape
    revisions: str
    plugin_ca: str
    osm: Switch
    virtual_nodes: Switch
    secrets_provider: Switch
    secret_rotation: Switch
    azure_policy: Switch
    http_routing: Switch
    dashboard: Switch | None
    monitoring: tuple[Switch, ...]
    defender: Switch
    rbac: Switch
    local_accounts_disabled: Switch
    private_cluster: Switch
    authorized_ranges: str
    disk_encryption_set: str
    upgrade_channel: str
    sku_tier: str

    def cluster_paths(self) -> tuple[str, ...]:
        """Every cluster-level path this shape reads (inline pool fields under `inline_pools`)."""
        own = _paths_of(self, skip={"provider", "cluster_kind", "pool_kind", "inline_pools", "plugin_ca"})
        return (
            *SHARED_CLUSTER_PATHS,
            *own,
            *(f"{self.plugin_ca}.{name}" for name in sm.PLUGIN_CA_FIELDS),
            *(f"{self.inline_pools}.{p}" for p in self.inline_pool.paths()),
        )


def _paths_of(shape: ClusterShape | PoolShape, skip: set[str]) -> list[str]:
    """The property paths a shape's fields hold (strings, switches, tuples of switches), so a field added to a
    shape is checked against the SDK without a second list to keep in step."""
    paths: list[str] = []
    for spec in dataclasses.fields(shape):
        if spec.name in skip:
            continue
        value = getattr(shape, spec.name)
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, Switch):
                paths.append(item.where)
            elif isinstance(item, str):
                paths.append(item)
    return paths


NATIVE_POOL: Final = PoolShape(
    names=("name", "agentPoolName"),
    encryption_at_host="enableEncryptionAtHost",
    node_public_ip="enableNodePublicIP",
    pod_subnet="podSubnetID",
    vm_set_type="type",
)
AZURE_NATIVE: Final = ClusterShape(
    provider="azure-native",
    cluster_kind=MANAGED_CLUSTER,
    pool_kind=AGENT_POOL,
    inline_pools="agentPoolProfiles",
    inline_pools_are_list=True,
    inline_pool=NATIVE_POOL,
    pool=NATIVE_POOL,
    revisions="serviceMeshProfile.istio.revisions",
    plugin_ca="serviceMeshProfile.istio.certificateAuthority.plugin",
    osm=Switch("enabled", addon=sm.OSM_ADDON),
    virtual_nodes=Switch("enabled", addon=sm.VIRTUAL_NODE_ADDON),
    secrets_provider=Switch("enabled", addon=sm.KEY_VAULT_SECRETS_PROVIDER_ADDON),
    secret_rotation=Switch("config.enableSecretRotation", "text", addon=sm.KEY_VAULT_SECRETS_PROVIDER_ADDON),
    azure_policy=Switch("enabled", addon="azurepolicy"),
    http_routing=Switch("enabled", addon="httpApplicationRouting"),
    dashboard=Switch("enabled", addon="kubeDashboard"),
    # Container insights is the omsagent add-on; azureMonitorProfile.containerInsights exists only in preview APIs.
    monitoring=(Switch("enabled", addon="omsagent"), Switch("azureMonitorProfile.metrics.enabled")),
    defender=Switch("securityProfile.defender.securityMonitoring.enabled"),
    rbac=Switch("enableRBAC"),
    local_accounts_disabled=Switch("disableLocalAccounts"),
    private_cluster=Switch("apiServerAccessProfile.enablePrivateCluster"),
    authorized_ranges="apiServerAccessProfile.authorizedIPRanges",
    disk_encryption_set="diskEncryptionSetID",
    upgrade_channel="autoUpgradeProfile.upgradeChannel",
    sku_tier="sku.tier",
)
# pulumi-azure 6.x: https://www.pulumi.com/registry/packages/azure/api-docs/containerservice/kubernetescluster/
CLASSIC_POOL: Final = PoolShape(
    names=("name",),
    encryption_at_host="hostEncryptionEnabled",
    node_public_ip="nodePublicIpEnabled",
    pod_subnet="podSubnetId",
    vm_set_type=None,  # a KubernetesClusterNodePool is always a scale set
)
CLASSIC: Final = ClusterShape(
    provider="azure (classic)",
    cluster_kind=CLASSIC_CLUSTER,
    pool_kind=CLASSIC_NODE_POOL,
    inline_pools="defaultNodePool",
    inline_pools_are_list=False,
    inline_pool=PoolShape(
        names=("name",),
        encryption_at_host="hostEncryptionEnabled",
        node_public_ip="nodePublicIpEnabled",
        pod_subnet="podSubnetId",
        vm_set_type="type",
        os_type=None,
        taints=None,
        critical_addons_only="onlyCriticalAddonsEnabled",
        implied_mode="System",
    ),
    pool=CLASSIC_POOL,
    revisions="serviceMeshProfile.revisions",
    plugin_ca="serviceMeshProfile.certificateAuthority",
    osm=Switch("openServiceMeshEnabled"),
    virtual_nodes=Switch("aciConnectorLinux", "block"),
    secrets_provider=Switch("keyVaultSecretsProvider", "block"),
    secret_rotation=Switch("keyVaultSecretsProvider.secretRotationEnabled"),
    azure_policy=Switch("azurePolicyEnabled"),
    http_routing=Switch("httpApplicationRoutingEnabled"),
    dashboard=None,  # removed from the provider (and from AKS) before 6.x
    monitoring=(Switch("omsAgent", "block"), Switch("monitorMetrics", "block")),
    defender=Switch("microsoftDefender", "block"),
    rbac=Switch("roleBasedAccessControlEnabled"),
    local_accounts_disabled=Switch("localAccountDisabled"),
    private_cluster=Switch("privateClusterEnabled"),
    authorized_ranges="apiServerAccessProfile.authorizedIpRanges",
    disk_encryption_set="diskEncryptionSetId",
    upgrade_channel="automaticUpgradeChannel",
    sku_tier="skuTier",
)
SHAPES: Final = (AZURE_NATIVE, CLASSIC)
CLUSTER_KINDS: Final = tuple(s.cluster_kind for s in SHAPES)
POOL_KINDS: Final = tuple(s.pool_kind for s in SHAPES)
_BY_KIND: Final = {kind: s for s in SHAPES for kind in (s.cluster_kind, s.pool_kind)}


def shape_of(resource_type: str) -> ClusterShape:
    """The provider shape of a cluster or pool type token (azure-native for anything else)."""
    return _BY_KIND.get(kind_of(resource_type), AZURE_NATIVE)


# --- Mesh ----------------------------------------------------------------------------------------------------------
def istio_enabled(cluster: Props) -> bool:
    """`serviceMeshProfile.mode == Istio` (both providers; case-insensitive, as ARM enums are); Undecidable when
    unknown."""
    mode = get_str(cluster, MESH_MODE)
    return mode is not None and mode.lower() == "istio"


def mesh_revisions(cluster: Props, shape: ClusterShape = AZURE_NATIVE) -> list[str]:
    """The known string entries of the mesh revisions."""
    return [r for r in elements(get_list(cluster, shape.revisions)) if isinstance(r, str)]


def mesh_clusters(resources: Iterable[StackResource]) -> list[StackResource]:
    """Clusters in the stack that run the Istio add-on (or may: an unknown mode counts, never a false pass)."""
    return [c for c in of_kind(resources, CLUSTER_KINDS) if decided(istio_enabled, c.props, True)]


# --- Node pools ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Pool:
    """A node pool's properties with the shape they are spelled in."""

    props: object
    shape: PoolShape

    @property
    def label(self) -> str:
        try:
            return next((n for n in (get_str(self.props, f) for f in self.shape.names) if n), "agentPool")
        except Undecidable:
            return "agentPool"

    def mode(self) -> str | None:
        return self.shape.implied_mode or get_str(self.props, "mode")

    def os_type(self) -> str | None:
        return get_str(self.props, self.shape.os_type) if self.shape.os_type else "Linux"

    def taints(self) -> list[str]:
        listed = get_list(self.props, self.shape.taints) if self.shape.taints else None
        taints = each(listed or [], lambda t: [t] if isinstance(t, str) else [])
        if self.shape.critical_addons_only and get_bool(self.props, self.shape.critical_addons_only) is True:
            taints.append(CRITICAL_ADDONS_ONLY)
        return taints


def node_pools(props: Props, resource_type: str) -> list[Pool]:
    """The pools a resource declares: a cluster's inline pools, or a pool resource itself."""
    shape = shape_of(resource_type)
    if kind_of(resource_type) == shape.pool_kind:
        return [Pool(props, shape.pool)]
    if shape.inline_pools_are_list:
        return [Pool(p, shape.inline_pool) for p in elements(get_list(props, shape.inline_pools))]
    default = get_map(props, shape.inline_pools)
    return [] if default is None else [Pool(default, shape.inline_pool)]
