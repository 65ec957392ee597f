"""Add-on rules on Kubernetes resources apply where the add-on runs (AnalyzeStack): refused beside the add-on,
silent for self-managed Istio on a cluster without it, advisory (naming the rule) when the program declares no
cluster, and as `clusterRunsIstioAddon` says when it is set."""

from __future__ import annotations

from typing import Any

import pytest

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


def test_cluster_runs_addon_setting_decides_for_a_program_without_a_cluster(pack: Pack) -> None:
    helm = ADDON_VIOLATIONS[3][2]
    setting = {"istio-no-self-managed-install": {"clusterRunsIstioAddon": "yes"}}
    assert mandatory(pack.program([(HELM_RELEASE, "istiod", helm)], setting)) == [
        ("istio-no-self-managed-install", "istiod")
    ]
    setting = {"istio-no-self-managed-install": {"clusterRunsIstioAddon": "no"}}
    assert pack.program([(HELM_RELEASE, "istiod", helm)], setting) == []


def test_exemption_applies_to_advisory_addon_findings_too(pack: Pack) -> None:
    helm = ADDON_VIOLATIONS[3][2]
    waiver = {"exemptions": [{"resource": "istiod", "reason": "our own Istio"}]}
    assert pack.program([(HELM_RELEASE, "istiod", helm)], {"istio-no-self-managed-install": waiver}) == []


def test_every_addon_scoped_policy_takes_the_setting(pack: Pack) -> None:
    scoped = {p.name for p in pack.policies if "clusterRunsIstioAddon" in p.schema}
    assert scoped == {*ADDON_RULES, "agentpool-no-windows-with-istio"}
    for policy in pack.policies:
        if policy.name in scoped:
            assert policy.schema["clusterRunsIstioAddon"]["enum"] == ["detect", "yes", "no"]


def test_windows_pool_of_a_cluster_outside_the_program_follows_the_setting(pack: Pack) -> None:
    windows = [(AGENT_POOL, "win", {**POOL, "osType": "Windows"})]
    found = pack.program(windows)
    assert mandatory(found) == []
    assert [(v.policy, v.level) for v in found if "osType 'Windows'" in v.message] == [
        ("stack-istio-addon-target-declared", "advisory")
    ]
    setting = {"agentpool-no-windows-with-istio": {"clusterRunsIstioAddon": "yes"}}
    assert mandatory(pack.program(windows, setting)) == [("agentpool-no-windows-with-istio", "win")]
    setting = {"agentpool-no-windows-with-istio": {"clusterRunsIstioAddon": "no"}}
    assert not any("osType" in v.message for v in pack.program(windows, setting))
