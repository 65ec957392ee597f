"""policy/analyze_once.py (the offline tool's fast path) changes how the pack's SDK does its work, never what it
answers: the patched pack and the pack as the engine runs it give the same Analyze and AnalyzeStack replies, byte
for byte."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import grpc  # type: ignore[import-untyped]  # grpcio ships no type stubs
import pytest
from google.protobuf import json_format, struct_pb2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi.runtime.proto.analyzer_pb2 import AnalyzeResponse

from aks_istio.offline.analyzer_client import (
    Analyzer,
    PolicyPackProcess,
    Resource,
    analyze_request,
    resolve_config,
    struct,
)
from aks_istio.offline.verdict import PACK_DIR
from tests.policy import fixtures as f
from tests.policy.conftest import Pack
from tests.policy.test_pack import top

TYPES = (
    f.MANAGED_CLUSTER_VERSIONED,
    f.AGENT_POOL,
    f.NAMESPACE,
    f.CONFIG_MAP,
    f.SERVICE_PATCH,
    f.HPA_PATCH,
    f.PEER_AUTHENTICATION,
    f.ENVOY_FILTER,
    f.WASM_PLUGIN,
    f.HELM_RELEASE,
    f.GATEWAY,
    "random:index/randomString:RandomString",
)
CONFIGS: dict[str, dict[str, Any] | None] = {
    "pack defaults": None,
    "prod": json.loads((PACK_DIR / "config" / "prod.json").read_text()),
    "dev (a remediate level)": json.loads((PACK_DIR / "config" / "dev.json").read_text()),
    "advisory, some disabled, some remediate": {
        "all": "advisory",
        "istio-no-blocked-custom-resources": "disabled",
        "managedcluster-rbac-enabled": "disabled",
        "managedcluster-azure-policy-addon": "remediate",
        "gateway-hpa-min-replicas": "remediate",
        "meshconfig-allowed-fields-only": {"enforcementLevel": "mandatory", "exemptions": ["shared-*"]},
    },
}
KNOWN_GOOD: list[tuple[str, dict[str, Any]]] = [
    (f.MANAGED_CLUSTER_VERSIONED, f.CLUSTER),
    (f.AGENT_POOL, f.POOL),
    (f.NAMESPACE, f.NAMESPACE_PROPS),
    (f.PEER_AUTHENTICATION, f.STRICT),
    (f.CONFIG_MAP, f.SHARED_MESH),
    (f.SERVICE_PATCH, f.GATEWAY_PATCH),
    (f.HPA_PATCH, f.GATEWAY_HPA),
    (f.ENVOY_FILTER, f.LUA_FILTER),
]


@pytest.fixture(scope="module")
def sdk_as_is() -> Iterator[Pack]:
    with PolicyPackProcess(PACK_DIR, project="aks-istio", stack="test", patched_sdk=False) as process:
        yield Pack(Analyzer(process.stub()))


@pytest.fixture(scope="module")
def patched() -> Iterator[Pack]:
    with PolicyPackProcess(PACK_DIR, project="aks-istio", stack="test", patched_sdk=True) as process:
        yield Pack(Analyzer(process.stub()))


def _configure(pack: Pack, document: dict[str, Any] | None) -> None:
    pack.analyzer.configure(resolve_config(pack.policies, document))


def _reply(pack: Pack, resource: Resource) -> bytes | str:
    """The raw Analyze reply, or the gRPC status of a failed call."""
    try:
        return bytes(pack.analyzer.stub.Analyze(analyze_request(resource)).SerializeToString(deterministic=True))
    except grpc.RpcError as error:
        return f"{error.code()}: {error.details()}"


def _resource(type_: str, props: dict[str, Any], name: str = "res") -> Resource:
    return Resource(type=type_, name=name, urn=f"urn:pulumi:test::aks-istio::{type_}::{name}", properties=struct(props))


@pytest.mark.parametrize("config", CONFIGS)
def test_known_good_and_broken_resources_get_the_same_reply(patched: Pack, sdk_as_is: Pack, config: str) -> None:
    resources = [_resource(t, p) for t, p in KNOWN_GOOD]
    broken = [
        (
            f.MANAGED_CLUSTER_VERSIONED,
            f.mutate(f.CLUSTER, "serviceMeshProfile.istio.revisions", ["asm-1-9", f.UNKNOWN]),
        ),
        (f.MANAGED_CLUSTER, f.mutate(f.CLUSTER, "addonProfiles.openServiceMesh", {"enabled": True})),
        (f.MANAGED_CLUSTER, f.mutate(f.CLUSTER, "networkProfile", f.UNKNOWN)),
        (f.CONFIG_MAP, f.mutate(f.SHARED_MESH, "data.mesh", "accessLogFile: /dev/stdout\nnotAField: 1\n")),
        (f.CONFIG_MAP, f.mutate(f.SHARED_MESH, "data.mesh", "{unclosed")),
        (f.HPA_PATCH, f.mutate(f.GATEWAY_HPA, "spec.minReplicas", 1)),
    ]
    resources += [_resource(t, p, f"broken-{i}") for i, (t, p) in enumerate(broken)]
    infinite = _resource(f.MANAGED_CLUSTER, {"k": math.inf}, "infinite")  # the SDK cannot unpack this one
    for each in (patched, sdk_as_is):
        _configure(each, CONFIGS[config])
    replies_patched = [_reply(patched, r) for r in [*resources, infinite]]
    assert replies_patched == [_reply(sdk_as_is, r) for r in [*resources, infinite]]
    assert isinstance(replies_patched[-1], str)  # the call fails, in both packs
    replies = [AnalyzeResponse.FromString(r) for r in replies_patched[:-1] if isinstance(r, bytes)]
    assert sum(len(r.diagnostics) for r in replies) >= 3  # not a comparison of empty replies

    assert sorted(d.SerializeToString() for d in patched.analyzer.analyze_stack(resources)) == sorted(
        d.SerializeToString() for d in sdk_as_is.analyzer.analyze_stack(resources)
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(props=top, type_=st.sampled_from(TYPES))
def test_fuzzed_resources_get_the_same_reply(patched: Pack, sdk_as_is: Pack, props: dict[str, Any], type_: str) -> None:
    for each in (patched, sdk_as_is):
        _configure(each, CONFIGS["prod"])
    resource = _resource(type_, props)
    assert _reply(patched, resource) == _reply(sdk_as_is, resource)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.floats(), st.integers(-(2**60), 2**60), st.text(max_size=6)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(document=st.dictionaries(st.text(max_size=5), json_values, max_size=6))
def test_properties_unpack_as_the_sdk_unpacks_them(document: dict[str, Any]) -> None:
    """The pack's direct Struct -> dict gives the rules the same values (or the same error) as json_format."""
    import analyze_once  # the pack's module (conftest puts policy/ on the path)

    message = struct(document)
    message.fields["unset"].CopyFrom(struct_pb2.Value())  # a Value with no kind: json_format prints null
    try:
        expected: Any = json_format.MessageToDict(message)
    except ValueError as error:  # an infinite or NaN number
        expected = repr(error)
    try:
        actual: Any = analyze_once.struct_to_dict(message)
    except ValueError as error:
        actual = repr(error)
    assert json.dumps(actual) == json.dumps(expected)
    if isinstance(actual, dict):
        assert list(actual) == list(expected)  # same key order, as policies iterating props see it
