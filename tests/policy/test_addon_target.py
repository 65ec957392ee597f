"""Add-on rules on Kubernetes resources apply where the add-on runs (AnalyzeStack): refused beside the add-on,
silent for self-managed Istio on a cluster without it, advisory (naming the rule) when the program declares no
cluster, and as `clusterRunsIstioAddon` says when it is set: once, pack-wide, in `pack-settings`, or per rule as an
override. A cluster the program declares always decides by itself."""

from __future__ import annotations

from typing import Any

import pytest
from rules import traffic

from tests.policy.conftest import Pack, mandatory
from tests.policy.fixtures import (
    AGENT_POOL,
    CLASSIC_CLUSTER,
    CLASSIC_MESH,
    CLASSIC_PLAIN,
    CLUSTER,
    CRD,
    ENVOY_FILTER,
    HELM_RELEASE,
    LUA_FILTER,
    MANAGED_CLUSTER,
    NAMESPACE,
    NAMESPACE_PROPS,
    NATIVE_PLAIN,
    POOL,
    UNKNOWN,
    WASM_PLUGIN,
    mutate,
)

# (behaviour, type, props, policy expected, words the message must contain)
ADDON_VIOLATIONS: list[tuple[str, str, dict[str, Any], str, str]] = [
    (
        "wasm_plugin_rejected",
        WASM_PLUGIN,
        {"apiVersion": "extensions.istio.io/v1alpha1", "kind": "WasmPlugin", "metadata": {"name": "w"}},
        "istio-no-blocked-custom-resources",
        "use a supported EnvoyFilter",
    ),
    (
        "istio_operator_rejected",
        "kubernetes:install.istio.io/v1alpha1:IstioOperator",
        {"apiVersion": "install.istio.io/v1alpha1", "kind": "IstioOperator"},
        "istio-no-blocked-custom-resources",
        "serviceMeshProfile",
    ),
    (
        "envoy_filter_outside_supported_types_is_advisory",
        ENVOY_FILTER,
        mutate(
            LUA_FILTER,
            "spec.configPatches.0.patch.value.typed_config",
            {"@type": "type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz"},
        ),
        "envoyfilter-supported-types-only",
        "outside Azure support",
    ),
    (
        "istiod_helm_release_rejected",
        HELM_RELEASE,
        {"chart": "istiod", "repositoryOpts": {"repo": "https://istio-release.storage.googleapis.com/charts"}},
        "istio-no-self-managed-install",
        "self-managed Istio",
    ),
    (
        "istio_crd_rejected",
        CRD,
        {"metadata": {"name": "gateways.networking.istio.io"}, "spec": {"group": "networking.istio.io"}},
        "istio-no-self-managed-install",
        "Remove it",
    ),
    (
        "istio_injection_label_rejected",
        NAMESPACE,
        mutate(NAMESPACE_PROPS, "metadata.labels", {"istio-injection": "enabled"}),
        "namespace-no-istio-injection-label",
        "istio.io/rev",
    ),
]
ADDON_RULES = sorted({v[3] for v in ADDON_VIOLATIONS})


@pytest.mark.parametrize(
    ("type_", "props", "policy", "words"), [v[1:] for v in ADDON_VIOLATIONS], ids=[v[0] for v in ADDON_VIOLATIONS]
)
def test_addon_rule_refuses_beside_the_addon(
    pack: Pack, type_: str, props: dict[str, Any], policy: str, words: str
) -> None:
    found = pack.program([(MANAGED_CLUSTER, "aks", CLUSTER), (type_, "res", props)])
    messages = [v.message for v in found if (v.policy, v.resource) == (policy, "res")]
    assert messages, f"{policy} not reported; got {found}"
    assert any(words in m for m in messages), messages
    assert messages[0].count("\n") == 1  # the SDK's description line, then the finding once


@pytest.mark.parametrize(
    ("type_", "props", "policy"), [v[1:4] for v in ADDON_VIOLATIONS], ids=[v[0] for v in ADDON_VIOLATIONS]
)
def test_addon_rule_is_silent_on_a_cluster_without_the_addon(
    pack: Pack, type_: str, props: dict[str, Any], policy: str
) -> None:
    for cluster_type, cluster in ((MANAGED_CLUSTER, NATIVE_PLAIN), (CLASSIC_CLUSTER, CLASSIC_PLAIN)):
        found = pack.program([(cluster_type, "aks", cluster), (type_, "res", props)])
        assert policy not in {v.policy for v in found}


def test_classic_mesh_cluster_and_an_unknown_mode_count_as_the_addon(pack: Pack) -> None:
    label = mutate(NAMESPACE_PROPS, "metadata.labels", {"istio-injection": "enabled"})
    unknown_mode = mutate(NATIVE_PLAIN, "serviceMeshProfile", {"mode": UNKNOWN})
    for cluster_type, cluster in ((CLASSIC_CLUSTER, CLASSIC_MESH), (MANAGED_CLUSTER, unknown_mode)):
        found = pack.program([(cluster_type, "aks", cluster), (NAMESPACE, "apps", label)])
        assert ("namespace-no-istio-injection-label", "apps") in mandatory(found), cluster_type


def test_program_without_a_cluster_gets_addon_findings_as_advisory_naming_the_rule(pack: Pack) -> None:
    helm = ADDON_VIOLATIONS[3][2]
    found = pack.program([(HELM_RELEASE, "istiod", helm)])
    assert mandatory(found) == []
    (advice,) = [v for v in found if v.policy == "stack-istio-addon-target-declared"]
    assert (advice.resource, advice.level) == ("istiod", "advisory")
    assert advice.message.splitlines()[-1].startswith("istio-no-self-managed-install: Helm chart 'istiod'")
    assert "clusterRunsIstioAddon" in advice.message


def pack_wide(value: str) -> dict[str, Any]:
    return {"pack-settings": {"clusterRunsIstioAddon": value}}


@pytest.mark.parametrize(
    ("type_", "props", "policy"), [v[1:4] for v in ADDON_VIOLATIONS], ids=[v[0] for v in ADDON_VIOLATIONS]
)
def test_pack_wide_setting_decides_for_a_program_without_a_cluster(
    pack: Pack, type_: str, props: dict[str, Any], policy: str
) -> None:
    level = next(p.enforcement for p in pack.policies if p.name == policy)
    detected = pack.program([(type_, "res", props)])
    assert {(v.policy, v.level) for v in detected} == {("stack-istio-addon-target-declared", "advisory")}
    assert "set clusterRunsIstioAddon to yes or no in the config of pack-settings" in detected[0].message
    found = pack.program([(type_, "res", props)], pack_wide("yes"))
    assert {(v.policy, v.resource, v.level) for v in found} == {(policy, "res", level)}
    assert pack.program([(type_, "res", props)], pack_wide("no")) == []


def test_pack_wide_yes_makes_add_on_findings_mandatory_in_one_key(pack: Pack) -> None:
    program = [(v[1], v[0], v[2]) for v in ADDON_VIOLATIONS if v[3] != "envoyfilter-supported-types-only"]
    found = mandatory(pack.program(program, pack_wide("yes")))
    assert sorted(found) == sorted((v[3], v[0]) for v in ADDON_VIOLATIONS if v[3] != "envoyfilter-supported-types-only")


def test_a_declared_cluster_decides_whatever_the_pack_wide_setting(pack: Pack) -> None:
    label = mutate(NAMESPACE_PROPS, "metadata.labels", {"istio-injection": "enabled"})
    beside_addon = [(MANAGED_CLUSTER, "aks", CLUSTER), (NAMESPACE, "apps", label)]
    assert ("namespace-no-istio-injection-label", "apps") in mandatory(pack.program(beside_addon, pack_wide("no")))
    without_addon = [(MANAGED_CLUSTER, "aks", NATIVE_PLAIN), (NAMESPACE, "apps", label)]
    found = pack.program(without_addon, pack_wide("yes"))
    assert not any("istio-injection" in v.message for v in found), found


def test_a_rules_own_setting_overrides_the_pack_wide_one(pack: Pack) -> None:
    helm = ADDON_VIOLATIONS[3][2]
    program = [(HELM_RELEASE, "istiod", helm)]
    own_no = {**pack_wide("yes"), "istio-no-self-managed-install": {"clusterRunsIstioAddon": "no"}}
    assert pack.program(program, own_no) == []
    own_yes = {**pack_wide("no"), "istio-no-self-managed-install": {"clusterRunsIstioAddon": "yes"}}
    assert mandatory(pack.program(program, own_yes)) == [("istio-no-self-managed-install", "istiod")]


def test_a_disabled_settings_policy_leaves_the_rules_at_detect(pack: Pack) -> None:
    helm = ADDON_VIOLATIONS[3][2]
    program = [(HELM_RELEASE, "istiod", helm)]
    assert mandatory(pack.program(program, pack_wide("yes"))) == [("istio-no-self-managed-install", "istiod")]
    found = pack.program(program, {"pack-settings": "disabled"})  # the same request again: nothing carried over
    assert [(v.policy, v.level) for v in found] == [("stack-istio-addon-target-declared", "advisory")]


def test_settings_policy_reports_nothing_and_runs_before_every_rule(pack: Pack) -> None:
    assert pack.policies[0].name == "pack-settings"
    assert pack.policies[0].schema["clusterRunsIstioAddon"]["default"] == "detect"
    everything = [(v[1], v[0], v[2]) for v in ADDON_VIOLATIONS] + [(MANAGED_CLUSTER, "aks", CLUSTER)]
    for value in ("detect", "yes", "no"):
        assert "pack-settings" not in {v.policy for v in pack.program(everything, pack_wide(value))}


def test_exemption_applies_to_advisory_addon_findings_too(pack: Pack) -> None:
    helm = ADDON_VIOLATIONS[3][2]
    waiver = {"exemptions": [{"resource": "istiod", "reason": "our own Istio"}]}
    assert pack.program([(HELM_RELEASE, "istiod", helm)], {"istio-no-self-managed-install": waiver}) == []


def test_every_addon_scoped_policy_takes_the_setting_as_an_override(pack: Pack) -> None:
    scoped = {p.name for p in pack.policies if "clusterRunsIstioAddon" in p.schema}
    traffic_policies = {p.name for p in traffic.POLICIES}
    assert scoped == {"pack-settings", *ADDON_RULES, "agentpool-no-windows-with-istio", *traffic_policies}
    for policy in pack.policies:
        if policy.name in scoped:
            assert policy.schema["clusterRunsIstioAddon"]["enum"] == ["detect", "yes", "no"]
            # A default on a rule would always win over the pack-wide value (the engine fills defaults in).
            assert ("default" in policy.schema["clusterRunsIstioAddon"]) == (policy.name == "pack-settings")


def test_windows_pool_of_a_cluster_outside_the_program_follows_the_setting(pack: Pack) -> None:
    windows = [(AGENT_POOL, "win", {**POOL, "osType": "Windows"})]
    found = pack.program(windows)
    assert mandatory(found) == []
    assert [(v.policy, v.level) for v in found if "osType 'Windows'" in v.message] == [
        ("stack-istio-addon-target-declared", "advisory")
    ]
    assert mandatory(pack.program(windows, pack_wide("yes"))) == [("agentpool-no-windows-with-istio", "win")]
    assert not any("osType" in v.message for v in pack.program(windows, pack_wide("no")))
