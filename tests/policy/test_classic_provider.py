"""The property paths the pack reads exist in each provider SDK's own input types, and the classic provider's
clusters and pools meet the same rule bodies as azure-native's.

The pack reads wire names (camelCase). The SDKs' input-type metadata (what the engine's property translation uses)
names every property each input type has; a misspelt path would make a rule silently never fire, so each path of
each `ClusterShape` is walked against pulumi-azure 6.x (classic) and pulumi-azure-native 3.x.
"""

from __future__ import annotations

import collections.abc
import sys
import typing
from typing import Any

import pytest
from pulumi import _types

from aks_istio.offline.verdict import PACK_DIR
from tests.policy.conftest import Pack, mandatory
from tests.policy.fixtures import CLASSIC_CLUSTER, CLASSIC_MESH, CLASSIC_NODE_POOL, CLASSIC_PLAIN, mutate
from tests.sdk_types import CONTAINERS, input_types

sys.path.insert(0, str(PACK_DIR))
from rules.clusters import AZURE_NATIVE, CLASSIC, ClusterShape


def _is_map(typ: Any) -> bool:
    pending = [typ]
    while pending:
        current = pending.pop()
        origin = typing.get_origin(current)
        if origin in (collections.abc.Mapping, dict):
            return True
        if origin in (typing.Union, collections.abc.Awaitable):
            pending.extend(typing.get_args(current))
    return False


def missing(args: type, path: str) -> str | None:
    """The first part of dotted `path` that `args` does not have (None: every part exists). A map's key is free."""
    typ: Any = args
    for part in path.split("."):
        if _is_map(typ) and not input_types(typ, CONTAINERS):
            return None  # a free-form map (tags, config): any key
        if _is_map(typ):
            typ = input_types(typ, CONTAINERS)[0]  # the add-on name: any key, an object under it
            continue
        properties: dict[str, Any] = {}
        for candidate in input_types(typ, CONTAINERS):
            properties.update(_types.input_type_types(candidate))
        if part not in properties:
            return part
        typ = properties[part]
    return None


def _problems(shape: ClusterShape, args: dict[str, type]) -> list[str]:
    paths = [("cluster", p) for p in shape.cluster_paths()] + [("pool", p) for p in shape.pool.paths()]
    problems = [f"{where} {path}: no {part!r}" for where, path in paths if (part := missing(args[where], path))]
    for where, pool, prefix in (("cluster", shape.inline_pool, f"{shape.inline_pools}."), ("pool", shape.pool, "")):
        if all(missing(args[where], prefix + name) for name in pool.names):
            problems.append(f"{where}: none of the pool names {pool.names}")
    return problems


def _args(shape: ClusterShape) -> dict[str, type]:
    if shape is CLASSIC:
        import pulumi_azure.containerservice as classic

        return {"cluster": classic.KubernetesClusterArgs, "pool": classic.KubernetesClusterNodePoolArgs}
    import pulumi_azure_native.containerservice as native

    return {"cluster": native.ManagedClusterArgs, "pool": native.AgentPoolArgs}


@pytest.mark.parametrize("shape", [CLASSIC, AZURE_NATIVE], ids=lambda s: s.provider)
def test_every_path_the_pack_reads_is_an_input_of_the_provider(shape: ClusterShape) -> None:
    assert _problems(shape, _args(shape)) == []


def test_the_schema_walk_catches_a_misspelt_path() -> None:
    import pulumi_azure.containerservice as classic

    assert missing(classic.KubernetesClusterArgs, "apiServerAccessProfile.authorizedIPRanges") == "authorizedIPRanges"
    assert missing(classic.KubernetesClusterArgs, "defaultNodePool.osType") == "osType"


# (behaviour, type, props, policy expected, words the finding starts with)
CLASSIC_VIOLATIONS: list[tuple[str, str, dict[str, Any], str, str]] = [
    (
        "rbac_off",
        CLASSIC_CLUSTER,
        {**CLASSIC_PLAIN, "roleBasedAccessControlEnabled": False},
        "managedcluster-rbac-enabled",
        "roleBasedAccessControlEnabled is false",
    ),
    (
        "http_routing_on",
        CLASSIC_CLUSTER,
        {**CLASSIC_PLAIN, "httpApplicationRoutingEnabled": True},
        "managedcluster-http-application-routing-disabled",
        "httpApplicationRoutingEnabled is true",
    ),
    (
        "secret_rotation_off",
        CLASSIC_CLUSTER,
        {**CLASSIC_PLAIN, "keyVaultSecretsProvider": {"secretRotationEnabled": False}},
        "managedcluster-secret-rotation",
        "keyVaultSecretsProvider.secretRotationEnabled is false",
    ),
    (
        "public_node_ip",
        CLASSIC_NODE_POOL,
        {"name": "apps", "kubernetesClusterId": "id", "vmSize": "Standard_D4s_v5", "nodePublicIpEnabled": True},
        "agentpool-no-node-public-ip",
        "node pool 'apps': nodePublicIpEnabled is true",
    ),
    (
        "few_max_pods",
        CLASSIC_CLUSTER,
        mutate(CLASSIC_PLAIN, "defaultNodePool.maxPods", 30),
        "agentpool-max-pods",
        "node pool 'default': maxPods is 30",
    ),
    (
        "availability_set",
        CLASSIC_CLUSTER,
        mutate(CLASSIC_PLAIN, "defaultNodePool.type", "AvailabilitySet"),
        "agentpool-scale-set",
        "node pool 'default': type is \"AvailabilitySet\"",
    ),
    (
        "service_principal",
        CLASSIC_CLUSTER,
        {**{k: v for k, v in CLASSIC_PLAIN.items() if k != "identity"}, "servicePrincipal": {"clientId": "c"}},
        "managedcluster-managed-identity",
        "identity.type is absent",
    ),
    (
        "api_server_open_to_everyone",
        CLASSIC_CLUSTER,
        {**CLASSIC_PLAIN, "apiServerAccessProfile": {"authorizedIpRanges": ["0.0.0.0/0", "::/0"]}},
        "managedcluster-api-authorized-ip-ranges",
        'apiServerAccessProfile.authorizedIpRanges is ["0.0.0.0/0", "::/0"]; it is public and the authorized range',
    ),
    (
        "revision_not_pinned",
        CLASSIC_CLUSTER,
        mutate(CLASSIC_MESH, "serviceMeshProfile.revisions", []),
        "managedcluster-istio-revision-pinned",
        "serviceMeshProfile.revisions is empty",
    ),
]


@pytest.mark.parametrize(
    ("type_", "props", "policy", "words"), [v[1:] for v in CLASSIC_VIOLATIONS], ids=[v[0] for v in CLASSIC_VIOLATIONS]
)
def test_classic_resources_meet_the_same_rules(
    pack: Pack, type_: str, props: dict[str, Any], policy: str, words: str
) -> None:
    findings = [m.splitlines()[-1] for p, m in pack.analyze(type_, props) if p == policy]
    assert any(f.startswith(words) for f in findings), findings


def test_a_hardened_classic_mesh_cluster_passes_clean(pack: Pack) -> None:
    hardened = {
        **CLASSIC_MESH,
        "defaultNodePool": {
            "name": "system",
            "vmSize": "Standard_D4ds_v5",
            "hostEncryptionEnabled": True,
            "osDiskType": "Ephemeral",
            "maxPods": 110,
            "onlyCriticalAddonsEnabled": True,
        },
        "localAccountDisabled": True,
        "privateClusterEnabled": True,
        "azurePolicyEnabled": True,
        "diskEncryptionSetId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/diskEncryptionSets/d",
        "omsAgent": {"logAnalyticsWorkspaceId": "w"},
        "microsoftDefender": {"logAnalyticsWorkspaceId": "w"},
        "automaticUpgradeChannel": "stable",
        "skuTier": "Standard",
        "networkProfile": {"networkPlugin": "azure", "networkPluginMode": "overlay", "networkPolicy": "cilium"},
    }
    assert pack.analyze(CLASSIC_CLUSTER, hardened) == []
    assert mandatory(pack.program([(CLASSIC_CLUSTER, "aks", hardened)])) == []
