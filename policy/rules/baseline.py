"""AKS security baselines: every control checkov/trivy/KICS run on AKS, on both Azure providers.

The controls and their ids come from the tools' AKS checks (checkov CKV_AZURE_*, trivy AVD-AZU-*, KICS). They
are opinions a team adopts, not limits of the add-on: advisory with no pack config, and each is its own policy so
every environment can turn up the controls it enforces (policy/config/*.json; docs/policy.md "Defaults").
Cluster controls read through the provider's `ClusterShape` (clusters.py); node-pool controls are in
baseline_pools.py and apply to inline pools and pool resources alike. The controls are one table (22 near-identical
policies written out would be 22 copy-paste twins).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, Severity

from aks_istio.addon.exposure import api_server_open_to_internet

from ._common import MANAGED_CLUSTER, NO_CONFIG, RESOURCE_TYPE, Config, Props, get_list, get_str, set_path
from .baseline_pools import (
    DEFAULT_MIN_PODS,
    encryption_at_host,
    ephemeral_os,
    for_pools,
    max_pods,
    no_public_ip,
    scale_set,
    system_taint,
)
from .clusters import CLUSTER_KINDS, POOL_KINDS, ClusterShape, Switch, shape_of
from .factories import Fix, Meta, resource_policy
from .findings import bad

TAGS: Final = ("aks", "security", "baseline")
AKS_BASELINE_URL: Final = (
    "https://learn.microsoft.com/security/benchmark/azure/baselines/azure-kubernetes-service-aks-security-baseline"
)
Check = Callable[[Props, Config], list[str]]


def _shape(config: Config) -> ClusterShape:
    return shape_of(str(config.get(RESOURCE_TYPE, MANAGED_CLUSTER)))


# --- Cluster controls -------------------------------------------------------------------------------------------
def _switch_on(select: Callable[[ClusterShape], Switch], want: str) -> Check:
    """A control met when the switch is on (absent counts as off)."""

    def check(props: Props, config: Config = NO_CONFIG) -> list[str]:
        switch = select(_shape(config))
        state = switch.state(props)
        return [] if state is True else bad(switch.where, state, want)

    return check


def _switch_off(select: Callable[[ClusterShape], Switch | None]) -> tuple[Check, Fix]:
    """A control met unless the switch is on; the fix turns it off."""

    def check(props: Props, config: Config = NO_CONFIG) -> list[str]:
        switch = select(_shape(config))
        if switch is not None and switch.on(props):
            return bad(switch.where, True, "turn it off (or remove it)")
        return []

    def fix(props: Props, config: Config = NO_CONFIG) -> bool:
        # Turning an insecure, retired add-on off changes nothing a workload depends on: a safe remediation.
        switch = select(_shape(config))
        if switch is None or not check(props, config):
            return False
        return set_path(props, switch.where, False)

    return check, fix


def check_rbac(props: Props, config: Config = NO_CONFIG) -> list[str]:
    switch = _shape(config).rbac
    value = switch.state(props)  # absent: both providers default to RBAC on
    return bad(switch.where, value, "set it to true (Kubernetes RBAC)") if value is False else []


def check_private_cluster(props: Props, config: Config = NO_CONFIG) -> list[str]:
    switch = _shape(config).private_cluster
    state = switch.state(props)
    return [] if state is True else bad(switch.where, state, "set it to true (API server on a private IP)")


def check_authorized_ranges(props: Props, config: Config = NO_CONFIG) -> list[str]:
    """A public API server limited to authorized ranges; a range of the whole address space (0.0.0.0/0, ::/0) is
    no restriction (aks_istio.addon.exposure, the judgement config validation uses too). An entry known only after
    apply counts as a restriction."""
    shape = _shape(config)
    ranges = get_list(props, shape.authorized_ranges)
    known = [str(value) for value in ranges or []]
    reason = api_server_open_to_internet(known, private_cluster=shape.private_cluster.on(props))
    if reason is None:
        return []
    want = f"{reason}; list the office/CI CIDRs that may reach the public API server there, or make it private"
    return bad(shape.authorized_ranges, ranges, want)


def check_network_policy(props: Props, config: Config = NO_CONFIG) -> list[str]:
    value = get_str(props, "networkProfile.networkPolicy")
    want = "set it to cilium, azure or calico"
    return bad("networkProfile.networkPolicy", value, want) if value in (None, "none") else []


def check_disk_encryption_set(props: Props, config: Config = NO_CONFIG) -> list[str]:
    path = _shape(config).disk_encryption_set
    value = get_str(props, path)
    return (
        []
        if value
        else bad(path, value, "encrypt OS and data disks with a customer-managed key (disk encryption set id)")
    )


def check_monitoring(props: Props, config: Config = NO_CONFIG) -> list[str]:
    switches = _shape(config).monitoring
    if any(s.on(props) for s in switches):
        return []
    paths = ", ".join(s.where for s in switches)
    return [f"none of {paths} is on; turn one on to ship logs and metrics to Azure Monitor."]


def check_managed_identity(props: Props, config: Config = NO_CONFIG) -> list[str]:
    value = get_str(props, "identity.type")
    if value is not None and value.lower() in ("systemassigned", "userassigned"):
        return []
    return bad("identity.type", value, "use SystemAssigned or UserAssigned (no service principal secrets)")


def _rotation_off(props: Props, shape: ClusterShape) -> bool:
    return shape.secrets_provider.on(props) and not shape.secret_rotation.on(props)


def check_secret_rotation(props: Props, config: Config = NO_CONFIG) -> list[str]:
    shape = _shape(config)
    if not _rotation_off(props, shape):
        return []
    rotation = shape.secret_rotation
    want = "turn it on so rotated Key Vault secrets (and plug-in CA certs) are picked up"
    return bad(rotation.where, rotation.state(props), want)


def fix_secret_rotation(props: Props, config: Config = NO_CONFIG) -> bool:
    # Rotation only polls Key Vault for new versions; it never removes a mounted secret: safe to switch on.
    shape = _shape(config)
    rotation = shape.secret_rotation
    value: object = "true" if rotation.style == "text" else True
    return _rotation_off(props, shape) and set_path(props, rotation.where, value)


def check_upgrade_channel(props: Props, config: Config = NO_CONFIG) -> list[str]:
    path = _shape(config).upgrade_channel
    value = get_str(props, path)
    return (
        bad(path, value, "set an upgrade channel: patch, stable, rapid or node-image")
        if value in (None, "none")
        else []
    )


def check_paid_sku(props: Props, config: Config = NO_CONFIG) -> list[str]:
    path = _shape(config).sku_tier
    value = get_str(props, path)
    return [] if value in ("Standard", "Premium") else bad(path, value, "use Standard or Premium (uptime SLA)")


def check_azure_cni(props: Props, config: Config = NO_CONFIG) -> list[str]:
    value = get_str(props, "networkProfile.networkPlugin")
    return [] if value == "azure" else bad("networkProfile.networkPlugin", value, "use azure (Azure CNI, e.g. overlay)")


check_local_accounts = _switch_on(
    lambda s: s.local_accounts_disabled, "set it to true so only Entra ID identities reach the API server"
)
check_azure_policy = _switch_on(lambda s: s.azure_policy, "turn on the Azure Policy add-on")
check_defender = _switch_on(
    lambda s: s.defender, "turn on Microsoft Defender for Containers (with its Log Analytics workspace)"
)
check_http_routing, fix_http_routing = _switch_off(lambda s: s.http_routing)
check_dashboard, fix_dashboard = _switch_off(lambda s: s.dashboard)


@dataclass(frozen=True)
class Control:
    name: str
    description: str
    ids: str
    """checkov / trivy / KICS ids of the same control."""
    check: Check
    severity: Severity = Severity.HIGH
    fix: Fix | None = None
    pools: bool = False
    enforcement: EnforcementLevel = EnforcementLevel.ADVISORY
    config: tuple[tuple[str, dict[str, object]], ...] = ()


CONTROLS: Final = (
    Control("managedcluster-rbac-enabled", "Kubernetes RBAC is enabled.", "CKV_AZURE_5, AVD-AZU-0042", check_rbac),
    Control(
        "managedcluster-local-accounts-disabled",
        "Local (certificate) accounts are disabled so every API call is an Entra ID identity.",
        "CKV_AZURE_141",
        check_local_accounts,
    ),
    Control(
        "managedcluster-private-api-server",
        "The API server is private.",
        "CKV_AZURE_115, AVD-AZU-0065",
        check_private_cluster,
    ),
    Control(
        "managedcluster-api-authorized-ip-ranges",
        "A public API server accepts only authorized IP ranges.",
        "CKV_AZURE_6, AVD-AZU-0041",
        check_authorized_ranges,
        Severity.CRITICAL,
    ),
    Control(
        "managedcluster-network-policy",
        "A network policy engine is enabled.",
        "CKV_AZURE_7, AVD-AZU-0043",
        check_network_policy,
    ),
    Control(
        "managedcluster-azure-policy-addon",
        "The Azure Policy add-on is enabled.",
        "CKV_AZURE_116, AVD-AZU-0066",
        check_azure_policy,
        Severity.MEDIUM,
    ),
    Control(
        "managedcluster-disk-encryption-set",
        "Disks are encrypted with a customer-managed key (disk encryption set).",
        "CKV_AZURE_117, AVD-AZU-0067",
        check_disk_encryption_set,
        Severity.MEDIUM,
    ),
    Control(
        "agentpool-encryption-at-host",
        "Node pools encrypt temp disks and caches at the host.",
        "CKV_AZURE_227",
        for_pools(encryption_at_host),
        pools=True,
    ),
    Control(
        "managedcluster-azure-monitor",
        "Logs or metrics go to Azure Monitor.",
        "CKV_AZURE_4, AVD-AZU-0040",
        check_monitoring,
        Severity.MEDIUM,
    ),
    Control(
        "managedcluster-defender-enabled",
        "Microsoft Defender for Containers monitors the cluster.",
        "CKV_AZURE_85",
        check_defender,
        Severity.MEDIUM,
    ),
    Control(
        "agentpool-no-node-public-ip",
        "Nodes have no public IP addresses.",
        "CKV_AZURE_143",
        for_pools(no_public_ip),
        pools=True,
    ),
    Control(
        "managedcluster-managed-identity",
        "The cluster uses a managed identity.",
        "KICS 9b0140d1",
        check_managed_identity,
    ),
    Control(
        "managedcluster-secret-rotation",
        "The Key Vault secrets provider rotates secrets.",
        "CKV_AZURE_172",
        check_secret_rotation,
        Severity.MEDIUM,
        fix=fix_secret_rotation,
    ),
    Control(
        "managedcluster-upgrade-channel",
        "An automatic upgrade channel is set.",
        "CKV_AZURE_171",
        check_upgrade_channel,
        Severity.MEDIUM,
    ),
    Control(
        "managedcluster-paid-sku",
        "The cluster runs on a tier with an uptime SLA.",
        "CKV_AZURE_170",
        check_paid_sku,
        Severity.MEDIUM,
    ),
    Control(
        "agentpool-system-pool-critical-addons-only",
        "System node pools are tainted so only critical pods run there.",
        "CKV_AZURE_232",
        for_pools(system_taint),
        Severity.MEDIUM,
        pools=True,
    ),
    Control(
        "agentpool-ephemeral-os-disk",
        "Node pools use ephemeral OS disks.",
        "CKV_AZURE_226",
        for_pools(ephemeral_os),
        Severity.LOW,
        pools=True,
    ),
    Control(
        "managedcluster-http-application-routing-disabled",
        "The retired HTTP application routing add-on is off.",
        "CKV_AZURE_246",
        check_http_routing,
        fix=fix_http_routing,
    ),
    Control(
        "managedcluster-kube-dashboard-disabled",
        "The Kubernetes dashboard add-on is off.",
        "CKV_AZURE_8, KICS c62d3b92",
        check_dashboard,
        fix=fix_dashboard,
    ),
    Control(
        "agentpool-max-pods",
        "Node pools allow at least 50 pods per node.",
        "CKV_AZURE_168",
        for_pools(max_pods),
        Severity.LOW,
        pools=True,
        config=(
            ("minimum", {"type": "integer", "default": DEFAULT_MIN_PODS, "description": "Lowest acceptable maxPods."}),
        ),
    ),
    Control(
        "agentpool-scale-set",
        "Node pools are virtual machine scale sets.",
        "CKV_AZURE_169",
        for_pools(scale_set),
        Severity.LOW,
        pools=True,
    ),
    Control(
        "managedcluster-azure-cni",
        "The cluster uses Azure CNI.",
        "CKV2_AZURE_29",
        check_azure_cni,
        Severity.MEDIUM,
    ),
)


def _policy(control: Control) -> ResourceValidationPolicy:
    meta = Meta(
        control.name,
        control.description,
        control.severity,
        f"See the message for the field and value to set. Same control as {control.ids}.",
        AKS_BASELINE_URL,
        TAGS,
        control.enforcement,
        dict(control.config),
    )
    kinds = (*CLUSTER_KINDS, *POOL_KINDS) if control.pools else CLUSTER_KINDS
    return resource_policy(meta, kinds, control.check, control.fix)


POLICIES: Final = tuple(_policy(c) for c in CONTROLS)
