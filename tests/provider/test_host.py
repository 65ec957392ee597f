"""The package's host through the real protocol: a plugin process, GetSchema, Construct against a recording
engine. The component is the probe (probe_plugin/probe.py), written as the library writes every Args, small enough
to show each thing the host adds to Pulumi's (and a refused component beside it)."""

import tomllib
from collections.abc import Iterator
from typing import Any

import grpc  # type: ignore[import-untyped]  # grpcio ships no type stubs
import pytest

from aks_istio.component_package import inference_errors, wire_value
from aks_istio.offline.capture import Secret
from tests.provider.plugin import (
    ROOT,
    STACK_URN,
    ProviderPlugin,
    RecordingEngine,
    input_errors,
    metaschema_errors,
    secret,
)
from tests.provider.probe_plugin.probe import PoolArgs, Probe, ProbeArgs, Refused, Tier
from tests.provider.schema_check import annotation_problems, program_problems

PROBE = "aks-istio:index:Probe"
PROBE_PLUGIN = ROOT / "tests" / "provider" / "probe_plugin"
INPUTS: dict[str, Any] = {
    "clusterName": "aks-probe",
    "resourceGroupName": "rg-probe",
    "tier": "Standard",
    "pools": [{"name": "apps", "maxCount": 3, "minCount": 1}],
    "tags": {"team": "platform"},
}


@pytest.fixture(scope="module")
def plugin(engine: RecordingEngine) -> Iterator[ProviderPlugin]:
    with ProviderPlugin(PROBE_PLUGIN, engine) as plugin:
        yield plugin


def test_schema_gives_every_input_its_type_description_and_requiredness(plugin: ProviderPlugin) -> None:
    probe = plugin.schema()["resources"][PROBE]
    inputs = probe["inputProperties"]
    assert probe["isComponent"] is True
    assert inputs["clusterName"] == {"type": "string", "plain": True, "description": "Name of the managed cluster."}
    assert inputs["pools"]["items"]["$ref"] == "#/types/aks-istio:index:PoolArgs"
    assert inputs["tier"]["$ref"] == "#/types/aks-istio:index:Tier"
    assert sorted(probe["requiredInputs"]) == ["clusterName", "pools", "resourceGroupName", "tier"]
    assert all(prop.get("description") for prop in inputs.values())


def test_a_field_with_a_default_is_optional_and_its_description_states_the_default(plugin: ProviderPlugin) -> None:
    """Pulumi's inference makes it required; a caller of another language may leave it out, as in Python."""
    pool = plugin.schema()["types"]["aks-istio:index:PoolArgs"]
    assert sorted(pool["required"]) == ["maxCount", "name"]
    assert pool["properties"]["minCount"]["description"] == "Lower bound of the autoscaler. Default: `1`."
    without_default = {**INPUTS, "pools": [{"name": "apps", "maxCount": 3}]}
    assert plugin.construct(PROBE, "probe-default", without_default).state["poolNames"] == ["apps"]


def test_wiring_inputs_accept_other_programs_outputs(plugin: ProviderPlugin) -> None:
    inputs = plugin.schema()["resources"][PROBE]["inputProperties"]
    assert "plain" not in inputs["resourceGroupName"]  # pulumi.Input[str]: an Output of another resource will do
    assert inputs["clusterName"]["plain"] is True  # a bare str: a value known when the program runs


def test_schema_reports_the_checkouts_version(plugin: ProviderPlugin) -> None:
    """The version the generated SDK gets: the pinned tag's pyproject version, not whatever else is installed."""
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert plugin.schema()["version"] == version


def test_schema_declares_the_outputs_the_component_registers(plugin: ProviderPlugin) -> None:
    probe = plugin.schema()["resources"][PROBE]
    assert set(probe["properties"]) == {"poolNames", "tier", "kubeconfig"}
    assert probe["properties"]["poolNames"]["type"] == "array"


def test_schema_meets_the_pulumi_package_metaschema(plugin: ProviderPlugin) -> None:
    assert metaschema_errors(plugin.schema()) == []


def test_construct_builds_the_args_dataclass_and_declares_children(
    plugin: ProviderPlugin, engine: RecordingEngine
) -> None:
    constructed = plugin.construct(PROBE, "probe", INPUTS)

    assert constructed.urn == "urn:pulumi:dev::aks-istio::aks-istio:index:Probe::probe"
    assert constructed.state["poolNames"] == ["apps"]
    assert constructed.state["tier"] == "Standard"
    component = engine.monitor.registrations[constructed.urn]
    assert component.parent == STACK_URN
    group = engine.monitor.registrations[
        f"urn:pulumi:dev::aks-istio::{PROBE}$azure-native:resources:ResourceGroup::probe-rg"
    ]
    assert group.parent == constructed.urn
    assert group.inputs == {"resourceGroupName": "rg-probe", "tags": {"team": "platform"}}
    assert set(engine.monitor.registered_outputs[constructed.urn]) == {"pool_names", "tier", "kubeconfig"}


def test_kubeconfig_reaches_the_caller_as_a_secret(plugin: ProviderPlugin, engine: RecordingEngine) -> None:
    kubeconfig = plugin.construct(PROBE, "probe-secret", INPUTS).state["kubeconfig"]

    assert isinstance(kubeconfig, Secret)
    assert "azure-native:containerservice:listManagedClusterUserCredentials" in engine.monitor.invokes
    assert "kind: Config" in kubeconfig.value  # decoded by the library, not the base64 ARM returns
    assert "secrets" in engine.monitor.features  # the SDK asked before sending secrets on the wire


def test_a_secret_input_stays_secret_in_the_children(plugin: ProviderPlugin, engine: RecordingEngine) -> None:
    plugin.construct(PROBE, "probe-wired", {**INPUTS, "resourceGroupName": secret("rg-secret")})
    group = engine.monitor.registrations[
        f"urn:pulumi:dev::aks-istio::{PROBE}$azure-native:resources:ResourceGroup::probe-wired-rg"
    ]
    assert group.inputs["resourceGroupName"] == Secret("rg-secret")


def test_args_checks_reject_bad_input_naming_the_field(plugin: ProviderPlugin) -> None:
    bad = {**INPUTS, "pools": [{"name": "apps", "maxCount": 0}]}
    with pytest.raises(grpc.RpcError) as error:
        plugin.construct(PROBE, "probe-bad", bad)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert input_errors(error.value) == ["args: Probe: pools[apps].max_count: 0 is below 1"]


def test_a_missing_required_input_is_named(plugin: ProviderPlugin) -> None:
    with pytest.raises(grpc.RpcError) as error:
        plugin.construct(PROBE, "probe-missing", {k: v for k, v in INPUTS.items() if k != "tier"})
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert input_errors(error.value) == ["tier: Missing required input 'tier' on 'Probe'"]


def test_refused_components_are_named_and_the_others_served(engine: RecordingEngine) -> None:
    with ProviderPlugin(PROBE_PLUGIN, engine) as plugin:
        served = set(plugin.schema()["resources"])
    assert served == {PROBE}
    assert "aks-istio: Refused is not served: Pulumi's schema inference refuses its Args" in plugin.stderr
    assert "Union types are not supported: found type 'int | str' for 'RefusedArgs.size'" in plugin.stderr


def test_inference_errors_name_each_refused_component() -> None:
    assert inference_errors([Probe]) == {}
    assert list(inference_errors([Refused, Probe])) == ["Refused"]


def test_wire_form_of_args_is_what_construct_takes(plugin: ProviderPlugin, engine: RecordingEngine) -> None:
    """What the package test sends for AksIstioPlatform: the Python program's own Args, in schema names."""
    args = ProbeArgs(
        cluster_name="aks-probe",
        resource_group_name="rg-probe",
        tier=Tier.STANDARD,
        pools=[PoolArgs(name="apps", max_count=3)],
        tags={"team": "platform"},
    )
    assert wire_value(args) == INPUTS
    assert plugin.construct(PROBE, "probe-wire", wire_value(args)).state["poolNames"] == ["apps"]


def test_schema_agrees_with_the_python_annotations(plugin: ProviderPlugin) -> None:
    assert annotation_problems(plugin.schema(), [Probe]) == []


def test_program_check_finds_what_a_yaml_program_gets_wrong(plugin: ProviderPlugin) -> None:
    schema = plugin.schema()
    good = {"resources": {"probe": {"type": PROBE, "properties": INPUTS}}, "outputs": {"k": "${probe.kubeconfig}"}}
    assert program_problems(schema, good) == []
    bad_properties = {
        **{k: v for k, v in INPUTS.items() if k != "clusterName"},
        "tier": "Premium",
        "pools": [{"name": "apps", "maxCount": "3", "vmSize": "x"}],
        "tag": {},
    }
    bad = {
        "resources": {"probe": {"type": PROBE, "properties": bad_properties}, "x": {"type": "aks-istio:index:Nope"}},
        "outputs": {"k": "${probe.kubeConfig}"},
    }
    assert program_problems(schema, bad) == [
        "probe.tag: no such property",
        "probe.clusterName: required but missing",
        "probe.tier: 'Premium' is not one of ['Free', 'Standard']",
        "probe.pools[0].vmSize: no such property",
        "probe.pools[0].maxCount: expected integer, got '3'",
        "x: the package has no aks-istio:index:Nope",
        "outputs.k: aks-istio:index:Probe has no output 'kubeConfig'",
    ]
