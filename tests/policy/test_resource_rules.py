"""Every resource rule: the known-good fixture passes, one mutation fails with a message saying what to do."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policy.conftest import Pack
from tests.policy.fixtures import (
    AGENT_POOL,
    CLUSTER,
    CONFIG_MAP,
    GATEWAY_HPA,
    GATEWAY_PATCH,
    HPA,
    HPA_PATCH,
    MANAGED_CLUSTER,
    MANAGED_CLUSTER_VERSIONED,
    NAMESPACE,
    NAMESPACE_PROPS,
    PEER_AUTHENTICATION,
    POOL,
    SERVICE,
    SERVICE_PATCH,
    SHARED_MESH,
    STRICT,
    UNKNOWN,
    mutate,
)

HAPPY = [
    (MANAGED_CLUSTER, CLUSTER),
    (MANAGED_CLUSTER_VERSIONED, CLUSTER),
    (AGENT_POOL, POOL),
    (NAMESPACE, NAMESPACE_PROPS),
    (PEER_AUTHENTICATION, STRICT),
    (CONFIG_MAP, SHARED_MESH),
    (SERVICE_PATCH, GATEWAY_PATCH),
    (HPA_PATCH, GATEWAY_HPA),
]


@pytest.mark.parametrize(("type_", "props"), HAPPY, ids=[t for t, _ in HAPPY])
def test_known_good_resources_pass_clean(pack: Pack, type_: str, props: dict[str, Any]) -> None:
    assert pack.analyze(type_, props) == []


C = "serviceMeshProfile.istio"
WINDOWS_POOL = {**POOL, "name": "win", "osType": "Windows"}
# (behaviour, type, props, policy expected, words the message must contain)
VIOLATIONS: list[tuple[str, str, dict[str, Any], str, str]] = [
    (
        "osm_with_istio_rejected",
        MANAGED_CLUSTER,
        mutate(CLUSTER, "addonProfiles.openServiceMesh", {"enabled": True}),
        "managedcluster-no-osm-with-istio",
        "Migrate workloads off OSM",
    ),
    (
        "osm_key_case_does_not_matter",
        MANAGED_CLUSTER_VERSIONED,
        mutate(CLUSTER, "addonProfiles.OpenServiceMesh", {"enabled": True}),
        "managedcluster-no-osm-with-istio",
        "OSM",
    ),
    (
        "virtual_nodes_rejected",
        MANAGED_CLUSTER,
        mutate(CLUSTER, "addonProfiles.aciConnectorLinux", {"enabled": True}),
        "managedcluster-no-virtual-nodes-with-istio",
        "VMSS node pools",
    ),
    (
        "windows_inline_pool_rejected_when_istio_enabled",
        MANAGED_CLUSTER,
        mutate(CLUSTER, "agentPoolProfiles", [CLUSTER["agentPoolProfiles"][0], WINDOWS_POOL]),
        "managedcluster-no-windows-pools-with-istio",
        "separate cluster without the mesh",
    ),
    (
        "unpinned_revision_rejected",
        MANAGED_CLUSTER,
        mutate(CLUSTER, f"{C}.revisions", []),
        "managedcluster-istio-revision-pinned",
        "Pin one revision",
    ),
    (
        "malformed_revision_rejected",
        MANAGED_CLUSTER,
        mutate(CLUSTER, f"{C}.revisions", ["1.30"]),
        "managedcluster-istio-revision-pinned",
        "asm-<major>-<minor>",
    ),
    (
        "three_revisions_rejected",
        MANAGED_CLUSTER,
        mutate(CLUSTER, f"{C}.revisions", ["asm-1-28", "asm-1-29", "asm-1-30"]),
        "managedcluster-istio-revision-pinned",
        "must hold 1 or 2 distinct asm-1-N values",
    ),
    (
        "upgrade_skipping_two_revisions_rejected",
        MANAGED_CLUSTER,
        mutate(CLUSTER, f"{C}.revisions", ["asm-1-27", "asm-1-30"]),
        "managedcluster-istio-revision-upgrade-distance",
        "Upgrade in steps",
    ),
    (
        "end_of_life_revision_flagged",
        MANAGED_CLUSTER,
        mutate(CLUSTER, f"{C}.revisions", ["asm-1-23"]),
        "managedcluster-istio-revision-lifecycle",
        "passed its end of life",
    ),
    (
        "revision_incompatible_with_kubernetes_rejected",
        MANAGED_CLUSTER,
        mutate(CLUSTER, f"{C}.revisions", ["asm-1-24"]),
        "managedcluster-istio-revision-kubernetes-compatible",
        "not 1.34",
    ),
    (
        "two_external_ingress_gateways_rejected",
        MANAGED_CLUSTER,
        mutate(
            CLUSTER,
            f"{C}.components.ingressGateways",
            [{"mode": "External", "enabled": True}, {"mode": "External", "enabled": False}],
        ),
        "managedcluster-ingress-gateway-count",
        "at most 1",
    ),
    (
        "plugin_ca_missing_object_rejected",
        MANAGED_CLUSTER,
        mutate(CLUSTER, f"{C}.certificateAuthority.plugin.rootCertObjectName", None),
        "managedcluster-plugin-ca-complete",
        "rootCertObjectName is absent",
    ),
    (
        "plugin_ca_without_secrets_provider_rejected",
        MANAGED_CLUSTER,
        mutate(CLUSTER, "addonProfiles.azureKeyvaultSecretsProvider.enabled", False),
        "managedcluster-plugin-ca-complete",
        "addonProfiles.azureKeyvaultSecretsProvider.enabled is off",
    ),
    (
        "egress_without_static_egress_rejected",
        MANAGED_CLUSTER,
        mutate(
            CLUSTER,
            f"{C}.components.egressGateways",
            [{"enabled": True, "name": "egress", "gatewayConfigurationName": "sgc"}],
        ),
        "managedcluster-egress-gateway-prerequisites",
        "Static Egress Gateway",
    ),
    (
        "egress_without_configuration_name_rejected",
        MANAGED_CLUSTER,
        mutate(
            mutate(CLUSTER, f"{C}.components.egressGateways", [{"enabled": True, "name": "egress"}]),
            "networkProfile.staticEgressGatewayProfile",
            {"enabled": True},
        ),
        "managedcluster-egress-gateway-prerequisites",
        "gatewayConfigurationName is missing",
    ),
    (
        "gateway_api_on_old_revision_rejected",
        MANAGED_CLUSTER,
        mutate(
            mutate(
                mutate(CLUSTER, "ingressProfile.gatewayAPI.installation", "Standard"), f"{C}.revisions", ["asm-1-25"]
            ),
            "kubernetesVersion",
            "1.32",
        ),
        "managedcluster-gateway-api-prerequisites",
        "asm-1-26",
    ),
    (
        "permissive_mtls_rejected",
        PEER_AUTHENTICATION,
        mutate(STRICT, "spec.mtls.mode", "PERMISSIVE"),
        "peerauthentication-no-permissive-mtls",
        "Use STRICT",
    ),
    (
        "port_level_disable_rejected",
        PEER_AUTHENTICATION,
        mutate(STRICT, "spec.portLevelMtls", {"8080": {"mode": "DISABLE"}}),
        "peerauthentication-no-permissive-mtls",
        "DISABLE",
    ),
    (
        "non_allowlisted_gateway_annotation_rejected",
        SERVICE_PATCH,
        mutate(
            GATEWAY_PATCH, "metadata.annotations", {"service.beta.kubernetes.io/azure-load-balancer-internal": "true"}
        ),
        "gateway-service-allowed-annotations-only",
        "Gateway API",
    ),
    (
        "gateway_port_change_rejected",
        SERVICE,
        mutate(GATEWAY_PATCH, "spec.ports", [{"port": 8443, "protocol": "TCP"}]),
        "gateway-service-no-port-protocol-changes",
        "spec.ports",
    ),
    (
        "gateway_hpa_below_two_rejected",
        HPA,
        mutate(GATEWAY_HPA, "spec.minReplicas", 1),
        "gateway-hpa-min-replicas",
        "minReplicas >= 2",
    ),
    (
        "mesh_config_blocked_field_rejected",
        CONFIG_MAP,
        mutate(SHARED_MESH, "data.mesh", "configSources: []\n"),
        "meshconfig-allowed-fields-only",
        "configSources",
    ),
    (
        "proxy_config_blocked_field_rejected",
        CONFIG_MAP,
        mutate(SHARED_MESH, "data.mesh", "defaultConfig:\n  image: {}\n"),
        "meshconfig-allowed-fields-only",
        "defaultConfig.image",
    ),
    (
        "allowed_but_unsupported_mesh_field_is_advisory",
        CONFIG_MAP,
        mutate(SHARED_MESH, "data.mesh", "enableTracing: true\n"),
        "meshconfig-supported-fields-only",
        "outside Azure support",
    ),
    (
        "default_mesh_configmap_edit_rejected",
        CONFIG_MAP,
        mutate(SHARED_MESH, "metadata.name", "istio-asm-1-30"),
        "meshconfig-no-default-configmap-edits",
        "istio-shared-configmap-asm-1-30",
    ),
    (
        "rbac_disabled_rejected",
        MANAGED_CLUSTER,
        mutate(CLUSTER, "enableRBAC", False),
        "managedcluster-rbac-enabled",
        "set it to true",
    ),
    (
        "local_accounts_rejected",
        MANAGED_CLUSTER,
        mutate(CLUSTER, "disableLocalAccounts", None),
        "managedcluster-local-accounts-disabled",
        "Entra ID",
    ),
    (
        "public_api_server_rejected",
        MANAGED_CLUSTER,
        mutate(CLUSTER, "apiServerAccessProfile", {}),
        "managedcluster-private-api-server",
        "private IP",
    ),
    (
        "public_api_server_without_ranges_rejected",
        MANAGED_CLUSTER,
        mutate(CLUSTER, "apiServerAccessProfile", {}),
        "managedcluster-api-authorized-ip-ranges",
        "authorizedIPRanges",
    ),
    (
        "no_network_policy_rejected",
        MANAGED_CLUSTER,
        mutate(CLUSTER, "networkProfile.networkPolicy", "none"),
        "managedcluster-network-policy",
        "cilium",
    ),
    (
        "no_azure_policy_rejected",
        MANAGED_CLUSTER,
        mutate(CLUSTER, "addonProfiles.azurepolicy.enabled", False),
        "managedcluster-azure-policy-addon",
        "Azure Policy",
    ),
    (
        "no_disk_encryption_set_is_advisory",
        MANAGED_CLUSTER,
        mutate(CLUSTER, "diskEncryptionSetID", None),
        "managedcluster-disk-encryption-set",
        "customer-managed key",
    ),
    (
        "no_encryption_at_host_on_agent_pool_rejected",
        AGENT_POOL,
        mutate(POOL, "enableEncryptionAtHost", False),
        "agentpool-encryption-at-host",
        "node pool 'apps'",
    ),
    (
        "no_encryption_at_host_inline_rejected",
        MANAGED_CLUSTER,
        mutate(CLUSTER, "agentPoolProfiles.0.enableEncryptionAtHost", None),
        "agentpool-encryption-at-host",
        "node pool 'system'",
    ),
    (
        "no_monitoring_rejected",
        MANAGED_CLUSTER,
        mutate(CLUSTER, "azureMonitorProfile", None),
        "managedcluster-azure-monitor",
        "azureMonitorProfile",
    ),
    (
        "no_defender_is_flagged",
        MANAGED_CLUSTER,
        mutate(CLUSTER, "securityProfile", None),
        "managedcluster-defender-enabled",
        "Defender",
    ),
    (
        "node_public_ip_rejected",
        AGENT_POOL,
        mutate(POOL, "enableNodePublicIP", True),
        "agentpool-no-node-public-ip",
        "through the VNet",
    ),
    (
        "service_principal_rejected",
        MANAGED_CLUSTER,
        mutate(CLUSTER, "identity", None),
        "managedcluster-managed-identity",
        "UserAssigned",
    ),
    (
        "secret_rotation_off_rejected",
        MANAGED_CLUSTER,
        mutate(CLUSTER, "addonProfiles.azureKeyvaultSecretsProvider.config.enableSecretRotation", "false"),
        "managedcluster-secret-rotation",
        "enableSecretRotation is false; turn it on",
    ),
    (
        "no_upgrade_channel_rejected",
        MANAGED_CLUSTER,
        mutate(CLUSTER, "autoUpgradeProfile.upgradeChannel", "none"),
        "managedcluster-upgrade-channel",
        "patch, stable",
    ),
    (
        "free_tier_rejected",
        MANAGED_CLUSTER,
        mutate(CLUSTER, "sku.tier", "Free"),
        "managedcluster-paid-sku",
        'sku.tier is "Free"',
    ),
    (
        "untainted_system_pool_rejected",
        MANAGED_CLUSTER,
        mutate(CLUSTER, "agentPoolProfiles.0.nodeTaints", []),
        "agentpool-system-pool-critical-addons-only",
        "CriticalAddonsOnly",
    ),
    (
        "managed_os_disk_rejected",
        AGENT_POOL,
        mutate(POOL, "osDiskType", "Managed"),
        "agentpool-ephemeral-os-disk",
        "Ephemeral",
    ),
    (
        "http_application_routing_rejected",
        MANAGED_CLUSTER,
        mutate(CLUSTER, "addonProfiles.httpApplicationRouting", {"enabled": True}),
        "managedcluster-http-application-routing-disabled",
        "enabled is true; turn it off",
    ),
    (
        "kube_dashboard_rejected",
        MANAGED_CLUSTER,
        mutate(CLUSTER, "addonProfiles.kubeDashboard", {"enabled": True}),
        "managedcluster-kube-dashboard-disabled",
        "enabled is true; turn it off",
    ),
    ("few_max_pods_rejected", AGENT_POOL, mutate(POOL, "maxPods", 30), "agentpool-max-pods", "at least 50"),
    (
        "availability_set_pool_rejected",
        AGENT_POOL,
        mutate(POOL, "type", "AvailabilitySet"),
        "agentpool-scale-set",
        "VirtualMachineScaleSets",
    ),
    (
        "kubenet_rejected",
        MANAGED_CLUSTER,
        mutate(CLUSTER, "networkProfile.networkPlugin", "kubenet"),
        "managedcluster-azure-cni",
        "Azure CNI",
    ),
]


@pytest.mark.parametrize(
    ("type_", "props", "policy", "words"), [v[1:] for v in VIOLATIONS], ids=[v[0] for v in VIOLATIONS]
)
def test_violation_is_reported_with_what_to_do(
    pack: Pack, type_: str, props: dict[str, Any], policy: str, words: str
) -> None:
    found = pack.analyze(type_, props)
    messages = [m for p, m in found if p == policy]
    assert messages, f"{policy} not reported; got {found}"
    assert any(words in m for m in messages), messages


def test_pulumi_patch_directives_are_not_judged_as_service_annotations(pack: Pack) -> None:
    # Our own ServicePatch forces server-side apply when it sets externalTrafficPolicy (aks_istio/gateways/ingress.py).
    directives = {"pulumi.com/patchForce": "true", "pulumi.com/patchFieldManager": "aks-istio"}
    patched = mutate(GATEWAY_PATCH, "metadata.annotations", directives)
    assert pack.analyze(SERVICE_PATCH, mutate(patched, "spec.externalTrafficPolicy", "Local")) == []


def test_every_resource_policy_has_a_violating_case(pack: Pack) -> None:
    covered = {v[3] for v in VIOLATIONS}
    resource_policies = {p.name for p in pack.policies if not p.stack}
    assert resource_policies - covered == {"pack-resource-rule-raised"}  # tests/policy/test_fail_closed.py


def test_unknown_values_at_preview_never_violate(pack: Pack) -> None:
    unknown_everywhere = mutate(
        mutate(mutate(CLUSTER, "addonProfiles", UNKNOWN), "agentPoolProfiles", UNKNOWN), "enableRBAC", UNKNOWN
    )
    unknown_everywhere = mutate(unknown_everywhere, "serviceMeshProfile.istio.revisions", UNKNOWN)
    policies = {p for p, _ in pack.analyze(MANAGED_CLUSTER, unknown_everywhere)}
    assert (
        policies
        & {
            "managedcluster-no-osm-with-istio",
            "managedcluster-rbac-enabled",
            "agentpool-encryption-at-host",
            "managedcluster-istio-revision-pinned",
        }
        == set()
    )
    assert not any("can't run policy" in m for _, m in pack.analyze(MANAGED_CLUSTER, unknown_everywhere))


def test_secret_values_are_read_through(pack: Pack) -> None:
    secret_ca = mutate(
        CLUSTER,
        f"{C}.certificateAuthority.plugin.keyVaultId",
        {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "not-an-id"},
    )
    assert any("not a Key Vault resource id" in m for p, m in pack.analyze(MANAGED_CLUSTER, secret_ca))


def test_wrong_types_never_violate(pack: Pack) -> None:
    wrong = mutate(mutate(CLUSTER, "enableRBAC", "yes"), "serviceMeshProfile", ["Istio"])
    policies = {p for p, _ in pack.analyze(MANAGED_CLUSTER, wrong)}
    assert "managedcluster-rbac-enabled" not in policies
    assert "managedcluster-istio-revision-pinned" not in policies


def test_exemption_waives_one_resource_only(pack: Pack) -> None:
    bad = mutate(STRICT, "spec.mtls.mode", "PERMISSIVE")
    config = {
        "peerauthentication-no-permissive-mtls": {"exemptions": [{"resource": "legacy-*", "reason": "migration"}]}
    }
    assert pack.analyze(PEER_AUTHENTICATION, bad, name="legacy-pa", config=config) == []
    assert pack.analyze(PEER_AUTHENTICATION, bad, name="apps-pa", config=config) != []


def test_allowed_namespace_may_be_permissive(pack: Pack) -> None:
    bad = mutate(mutate(STRICT, "spec.mtls.mode", "PERMISSIVE"), "metadata.namespace", "legacy")
    config = {"peerauthentication-no-permissive-mtls": {"allowedNamespaces": ["legacy"]}}
    assert pack.analyze(PEER_AUTHENTICATION, bad, config=config) == []


def test_enforcement_level_comes_from_the_environment_config(pack: Pack) -> None:
    pack.configure(
        {"all": {"enforcementLevel": "advisory"}, "managedcluster-paid-sku": {"enforcementLevel": "disabled"}}
    )
    from aks_istio.offline.analyzer_client import Resource, struct

    free = mutate(mutate(CLUSTER, "sku.tier", "Free"), "enableRBAC", False)
    found = pack.analyzer.analyze(Resource(MANAGED_CLUSTER, "c", "urn:c", struct(free)))
    assert {d.policyName for d in found} == {"managedcluster-rbac-enabled"}
    assert all(d.enforcementLevel == 0 for d in found)  # ADVISORY
