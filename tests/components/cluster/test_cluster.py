"""AksIstioCluster: what ARM receives for the cluster, its pools and its grants, per environment preset."""

from __future__ import annotations

import functools

import pytest

from aks_istio import AksIstioCluster, AksIstioClusterArgs, ClusterSpec, ClusterTier, NodePool, OsDiskType
from aks_istio.addon import support_matrix as sm
from aks_istio.offline.capture import Capture, Secret
from tests.support import (
    AGENT_POOL,
    MANAGED_CLUSTER,
    ROLE_ASSIGNMENT,
    capture_program,
    capture_stack,
    merge,
    one,
    raw_platform,
)


@functools.cache
def stack(name: str) -> Capture:
    return capture_stack(name)


def cluster(name: str) -> dict:
    return one(stack(name), MANAGED_CLUSTER).inputs


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_istio_add_on_is_on_with_a_pinned_revision(env: str) -> None:
    mesh = cluster(env)["serviceMeshProfile"]
    assert mesh["mode"] == "Istio"
    assert mesh["istio"]["revisions"] == [raw_platform(env)["mesh"]["revision"]]


def test_dev_runs_only_the_internal_ingress_gateway_and_prod_adds_the_external_one() -> None:
    def gateways(env: str) -> dict[str, bool]:
        entries = cluster(env)["serviceMeshProfile"]["istio"]["components"]["ingressGateways"]
        return {g["mode"]: g["enabled"] for g in entries}

    assert gateways("dev") == {"Internal": True, "External": False}
    assert gateways("prod") == {"Internal": True, "External": True}


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_security_baseline_is_on(env: str) -> None:
    c = cluster(env)
    assert c["disableLocalAccounts"] is True
    assert c["enableRBAC"] is True
    assert c["aadProfile"] == {**c["aadProfile"], "managed": True, "enableAzureRBAC": True}
    assert c["oidcIssuerProfile"] == {"enabled": True}
    assert c["securityProfile"]["workloadIdentity"] == {"enabled": True}
    assert c["addonProfiles"]["azurepolicy"] == {"enabled": True}
    assert c["identity"]["type"] == "UserAssigned"
    assert c["networkProfile"]["networkPlugin"] == "azure"
    assert c["networkProfile"]["networkPluginMode"] == "overlay"
    assert c["networkProfile"]["networkPolicy"] == "cilium"
    assert c["autoUpgradeProfile"]["upgradeChannel"] in ("patch", "stable")
    assert "kubeDashboard" not in c["addonProfiles"] and "httpApplicationRouting" not in c["addonProfiles"]


def test_api_server_is_limited_to_ranges_in_dev_and_private_in_prod() -> None:
    assert cluster("dev")["apiServerAccessProfile"] == {"authorizedIPRanges": ["203.0.113.0/24"]}
    assert cluster("prod")["apiServerAccessProfile"] == {"enablePrivateCluster": True}


def test_prod_is_on_the_standard_tier_dev_on_free() -> None:
    assert cluster("prod")["sku"] == {"name": "Base", "tier": "Standard"}
    assert cluster("dev")["sku"] == {"name": "Base", "tier": "Free"}


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_system_pool_runs_only_critical_add_ons_on_linux(env: str) -> None:
    [system] = cluster(env)["agentPoolProfiles"]
    assert system["mode"] == "System"
    assert system["osType"] == "Linux"
    assert system["nodeTaints"][0] == "CriticalAddonsOnly=true:NoSchedule"
    assert system["enableAutoScaling"] is True and system["minCount"] <= system["maxCount"]
    assert system["maxPods"] >= 50
    assert system["osDiskType"] == "Ephemeral"  # Standard_D4ds_v5 has a 150 GiB temp disk
    assert system["osDiskSizeGB"] <= 150
    assert system["enableNodePublicIP"] is False


def test_prod_pools_span_three_zones() -> None:
    [system] = cluster("prod")["agentPoolProfiles"]
    pool = one(stack("prod"), AGENT_POOL, "-apps").inputs
    assert system["availabilityZones"] == ["1", "2", "3"]
    assert pool["availabilityZones"] == ["1", "2", "3"]
    assert pool["mode"] == "User" and pool["osType"] == "Linux"


def test_vm_size_without_temp_disk_gets_a_managed_os_disk() -> None:
    raw = merge(raw_platform("dev"), {"cluster": {"userPools": [{"name": "apps", "vmSize": "Standard_D4s_v5"}]}})
    pool = one(capture_stack("dev", raw), AGENT_POOL).inputs
    assert pool["osDiskType"] == "Managed"


def test_user_pools_are_separate_agent_pools_of_the_cluster() -> None:
    capture = stack("dev")
    pool = one(capture, AGENT_POOL)
    assert pool.inputs["agentPoolName"] == "apps"
    assert pool.inputs["resourceName"] == one(capture, MANAGED_CLUSTER).inputs["resourceName"]
    assert len(cluster("dev")["agentPoolProfiles"]) == 1  # one owner per pool (pulumi-azure-native #2719)


def test_autoscaler_counts_never_show_as_drift() -> None:
    assert "agentPoolProfiles[*].count" in one(stack("dev"), MANAGED_CLUSTER).ignore_changes
    assert one(stack("dev"), AGENT_POOL).ignore_changes == ["count"]


def test_minor_versions_only_ignored_where_the_channel_moves_them() -> None:
    # prod's preset channel is `stable`: AKS moves minors itself, so the declared version must not fight it.
    assert "kubernetesVersion" in one(stack("prod"), MANAGED_CLUSTER).ignore_changes
    # dev's `patch` channel never changes the minor: a version bump in the stack file must still apply.
    assert "kubernetesVersion" not in one(stack("dev"), MANAGED_CLUSTER).ignore_changes


def test_plug_in_ca_points_at_the_vault_and_the_secrets_provider_rotates() -> None:
    capture = stack("dev")
    c = one(capture, MANAGED_CLUSTER).inputs
    plugin = c["serviceMeshProfile"]["istio"]["certificateAuthority"]["plugin"]
    vault = one(capture, "azure-native:keyvault:Vault")
    assert plugin["keyVaultId"].endswith("/" + vault.inputs["vaultName"])  # the vault we created, by id
    assert {k: plugin[k] for k in ("certObjectName", "keyObjectName", "rootCertObjectName", "certChainObjectName")} == {
        "certObjectName": "ca-cert",
        "keyObjectName": "ca-key",
        "rootCertObjectName": "root-cert",
        "certChainObjectName": "cert-chain",
    }
    addon = c["addonProfiles"]["azureKeyvaultSecretsProvider"]
    assert addon == {"enabled": True, "config": {"enableSecretRotation": "true", "rotationPollInterval": "2m"}}
    assert vault.inputs["properties"]["enableRbacAuthorization"] is True
    assert vault.inputs["properties"]["enablePurgeProtection"] is True


def test_generated_dev_ca_lands_in_the_vault_as_secrets() -> None:
    secrets = stack("dev").of_type("azure-native:keyvault:Secret")
    assert sorted(s.inputs["secretName"] for s in secrets) == ["ca-cert", "ca-key", "cert-chain", "root-cert"]
    for secret in secrets:
        assert isinstance(secret.inputs["properties"]["value"], Secret), secret.name


def test_secrets_provider_identity_can_read_the_ca() -> None:
    capture = stack("dev")
    grant = next(r for r in capture.of_type(ROLE_ASSIGNMENT) if r.name.endswith("keyvault-secrets-user"))
    vault = one(capture, "azure-native:keyvault:Vault")
    assert grant.inputs["roleDefinitionId"].endswith("/roleDefinitions/" + sm.ROLE_KEY_VAULT_SECRETS_USER)
    assert grant.inputs["scope"].endswith("/" + vault.inputs["vaultName"])
    # the principal is the identity AKS created for the add-on, as the cluster reports it
    reported = one(capture, MANAGED_CLUSTER).outputs["addonProfiles"]["azureKeyvaultSecretsProvider"]["identity"]
    assert grant.inputs["principalId"] == reported["objectId"]


def test_prod_brings_its_own_vault_and_creates_none() -> None:
    capture = stack("prod")
    assert capture.of_type("azure-native:keyvault:Vault") == []
    plugin = cluster("prod")["serviceMeshProfile"]["istio"]["certificateAuthority"]["plugin"]
    assert plugin["keyVaultId"] == raw_platform("prod")["mesh"]["pluginCa"]["keyVaultId"]


def test_control_plane_identity_may_manage_load_balancers_in_the_node_subnet() -> None:
    capture = stack("dev")
    grant = next(r for r in capture.of_type(ROLE_ASSIGNMENT) if "network-contributor" in r.name)
    identity = one(capture, "azure-native:managedidentity:UserAssignedIdentity")
    subnet = one(capture, "azure-native:network:Subnet")
    assert grant.inputs["roleDefinitionId"].endswith("/roleDefinitions/" + sm.ROLE_NETWORK_CONTRIBUTOR)
    assert grant.inputs["scope"].endswith("/snet-nodes")
    assert subnet.inputs["subnetName"] == "snet-nodes"
    assert grant.inputs["principalType"] == "ServicePrincipal"
    assert grant.inputs["principalId"] == identity.outputs["principalId"]
    assert grant.urn in one(capture, MANAGED_CLUSTER).dependencies  # the grant exists before AKS uses it


def test_kubeconfig_is_secret_everywhere() -> None:
    capture = stack("dev")
    assert isinstance(capture.outputs["kubeconfig"], Secret)
    providers = capture.of_type("pulumi:providers:kubernetes")
    assert sorted(p.name for p in providers) == ["aks-istio-dev-k8s", "aks-istio-dev-mesh-k8s"]  # cluster's, mesh's
    for provider in providers:
        assert isinstance(provider.inputs["kubeconfig"], Secret)
        assert "kubeconfig" in provider.additional_secret_outputs


@pytest.mark.parametrize(
    "type_",
    [
        MANAGED_CLUSTER,
        "azure-native:resources:ResourceGroup",
        "azure-native:managedidentity:UserAssignedIdentity",
        "azure-native:network:VirtualNetwork",
        "azure-native:network:Subnet",
    ],
)
def test_prod_protects_what_holds_data_or_takes_long_to_rebuild(type_: str) -> None:
    prod, dev = stack("prod").of_type(type_), stack("dev").of_type(type_)
    assert prod and all(r.protect for r in prod)
    assert dev and not any(r.protect for r in dev)


def test_dev_ca_vault_is_not_protected_in_dev() -> None:
    assert one(stack("dev"), "azure-native:keyvault:Vault").protect is False


def test_existing_resource_group_and_subnet_are_used_not_created() -> None:
    subnet_id = "/subscriptions/1/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub/subnets/aks"
    raw = merge(
        raw_platform("dev"),
        {
            "resourceGroup": {"name": "rg-shared", "existing": True},
            "cluster": {"network": {"existingSubnetId": subnet_id}},
        },
    )
    capture = capture_stack("dev", raw)
    assert capture.of_type("azure-native:resources:ResourceGroup") == []
    assert capture.of_type("azure-native:network:VirtualNetwork") == []
    c = one(capture, MANAGED_CLUSTER).inputs
    assert c["resourceGroupName"] == "rg-shared"
    assert c["agentPoolProfiles"][0]["vnetSubnetID"] == subnet_id


def test_maintenance_window_covers_add_on_patches_and_both_upgrade_channels() -> None:
    configs = {
        m.inputs["configName"]: m.inputs
        for m in stack("prod").of_type("azure-native:containerservice:MaintenanceConfiguration")
    }
    assert set(configs) == {"default", "aksManagedAutoUpgradeSchedule", "aksManagedNodeOSUpgradeSchedule"}
    assert configs["default"]["timeInWeek"] == [{"day": "Saturday", "hourSlots": [1, 2, 3, 4, 5, 6]}]
    window = configs["aksManagedAutoUpgradeSchedule"]["maintenanceWindow"]
    assert window["schedule"] == {"weekly": {"dayOfWeek": "Saturday", "intervalWeeks": 1}}
    assert (window["startTime"], window["durationHours"]) == ("01:00", 6)


def test_children_are_parented_to_the_cluster_component() -> None:
    urn = one(stack("dev"), MANAGED_CLUSTER).urn
    assert "aks-istio:index:AksIstioPlatform$aks-istio:index:AksIstioCluster$azure-native:containerservice" in urn


def test_a_library_user_builds_the_cluster_from_plain_values_without_a_stack_config() -> None:
    def program() -> None:
        AksIstioCluster(
            "lib",
            AksIstioClusterArgs(
                cluster=ClusterSpec(
                    kubernetes_version="1.33",
                    tier=ClusterTier.STANDARD,
                    system_pool=NodePool(name="system", zones=["1", "2", "3"], os_disk_type=OsDiskType.EPHEMERAL),
                ),
                cluster_name="aks-lib",
                location="westeurope",
                resource_group_name="rg-lib",
                revisions=["asm-1-27"],
                internal_ingress=True,
            ),
        )

    cluster = one(capture_program(program), MANAGED_CLUSTER).inputs
    assert cluster["serviceMeshProfile"]["istio"]["revisions"] == ["asm-1-27"]
    assert cluster["serviceMeshProfile"]["istio"]["components"]["ingressGateways"] == [
        {"mode": "Internal", "enabled": True},
        {"mode": "External", "enabled": False},
    ]
    assert cluster["sku"] == {"name": "Base", "tier": "Standard"}
    [system] = cluster["agentPoolProfiles"]
    assert (system["osDiskType"], system["availabilityZones"]) == ("Ephemeral", ["1", "2", "3"])
    assert cluster["azureMonitorProfile"] == {"metrics": {"enabled": False}}


@pytest.mark.parametrize("opt_in", [False, True])
def test_secrets_provider_add_on_comes_by_its_own_opt_in_without_a_plug_in_ca(opt_in: bool) -> None:
    platform = merge(raw_platform("dev"), {"mesh": {"pluginCa": None}, "cluster": {"keyVaultSecretsProvider": opt_in}})
    profiles = one(capture_stack("dev", platform), MANAGED_CLUSTER).inputs["addonProfiles"]
    if opt_in:
        addon = profiles[sm.KEY_VAULT_SECRETS_PROVIDER_ADDON]
        assert addon == {"enabled": True, "config": {"enableSecretRotation": "true", "rotationPollInterval": "2m"}}
    else:
        assert sm.KEY_VAULT_SECRETS_PROVIDER_ADDON not in profiles
