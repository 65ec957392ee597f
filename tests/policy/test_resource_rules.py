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
    HPA_PATCH,
    MANAGED_CLUSTER,
    MANAGED_CLUSTER_VERSIONED,
    NAMESPACE,
    NAMESPACE_PROPS,
    PEER_AUTHENTICATION,
    POOL,
    SERVICE_PATCH,
    SHARED_MESH,
    STRICT,
    UNKNOWN,
    mutate,
)
from tests.policy.violation_cases import VIOLATIONS, C

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
