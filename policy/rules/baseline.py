"""AKS security baselines: every control checkov/trivy/KICS run on AKS, on azure-native resources.

The control list, IDs and fields are ../shared/reference/security-baselines.md. Node-pool controls apply to both
the inline `agentPoolProfiles` of a ManagedCluster and separate `AgentPool` resources. The controls are one table
(22 near-identical policies written out would be 22 copy-paste twins); each still becomes its own policy so every
environment can set its own enforcement level per control.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, Severity

from aks_istio.addon import support_matrix as sm

from ._common import (
    AGENT_POOL,
    MANAGED_CLUSTER,
    NO_CONFIG,
    RESOURCE_TYPE,
    Config,
    Fix,
    Meta,
    Props,
    addon_enabled,
    addon_profile,
    each,
    get_bool,
    get_int,
    get_list,
    get_str,
    node_pools,
    pool_label,
    resource_policy,
    set_path,
)

TAGS: Final = ("aks", "security", "baseline")
AKS_BASELINE_URL: Final = (
    "https://learn.microsoft.com/security/benchmark/azure/baselines/azure-kubernetes-service-aks-security-baseline"
)
CriticalAddonsOnly: Final = "CriticalAddonsOnly=true:NoSchedule"


def _bad(path: str, value: object, want: str) -> list[str]:
    return [f"{path} is {'not set' if value is None else repr(value)}; {want}."]


# --- Cluster controls -------------------------------------------------------------------------------------------
def check_rbac(props: Props, config: Config = NO_CONFIG) -> list[str]:
    value = get_bool(props, "enableRBAC")
    return _bad("enableRBAC", value, "set it to true (Kubernetes RBAC)") if value is False else []


def check_local_accounts(props: Props, config: Config = NO_CONFIG) -> list[str]:
    value = get_bool(props, "disableLocalAccounts")
    want = "set it to true so only Entra ID identities reach the API server (with aadProfile.managed)"
    return [] if value is True else _bad("disableLocalAccounts", value, want)


def _private(props: Props) -> bool:
    return get_bool(props, "apiServerAccessProfile.enablePrivateCluster") is True


def check_private_cluster(props: Props, config: Config = NO_CONFIG) -> list[str]:
    if _private(props):
        return []
    return _bad("apiServerAccessProfile.enablePrivateCluster", None, "set it to true (API server on a private IP)")


def check_authorized_ranges(props: Props, config: Config = NO_CONFIG) -> list[str]:
    ranges = get_list(props, "apiServerAccessProfile.authorizedIPRanges")
    if _private(props) or (ranges is not None and len(ranges) > 0):
        return []
    want = "a public API server must list apiServerAccessProfile.authorizedIPRanges (office/CI CIDRs), or be private"
    return _bad("apiServerAccessProfile.authorizedIPRanges", list(ranges or []), want)


def check_network_policy(props: Props, config: Config = NO_CONFIG) -> list[str]:
    value = get_str(props, "networkProfile.networkPolicy")
    want = "set networkProfile.networkPolicy to cilium, azure or calico"
    return _bad("networkProfile.networkPolicy", value, want) if value in (None, "none") else []


def _addon_on(addon: str, path: str, want: str) -> Callable[[Props, Config], list[str]]:
    def check(props: Props, config: Config = NO_CONFIG) -> list[str]:
        return [] if addon_enabled(props, addon) else _bad(path, False, want)

    return check


def _addon_off(addon: str) -> tuple[Callable[[Props, Config], list[str]], Fix]:
    def check(props: Props, config: Config = NO_CONFIG) -> list[str]:
        if addon_enabled(props, addon):
            return _bad(f"addonProfiles.{addon}.enabled", True, "set it to false (or remove the add-on profile)")
        return []

    def fix(props: Props, config: Config = NO_CONFIG) -> bool:
        # Turning an insecure, retired add-on off changes nothing a workload depends on: a safe remediation.
        return bool(check(props, config)) and set_path(props, f"addonProfiles.{addon}.enabled", False)

    return check, fix


def check_disk_encryption_set(props: Props, config: Config = NO_CONFIG) -> list[str]:
    if get_str(props, "diskEncryptionSetID"):
        return []
    return _bad(
        "diskEncryptionSetID", None, "encrypt OS and data disks with a customer-managed key (disk encryption set id)"
    )


def check_monitoring(props: Props, config: Config = NO_CONFIG) -> list[str]:
    if addon_enabled(props, "omsagent") or any(
        get_bool(props, f"azureMonitorProfile.{part}.enabled") is True for part in ("metrics", "containerInsights")
    ):
        return []
    want = "enable azureMonitorProfile.metrics/containerInsights or addonProfiles.omsagent to ship logs and metrics"
    return _bad("azureMonitorProfile", None, want)


def check_defender(props: Props, config: Config = NO_CONFIG) -> list[str]:
    if get_bool(props, "securityProfile.defender.securityMonitoring.enabled") is True:
        return []
    want = "enable Microsoft Defender for Containers (with securityProfile.defender.logAnalyticsWorkspaceResourceId)"
    return _bad("securityProfile.defender.securityMonitoring.enabled", None, want)


def check_managed_identity(props: Props, config: Config = NO_CONFIG) -> list[str]:
    value = get_str(props, "identity.type")
    if value is not None and value.lower() in ("systemassigned", "userassigned"):
        return []
    return _bad("identity.type", value, "use SystemAssigned or UserAssigned (no service principal secrets)")


def _rotation_off(props: Props) -> bool:
    profile = addon_profile(props, sm.KEY_VAULT_SECRETS_PROVIDER_ADDON)
    if not addon_enabled(props, sm.KEY_VAULT_SECRETS_PROVIDER_ADDON) or profile is None:
        return False
    return (get_str(profile, "config.enableSecretRotation") or "false").lower() != "true"


def check_secret_rotation(props: Props, config: Config = NO_CONFIG) -> list[str]:
    if not _rotation_off(props):
        return []
    path = f"addonProfiles.{sm.KEY_VAULT_SECRETS_PROVIDER_ADDON}.config.enableSecretRotation"
    return _bad(path, "false", "set it to 'true' so rotated Key Vault secrets (and plug-in CA certs) are picked up")


def fix_secret_rotation(props: Props, config: Config = NO_CONFIG) -> bool:
    # Rotation only polls Key Vault for new versions; it never removes a mounted secret: safe to switch on.
    path = f"addonProfiles.{sm.KEY_VAULT_SECRETS_PROVIDER_ADDON}.config.enableSecretRotation"
    return _rotation_off(props) and set_path(props, path, "true")


def check_upgrade_channel(props: Props, config: Config = NO_CONFIG) -> list[str]:
    value = get_str(props, "autoUpgradeProfile.upgradeChannel")
    want = "set autoUpgradeProfile.upgradeChannel to patch, stable, rapid or node-image"
    return _bad("autoUpgradeProfile.upgradeChannel", value, want) if value in (None, "none") else []


def check_paid_sku(props: Props, config: Config = NO_CONFIG) -> list[str]:
    value = get_str(props, "sku.tier")
    return [] if value in ("Standard", "Premium") else _bad("sku.tier", value, "use Standard or Premium (uptime SLA)")


def check_azure_cni(props: Props, config: Config = NO_CONFIG) -> list[str]:
    value = get_str(props, "networkProfile.networkPlugin")
    return (
        [] if value == "azure" else _bad("networkProfile.networkPlugin", value, "use azure (Azure CNI, e.g. overlay)")
    )


# --- Node-pool controls (inline pools and AgentPool resources) ------------------------------------------------
PoolCheck = Callable[[object, Config], list[str]]


def _encryption_at_host(pool: object, config: Config) -> list[str]:
    value = get_bool(pool, "enableEncryptionAtHost")
    return [] if value is True else _bad("enableEncryptionAtHost", value, "set it to true")


def _no_public_ip(pool: object, config: Config) -> list[str]:
    value = get_bool(pool, "enableNodePublicIP")
    return _bad("enableNodePublicIP", value, "set it to false; reach nodes through the VNet") if value is True else []


def _system_taint(pool: object, config: Config) -> list[str]:
    if (get_str(pool, "mode") or "").lower() != "system":
        return []
    taints = [t for t in each(get_list(pool, "nodeTaints") or [], lambda t: [t] if isinstance(t, str) else [])]
    if CriticalAddonsOnly in taints:
        return []
    return _bad("nodeTaints", taints, f"system pools carry {CriticalAddonsOnly} so only critical pods land there")


def _ephemeral_os(pool: object, config: Config) -> list[str]:
    value = get_str(pool, "osDiskType")
    return [] if value == "Ephemeral" else _bad("osDiskType", value, "use Ephemeral OS disks")


def _max_pods(pool: object, config: Config) -> list[str]:
    value, minimum = get_int(pool, "maxPods"), int(config.get("minimum", 50))
    return (
        _bad("maxPods", value, f"allow at least {minimum} pods per node")
        if value is not None and value < minimum
        else []
    )


def _scale_set(pool: object, config: Config) -> list[str]:
    value = get_str(pool, "type")
    return [] if value in (None, "VirtualMachineScaleSets") else _bad("type", value, "use VirtualMachineScaleSets")


def _for_pools(check: PoolCheck) -> Callable[[Props, Config], list[str]]:
    def run(props: Props, config: Config = NO_CONFIG) -> list[str]:
        pools = node_pools(props, str(config.get(RESOURCE_TYPE, MANAGED_CLUSTER)))
        return each(pools, lambda pool: [f"node pool {pool_label(pool)!r}: {m}" for m in check(pool, config)])

    return run


@dataclass(frozen=True)
class Control:
    name: str
    description: str
    ids: str
    """checkov / trivy / KICS ids of the same control (security-baselines.md)."""
    check: Callable[[Props, Config], list[str]]
    severity: Severity = Severity.HIGH
    fix: Fix | None = None
    pools: bool = False
    enforcement: EnforcementLevel = EnforcementLevel.MANDATORY
    config: tuple[tuple[str, dict[str, object]], ...] = ()


_HTTP_ROUTING, _HTTP_ROUTING_FIX = _addon_off("httpApplicationRouting")
_DASHBOARD, _DASHBOARD_FIX = _addon_off("kubeDashboard")

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
        _addon_on("azurepolicy", "addonProfiles.azurepolicy.enabled", "enable the Azure Policy add-on"),
        Severity.MEDIUM,
    ),
    Control(
        "managedcluster-disk-encryption-set",
        "Disks are encrypted with a customer-managed key (disk encryption set).",
        "CKV_AZURE_117, AVD-AZU-0067",
        check_disk_encryption_set,
        Severity.MEDIUM,
        enforcement=EnforcementLevel.ADVISORY,
    ),
    Control(
        "agentpool-encryption-at-host",
        "Node pools encrypt temp disks and caches at the host.",
        "CKV_AZURE_227",
        _for_pools(_encryption_at_host),
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
        enforcement=EnforcementLevel.ADVISORY,
    ),
    Control(
        "agentpool-no-node-public-ip",
        "Nodes have no public IP addresses.",
        "CKV_AZURE_143",
        _for_pools(_no_public_ip),
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
        _for_pools(_system_taint),
        Severity.MEDIUM,
        pools=True,
    ),
    Control(
        "agentpool-ephemeral-os-disk",
        "Node pools use ephemeral OS disks.",
        "CKV_AZURE_226",
        _for_pools(_ephemeral_os),
        Severity.LOW,
        pools=True,
    ),
    Control(
        "managedcluster-http-application-routing-disabled",
        "The retired HTTP application routing add-on is off.",
        "CKV_AZURE_246",
        _HTTP_ROUTING,
        fix=_HTTP_ROUTING_FIX,
    ),
    Control(
        "managedcluster-kube-dashboard-disabled",
        "The Kubernetes dashboard add-on is off.",
        "CKV_AZURE_8, KICS c62d3b92",
        _DASHBOARD,
        fix=_DASHBOARD_FIX,
    ),
    Control(
        "agentpool-max-pods",
        "Node pools allow at least 50 pods per node.",
        "CKV_AZURE_168",
        _for_pools(_max_pods),
        Severity.LOW,
        pools=True,
        config=(("minimum", {"type": "integer", "default": 50, "description": "Lowest acceptable maxPods."}),),
    ),
    Control(
        "agentpool-scale-set",
        "Node pools are virtual machine scale sets.",
        "CKV_AZURE_169",
        _for_pools(_scale_set),
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
    kinds = (MANAGED_CLUSTER, AGENT_POOL) if control.pools else (MANAGED_CLUSTER,)
    return resource_policy(meta, kinds, control.check, control.fix)


POLICIES: Final = tuple(_policy(c) for c in CONTROLS)
