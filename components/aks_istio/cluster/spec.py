"""Pure functions that build the ManagedCluster and AgentPool payloads from the cluster's values.

Nothing here declares a resource, so every payload can be checked without Pulumi's runtime. Field names are
the azure-native SDK's snake_case, which the provider sends to ARM as the camelCase names of API 2025-09-01.

Source keys (AKSDOCS, SUPP, MONDOCS, PROMCOL, BT, CLI) as in `aks_istio.addon.support_matrix`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from aks_istio.addon import support_matrix as sm
from aks_istio.azure.vm_sizes import DEFAULT_MANAGED_OS_DISK_GIB, ephemeral_capacity_gib
from aks_istio.cluster.values import (
    ClusterSpec,
    EgressGatewayRef,
    EgressPool,
    KubeStateMetrics,
    NodePool,
    OsDiskType,
    UpgradeChannel,
)
from aks_istio.mesh.plugin_ca import PluginCaSource

SYSTEM_POOL_TAINT = "CriticalAddonsOnly=true:NoSchedule"
# The secrets provider re-reads Key Vault on this schedule, which is how a rotated plug-in CA reaches istiod
# (https://learn.microsoft.com/azure/aks/istio-plugin-ca: auto-rotation must be on).
KEYVAULT_ADDON = sm.KEY_VAULT_SECRETS_PROVIDER_ADDON
# The add-on's own default poll interval (https://learn.microsoft.com/azure/aks/csi-secrets-store-configuration-options).
DEFAULT_ROTATION_POLL_INTERVAL = "2m"


def os_disk_size_gb(pool: NodePool) -> int:
    if pool.os_disk_size_gb is not None:
        return pool.os_disk_size_gb
    if pool.effective_os_disk_type == OsDiskType.EPHEMERAL:
        capacity = ephemeral_capacity_gib(pool.vm_size) or DEFAULT_MANAGED_OS_DISK_GIB
        return min(capacity, DEFAULT_MANAGED_OS_DISK_GIB)
    return DEFAULT_MANAGED_OS_DISK_GIB


def pool_fields(pool: NodePool, *, mode: str, subnet_id: pulumi.Input[str]) -> dict[str, Any]:
    """The fields an inline agentPoolProfile and a separate AgentPool share."""
    taints = list(pool.taints)
    if mode == "System" and SYSTEM_POOL_TAINT not in taints:
        taints.insert(0, SYSTEM_POOL_TAINT)
    fields: dict[str, Any] = {
        "mode": mode,
        "vm_size": pool.vm_size,
        "os_type": "Linux",
        "os_sku": pool.os_sku.value,
        "os_disk_type": pool.effective_os_disk_type.value,
        "os_disk_size_gb": os_disk_size_gb(pool),
        "type": "VirtualMachineScaleSets",
        "enable_auto_scaling": True,
        "count": pool.min_count if pool.min_count > 0 else 1,
        "min_count": pool.min_count,
        "max_count": pool.max_count,
        "max_pods": pool.max_pods,
        "enable_node_public_ip": False,
        "enable_encryption_at_host": pool.encryption_at_host,
        "vnet_subnet_id": subnet_id,
        "node_taints": taints,
        "upgrade_settings": {"max_surge": "33%"},
    }
    if pool.zones:
        fields["availability_zones"] = list(pool.zones)
    if pool.labels:
        fields["node_labels"] = dict(pool.labels)
    return fields


def system_pool_profile(settings: ClusterSpec, subnet_id: pulumi.Input[str]) -> dict[str, Any]:
    pool = settings.system_pool
    assert pool is not None, "AksIstioClusterArgs refuses a cluster without a system pool"
    return {"name": pool.name, **pool_fields(pool, mode="System", subnet_id=subnet_id)}


def network_profile(settings: ClusterSpec, *, static_egress: bool = False) -> dict[str, Any]:
    net = settings.network
    profile: dict[str, Any] = {
        "network_plugin": "azure",
        "network_plugin_mode": "overlay",
        "network_dataplane": net.dataplane.value,
        "network_policy": net.network_policy.value,
        "pod_cidr": net.pod_cidr,
        "service_cidr": net.service_cidr,
        "dns_service_ip": net.dns_service_ip,
        "outbound_type": net.outbound_type.value,
        "load_balancer_sku": "standard",
    }
    if static_egress:
        # Istio egress gateways ride on Static Egress Gateway
        # (https://learn.microsoft.com/azure/aks/istio-deploy-egress); the field is in
        # ARM since 2025-04-01, so azure-native's default 2025-09-01 carries it.
        profile["static_egress_gateway_profile"] = {"enabled": True}
    return profile


def service_mesh_profile(
    revisions: Sequence[str],
    *,
    internal_ingress: bool,
    external_ingress: bool,
    plugin_ca: PluginCaSource | None = None,
    plugin_ca_key_vault_id: pulumi.Input[str] | None = None,
    egress_gateways: Sequence[EgressGatewayRef] = (),
) -> dict[str, Any]:
    """`serviceMeshProfile`: mode Istio, pinned revisions, ingress and egress gateways, plug-in CA."""
    istio: dict[str, Any] = {
        "revisions": list(revisions),
        "components": {
            "ingress_gateways": [
                {"mode": "Internal", "enabled": internal_ingress},
                {"mode": "External", "enabled": external_ingress},
            ],
        },
    }
    if egress_gateways:
        istio["components"]["egress_gateways"] = egress_gateway_profiles(egress_gateways)
    if plugin_ca is not None and plugin_ca_key_vault_id is not None:
        istio["certificate_authority"] = {"plugin": plugin_ca_fields(plugin_ca, plugin_ca_key_vault_id)}
    return {"mode": "Istio", "istio": istio}


def egress_gateway_profiles(gateways: Sequence[EgressGatewayRef]) -> list[dict[str, Any]]:
    """`istio.components.egressGateways`: name, namespace and the StaticGatewayConfiguration each one uses.

    `gatewayConfigurationName` is optional in the schema but "must be specified when enabling" (BT 2025-09-01
    IstioEgressGateway; CLI enable-egress-gateway requires it); the SGC must sit in the gateway's namespace.
    """
    return [
        {
            "enabled": True,
            "name": gateway.name,
            "namespace": gateway.namespace,
            "gateway_configuration_name": gateway.configuration_name,
        }
        for gateway in gateways
    ]


def gateway_pool_fields(pool: EgressPool, *, subnet_id: pulumi.Input[str]) -> dict[str, Any]:
    """A Static Egress Gateway pool: mode Gateway, a fixed node count (no cluster autoscaler on gateway pools),
    Linux, and the size of the public IP prefix its nodes egress from (https://learn.microsoft.com/azure/aks/configure-static-egress-gateway).
    """
    fields: dict[str, Any] = {
        "mode": sm.GATEWAY_POOL_MODE,
        "vm_size": pool.vm_size,
        "os_type": "Linux",
        "os_sku": "AzureLinux",
        "type": "VirtualMachineScaleSets",
        "enable_encryption_at_host": True,
        "enable_auto_scaling": False,
        "count": pool.count,
        "enable_node_public_ip": False,
        "vnet_subnet_id": subnet_id,
        "gateway_profile": {"public_ip_prefix_size": pool.public_ip_prefix_size},
    }
    capacity = ephemeral_capacity_gib(pool.vm_size)
    if capacity is not None:
        fields |= {"os_disk_type": "Ephemeral", "os_disk_size_gb": min(capacity, DEFAULT_MANAGED_OS_DISK_GIB)}
    else:
        fields |= {"os_disk_type": "Managed", "os_disk_size_gb": DEFAULT_MANAGED_OS_DISK_GIB}
    if pool.zones:
        fields["availability_zones"] = list(pool.zones)
    return fields


def plugin_ca_fields(ca: PluginCaSource, key_vault_id: pulumi.Input[str]) -> dict[str, Any]:
    return {
        "key_vault_id": key_vault_id,
        "cert_object_name": ca.cert_object_name,
        "key_object_name": ca.key_object_name,
        "root_cert_object_name": ca.root_cert_object_name,
        "cert_chain_object_name": ca.cert_chain_object_name,
    }


def addon_profiles(settings: ClusterSpec, plugin_ca: PluginCaSource | None) -> dict[str, Any]:
    profiles: dict[str, Any] = {"azurepolicy": {"enabled": settings.azure_policy}}
    # The CSI secrets provider is what mounts the plug-in CA into istiod; without it the RP refuses the CA
    # ("AzureKeyvaultSecretsProvider addon is required ...", SUPP general troubleshooting). Apps' ingress
    # certificates ride on it too (https://learn.microsoft.com/azure/aks/istio-secure-gateway), by their own opt-in;
    # rotation keeps a renewed certificate flowing into the synced Secret.
    if plugin_ca is not None or settings.key_vault_secrets_provider:
        poll = plugin_ca.rotation_poll_interval if plugin_ca is not None else DEFAULT_ROTATION_POLL_INTERVAL
        profiles[KEYVAULT_ADDON] = {
            "enabled": True,
            "config": {"enableSecretRotation": "true", "rotationPollInterval": poll},
        }
    return profiles


def aad_profile(settings: ClusterSpec) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "managed": True,
        "enable_azure_rbac": True,
        "admin_group_object_ids": [str(g) for g in settings.entra.admin_group_object_ids],
    }
    if settings.entra.tenant_id is not None:
        profile["tenant_id"] = str(settings.entra.tenant_id)
    return profile


def api_server_access_profile(settings: ClusterSpec) -> dict[str, Any]:
    access = settings.api_server
    if access.private_cluster:
        return {"enable_private_cluster": True}
    return {"authorized_ip_ranges": list(access.authorized_ip_ranges)}


def security_profile(settings: ClusterSpec) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "workload_identity": {"enabled": True},
        "image_cleaner": {"enabled": True, "interval_hours": 48},
    }
    if settings.defender_workspace_id is not None:
        profile["defender"] = {
            "log_analytics_workspace_resource_id": settings.defender_workspace_id,
            "security_monitoring": {"enabled": True},
        }
    return profile


def auto_upgrade_profile(settings: ClusterSpec) -> dict[str, Any]:
    return {
        "upgrade_channel": settings.upgrade.channel.value,
        "node_os_upgrade_channel": settings.upgrade.node_os_channel.value,
    }


def minor_upgrades_are_automatic(settings: ClusterSpec) -> bool:
    """stable/rapid move the cluster to new minors by themselves; patch/node-image/none never change the minor."""
    return UpgradeChannel(settings.upgrade.channel).moves_minor


def cluster_ignore_changes(settings: ClusterSpec) -> list[str]:
    """Fields the platform changes by itself, so they never show as a diff or get reverted."""
    ignored = ["agentPoolProfiles[*].count"]  # the cluster autoscaler owns node counts
    if minor_upgrades_are_automatic(settings):
        ignored += ["kubernetesVersion", "agentPoolProfiles[*].orchestratorVersion"]
    return ignored


def agent_pool_ignore_changes(settings: ClusterSpec) -> list[str]:
    ignored = ["count"]
    if minor_upgrades_are_automatic(settings):
        ignored.append("orchestratorVersion")
    return ignored


def maintenance_configurations(settings: ClusterSpec) -> Mapping[str, dict[str, Any]]:
    """The three planned-maintenance configurations AKS reads, all on one weekly window.

    `default` is the window the add-on's istiod/gateway patch rollouts respect (https://learn.microsoft.com/azure/aks/istio-upgrade
    §Patch version upgrade); the `aksManaged*` ones gate the auto-upgrade channels.
    """
    window = settings.upgrade.maintenance_window
    weekly = {
        "schedule": {"weekly": {"day_of_week": window.day_of_week.value, "interval_weeks": 1}},
        "duration_hours": window.duration_hours,
        "start_time": f"{window.start_hour:02d}:00",
        "utc_offset": window.utc_offset,
    }
    # `default` counts whole hours within one day, so a window that runs past midnight is cut there.
    hours = list(range(window.start_hour, min(24, window.start_hour + window.duration_hours)))
    configs: dict[str, dict[str, Any]] = {
        "default": {"time_in_week": [{"day": window.day_of_week.value, "hour_slots": hours}]},
    }
    if settings.upgrade.channel != "none":
        configs["aksManagedAutoUpgradeSchedule"] = {"maintenance_window": weekly}
    if settings.upgrade.node_os_channel not in ("None", "Unmanaged"):
        configs["aksManagedNodeOSUpgradeSchedule"] = {"maintenance_window": weekly}
    return configs


def azure_monitor_profile(kube_state_metrics: KubeStateMetrics | None) -> dict[str, Any]:
    """`azureMonitorProfile.metrics`: on exactly when the observability chain (with its DCR associations) exists,
    i.e. when `kube_state_metrics` is given.

    Off is sent explicitly, so turning observability off also removes the ama-metrics pods. kube-state-metrics
    allowlists are `resource=[key,...]` lists joined by commas (PROMCOL nested_azuremonitormetrics_profile_*.bicep;
    note the ARM casing `metricLabelsAllowlist` vs `metricAnnotationsAllowList`).
    """
    if kube_state_metrics is None:
        return {"metrics": {"enabled": False}}
    ksm = kube_state_metrics
    return {
        "metrics": {
            "enabled": True,
            "kube_state_metrics": {
                "metric_labels_allowlist": _ksm_allowlist(ksm.labels_allowlist),
                "metric_annotations_allow_list": _ksm_allowlist(ksm.annotations_allowlist),
            },
        }
    }


def _ksm_allowlist(entries: Mapping[str, Sequence[str]]) -> str:
    return ",".join(f"{resource}=[{','.join(keys)}]" for resource, keys in entries.items())
