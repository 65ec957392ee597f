"""Other teams' programs, in the shapes public Pulumi programs use, judged through the Analyzer gRPC interface with
the pack's own defaults (no config): refused only for what cannot work beside the add-on."""

from __future__ import annotations

from typing import Any

from tests.policy.conftest import Pack, mandatory
from tests.policy.fixtures import (
    AGENT_POOL,
    CLASSIC_CLUSTER,
    CLASSIC_MESH,
    CLASSIC_NODE_POOL,
    CLASSIC_PLAIN,
    CLASSIC_WINDOWS_POOL,
    HELM_RELEASE,
    MANAGED_CLUSTER,
    NAMESPACE,
    NATIVE_PLAIN,
    POOL,
    mutate,
)

ISTIO_REPO = {"repo": "https://istio-release.storage.googleapis.com/charts"}
HELM_ISTIO: list[tuple[str, str, dict[str, Any]]] = [
    (NAMESPACE, "istio-system", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "istio-system"}}),
    (HELM_RELEASE, "istio-base", {"chart": "base", "namespace": "istio-system", "repositoryOpts": ISTIO_REPO}),
    (HELM_RELEASE, "istiod", {"chart": "istiod", "namespace": "istio-system", "repositoryOpts": ISTIO_REPO}),
    (HELM_RELEASE, "ingress", {"chart": "gateway", "namespace": "istio-ingress", "repositoryOpts": ISTIO_REPO}),
    (
        NAMESPACE,
        "apps",
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": "apps", "labels": {"istio-injection": "enabled"}},
        },
    ),
]
NATIVE_MESH = mutate(NATIVE_PLAIN, "serviceMeshProfile", {"mode": "Istio", "istio": {"revisions": ["asm-1-30"]}})
WINDOWS_POOL = {**POOL, "agentPoolName": "win", "osType": "Windows", "osSKU": "Windows2022"}


def test_plain_aks_passes_with_baselines_as_advice_on_both_providers(pack: Pack) -> None:
    for cluster_type, cluster, disabled_local in (
        (MANAGED_CLUSTER, NATIVE_PLAIN, "disableLocalAccounts is absent"),
        (CLASSIC_CLUSTER, CLASSIC_PLAIN, "localAccountDisabled is absent"),
    ):
        found = pack.program([(cluster_type, "aks", cluster)])
        assert mandatory(found) == [], cluster_type
        advice = {v.policy: v.message.splitlines()[-1] for v in found}
        assert advice["managedcluster-local-accounts-disabled"].startswith(disabled_local)
        assert "agentpool-encryption-at-host" in advice


def test_helm_installed_istio_on_a_cluster_without_the_addon_passes(pack: Pack) -> None:
    for cluster_type, cluster in ((MANAGED_CLUSTER, NATIVE_PLAIN), (CLASSIC_CLUSTER, CLASSIC_PLAIN)):
        found = pack.program([(cluster_type, "aks", cluster), *HELM_ISTIO])
        assert mandatory(found) == [], cluster_type
        assert not {v.policy for v in found} & {"istio-no-self-managed-install", "namespace-no-istio-injection-label"}


def test_helm_installed_istio_beside_the_addon_is_refused(pack: Pack) -> None:
    found = pack.program([(MANAGED_CLUSTER, "aks", NATIVE_MESH), *HELM_ISTIO])
    assert mandatory(found) == [
        ("istio-no-self-managed-install", "ingress"),
        ("istio-no-self-managed-install", "istio-base"),
        ("istio-no-self-managed-install", "istiod"),
        ("namespace-no-istio-injection-label", "apps"),
    ]


def test_addon_with_osm_is_refused_on_both_providers(pack: Pack) -> None:
    native = mutate(NATIVE_MESH, "addonProfiles", {"openServiceMesh": {"enabled": True, "config": {}}})
    classic = {**CLASSIC_MESH, "openServiceMeshEnabled": True}
    for cluster_type, cluster, path in (
        (MANAGED_CLUSTER, native, "addonProfiles.openServiceMesh.enabled is true"),
        (CLASSIC_CLUSTER, classic, "openServiceMeshEnabled is true"),
    ):
        found = pack.program([(cluster_type, "aks", cluster)])
        assert mandatory(found) == [("managedcluster-no-osm-with-istio", "aks")], cluster_type
        assert any(v.message.splitlines()[-1].startswith(path) for v in found)


def test_windows_pool_of_a_two_cluster_program_is_judged_by_its_own_cluster(pack: Pack) -> None:
    clusters = [(MANAGED_CLUSTER, "mesh", NATIVE_MESH), (MANAGED_CLUSTER, "win-cluster", NATIVE_PLAIN)]
    on_plain = pack.program([*clusters, (AGENT_POOL, "win", WINDOWS_POOL)], depends={"win": ["win-cluster"]})
    assert mandatory(on_plain) == []
    on_mesh = pack.program([*clusters, (AGENT_POOL, "win", WINDOWS_POOL)], depends={"win": ["mesh"]})
    assert mandatory(on_mesh) == [("agentpool-no-windows-with-istio", "win")]


def test_classic_windows_pool_is_judged_by_its_own_cluster(pack: Pack) -> None:
    clusters = [(CLASSIC_CLUSTER, "mesh", CLASSIC_MESH), (CLASSIC_CLUSTER, "win-cluster", CLASSIC_PLAIN)]
    pool = (CLASSIC_NODE_POOL, "win", CLASSIC_WINDOWS_POOL)
    assert mandatory(pack.program([*clusters, pool], depends={"win": ["win-cluster"]})) == []
    on_mesh = pack.program([*clusters, pool], depends={"win": ["mesh"]})
    assert mandatory(on_mesh) == [("agentpool-no-windows-with-istio", "win")]


def test_classic_virtual_nodes_and_incomplete_plugin_ca_are_refused(pack: Pack) -> None:
    cluster = mutate(
        {**CLASSIC_MESH, "aciConnectorLinux": {"subnetName": "aci"}},
        "serviceMeshProfile.certificateAuthority",
        {"keyVaultId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"},
    )
    found = pack.program([(CLASSIC_CLUSTER, "aks", cluster)])
    assert set(mandatory(found)) == {
        ("managedcluster-no-virtual-nodes-with-istio", "aks"),
        ("managedcluster-plugin-ca-complete", "aks"),
    }
    ca = [v.message.splitlines()[-1] for v in found if v.policy == "managedcluster-plugin-ca-complete"]
    assert any(m.startswith("serviceMeshProfile.certificateAuthority.certObjectName is absent") for m in ca)
    assert any(m.startswith("keyVaultSecretsProvider is absent") for m in ca)


def test_classic_revision_rules_read_the_classic_revisions(pack: Pack) -> None:
    old = mutate(CLASSIC_MESH, "serviceMeshProfile.revisions", ["asm-1-24", "asm-1-30"])
    found = pack.program([(CLASSIC_CLUSTER, "aks", old)])
    assert ("managedcluster-istio-revision-upgrade-distance", "aks") in mandatory(found)
    assert any("serviceMeshProfile.revisions ['asm-1-24', 'asm-1-30']" in v.message for v in found)
