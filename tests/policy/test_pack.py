"""The pack as users meet it: metadata of every policy, a light virtualenv, fuzzed inputs, our stacks, the CLI."""

from __future__ import annotations

import json
import os
import re
import site
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aks_istio import cli
from aks_istio.offline.analyzer_client import Analyzer, PolicyPackProcess, Resource, resolve_config, struct
from aks_istio.offline.policy_bundle import ADDON_FACTS
from aks_istio.offline.verdict import PACK_DIR
from tests.policy.conftest import Pack
from tests.policy.fixtures import CLUSTER, MANAGED_CLUSTER, SECRET_SIG, UNKNOWN, mutate

NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")


def test_every_policy_states_name_sentence_severity_remediation_and_url(pack: Pack) -> None:
    assert len(pack.policies) >= 45
    names = [p.name for p in pack.policies]
    assert len(names) == len(set(names))
    for policy in pack.policies:
        assert NAME.match(policy.name), policy.name
        assert policy.description[0].isupper() and policy.description.endswith("."), policy.name
        assert policy.severity in {"low", "medium", "high", "critical"}, policy.name
        assert policy.remediation and policy.url.startswith("https://"), policy.name
        assert "exemptions" in policy.schema, policy.name


def test_every_policy_has_a_row_in_the_policy_reference(pack: Pack) -> None:
    reference = (PACK_DIR.parent / "docs" / "policy.md").read_text()
    documented = set(re.findall(r"^\| `([a-z0-9-]+)` \| (?:resource|stack) \|", reference, re.MULTILINE))
    assert documented == {p.name for p in pack.policies}


def test_environment_configs_name_only_real_policies(pack: Pack) -> None:
    names = {p.name for p in pack.policies} | {"all"}
    for env in ("dev", "staging", "prod"):
        document = json.loads((PACK_DIR / "config" / f"{env}.json").read_text())
        assert set(document) <= names, env


def test_pack_runs_without_provider_sdks_or_pydantic() -> None:
    probe = (
        "import runpy, sys, threading\n"
        "import pulumi_policy.policy as p\n"
        "class Stop(Exception): pass\n"
        "def fake(*a, **k): raise Stop()\n"
        "p.PolicyPack.__init__ = fake\n"
        "try:\n"
        f"    runpy.run_path({str(PACK_DIR / '__main__.py')!r}, run_name='__main__')\n"
        "except Stop:\n"
        "    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('pulumi_azure_native', 'pydantic',"
        " 'pulumi_kubernetes'))\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
    lines = (PACK_DIR / "requirements.txt").read_text().splitlines()
    packages = {re.split(r"[=<>~ ]", line)[0].lower() for line in lines if line and not line.startswith("#")}
    assert packages == {"pulumi", "pulumi-policy", "pyyaml"}


def test_the_bundled_pack_runs_on_its_own(tmp_path: Path, pack: Pack, monkeypatch: pytest.MonkeyPatch) -> None:
    """What `pulumi policy publish` uploads: the bundle alone, with no aks-istio checkout or install beside it."""
    bundle = tmp_path / "published" / "aks-istio-guardrails"
    assert cli.main(["policy-bundle", str(bundle)]) == 0
    assert not list(bundle.rglob("__pycache__")) and not (bundle / "venv").exists()
    for fact in ADDON_FACTS.glob("*.py"):
        assert (bundle / "aks_istio" / "addon" / fact.name).read_text() == fact.read_text()
    # The pack's own virtualenv has pulumi and pulumi-policy, not the aks_istio library: `-S` skips the .pth
    # files (an editable install of the library is one), and the site-packages come back through PYTHONPATH.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(site.getsitepackages()))
    with PolicyPackProcess(bundle, project="aks-istio", stack="dev", python_options=["-S"]) as process:
        bundled = Analyzer(process.stub())
        assert [p.name for p in bundled.info()] == [p.name for p in pack.policies]
        bundled.configure(resolve_config(bundled.info(), None))
        # A fact from the support matrix: which revisions run on which Kubernetes versions.
        old = mutate(CLUSTER, "serviceMeshProfile.istio.revisions", ["asm-1-24"])
        found = bundled.analyze(Resource(type=MANAGED_CLUSTER, name="aks", urn="urn:x::aks", properties=struct(old)))
        assert "managedcluster-istio-revision-kubernetes-compatible" in {d.policyName for d in found}


# --- Fuzzing: arbitrary property bags never crash a policy and never yield malformed results -----------------
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 300),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        [
            UNKNOWN,
            "Istio",
            "Windows",
            "asm-1-30",
            "asm-1-9",
            "1.34",
            "Standard",
            "enabled",
            "",
            "aks-istio-ingress",
            "aks-istio-ingressgateway-external",
            "PERMISSIVE",
            "true",
            "Gateway",
        ]
    ),
    st.text(max_size=8),
)
KEYS = st.sampled_from(
    [
        "serviceMeshProfile",
        "mode",
        "istio",
        "revisions",
        "components",
        "ingressGateways",
        "egressGateways",
        "enabled",
        "addonProfiles",
        "openServiceMesh",
        "agentPoolProfiles",
        "osType",
        "kubernetesVersion",
        "metadata",
        "name",
        "namespace",
        "labels",
        "annotations",
        "spec",
        "minReplicas",
        "mtls",
        "data",
        "mesh",
        "configPatches",
        "patch",
        "value",
        "chart",
        "apiVersion",
        "kind",
        "certificateAuthority",
        "plugin",
        "networkProfile",
        "sku",
        "tier",
        "apiServerAccessProfile",
        "istio.io/rev",
        "enableRBAC",
        "@type",
        "portLevelMtls",
        "resourceUri",
        "selector",
        "servers",
        "hosts",
        "port",
        "number",
        "tls",
        "credentialName",
        "gateways",
        "http",
        "route",
        "destination",
        "host",
        "subset",
        "template",
        "volumes",
        "secretObjects",
        "secretName",
    ]
)


def _secret(value: Any) -> dict[str, Any]:
    return {**SECRET_SIG, "value": value}


bags = st.recursive(
    leaves,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=5), inner.map(_secret)),
    max_leaves=25,
)
top = st.dictionaries(KEYS, bags, max_size=8)


def _plain(value: Any) -> Any:
    """What the SDK hands a rule: secrets unwrapped (pulumi_policy deserialize_properties)."""
    if isinstance(value, Mapping):
        if SECRET_SIG.items() <= value.items():
            return _plain(value.get("value"))
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _checks() -> list[Any]:
    import rules
    from rules import traffic

    return [
        getattr(module, name)
        for module in (*rules.MODULES, *traffic.MODULES)
        for name in dir(module)
        if name.startswith("check_") and callable(getattr(module, name))
    ]


CHECKED_TYPES = (
    "azure-native:containerservice:ManagedCluster",
    "azure-native:containerservice:AgentPool",
    "azure:containerservice/kubernetesCluster:KubernetesCluster",
    "azure:containerservice/kubernetesClusterNodePool:KubernetesClusterNodePool",
)
STACK_TYPES = (
    *CHECKED_TYPES,
    "kubernetes:core/v1:Namespace",
    "kubernetes:core/v1:ServicePatch",
    "kubernetes:security.istio.io/v1:PeerAuthentication",
    "azure-native:monitor:DataCollectionRuleAssociation",
    "kubernetes:networking.istio.io/v1:Gateway",
    "kubernetes:networking.istio.io/v1:VirtualService",
    "kubernetes:networking.istio.io/v1:DestinationRule",
    "kubernetes:core/v1:Secret",
    "kubernetes:apps/v1:Deployment",
    "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass",
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(props=top)
def test_fuzzed_property_bags_never_make_a_rule_raise(props: dict[str, Any]) -> None:
    """Any property bag either gets a verdict or "cannot decide" (Undecidable, for unknowns and types ARM would
    reject): no other exception, which the pack would report as a failed rule."""
    from pulumi_policy.proxy import unknown_checking_proxy
    from rules._common import RESOURCE_TYPE, Undecidable
    from rules.deferred import RAISED
    from rules.factories import StackRequest
    from rules.stack import StackResource
    from rules.traffic.analysis import build

    proxied = unknown_checking_proxy(_plain(props))
    stack = [StackResource(t, "r", f"urn:{t}", proxied) for t in STACK_TYPES]
    for check in _checks():
        try:
            first = check.__code__.co_varnames[0]
            if first == "traffic":
                result = check(build(stack, {}))
                assert all(isinstance(u, str) and isinstance(m, str) for u, m in result)
            elif first == "request":
                result = check(StackRequest(stack, {}, "fuzz"))
                assert all(isinstance(u, str) and isinstance(m, str) for u, m in result)
            elif first == "resources":
                result = check(stack, {})
                assert all(isinstance(u, str) and isinstance(m, str) for u, m in result)
            else:
                for type_ in CHECKED_TYPES:
                    assert all(isinstance(m, str) and m for m in check(proxied, {RESOURCE_TYPE: type_}))
        except Undecidable:
            pass  # "cannot decide": the factory reports nothing for this resource
        assert RAISED.findings == [], check.__name__  # what a stack check judged per resource and raised


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(props=top)
def test_fuzzed_resources_through_grpc_never_fail_the_call_or_a_rule(pack: Pack, props: dict[str, Any]) -> None:
    resources = [(t, f"fuzz{i}", props) for i, t in enumerate([*STACK_TYPES, "kubernetes:helm.sh/v3:Release"])]
    for verdict in pack.program(resources):
        assert verdict.policy and verdict.message
        assert verdict.policy not in {"pack-resource-rule-raised", "pack-stack-rule-raised"}, verdict.message
        assert "can't run policy" not in verdict.message


# --- Our stacks, and the CLI a user runs ------------------------------------------------------------------------
@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_our_stacks_have_no_mandatory_violation(stack: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["check", "--stack", stack, "--json"])
    document = json.loads(capsys.readouterr().out)
    mandatory = [v for v in document["policy"]["violations"] if v["enforcement"] == "mandatory"]
    assert (code, mandatory) == (0, [])
    assert document["policy"]["environment"] == document["policy"]["tier"] == stack


def _stack_file(tmp_path: Path, platform_changes: str = "") -> str:
    source = (Path(cli.__file__).resolve().parent.parent / "stacks" / "Pulumi.dev.yaml").read_text()
    path = tmp_path / "Pulumi.team.yaml"
    path.write_text(source + platform_changes)
    return str(path)


def test_sarif_output_lists_rules_and_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "verdict.sarif"
    assert cli.main(["check", "--stack", "dev", "--sarif", str(out)]) == 0
    sarif = json.loads(out.read_text())
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} >= {"managedcluster-no-osm-with-istio"}
    result = next(r for r in run["results"] if r["ruleId"] == "peerauthentication-no-permissive-mtls")
    assert result["level"] == "warning"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "stacks/Pulumi.dev.yaml"
    assert "[advisory] peerauthentication-no-permissive-mtls" in capsys.readouterr().out


def test_preview_prints_tree_then_verdict_grouped_by_resource(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["preview", "--stack", "dev"]) == 0
    out = capsys.readouterr().out
    tree, verdict = out.split("Policy aks-istio-guardrails", 1)
    assert "azure-native:containerservice:ManagedCluster" in tree
    assert "aks-istio-dev-mesh-legacy-mtls-permissive  (kubernetes:security.istio.io/v1:PeerAuthentication)" in verdict
