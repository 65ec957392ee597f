"""AppIngress and AksIstioFleetManager as another language's program meets them: constructed through the component
package's plugin over gRPC (the plugin started as Pulumi starts it, a recording resource monitor), with the
inputs a TypeScript or YAML program sends (camelCase objects, a Kubernetes provider passed as a resource reference,
ids not known yet at preview)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import grpc  # type: ignore[import-untyped]  # grpcio ships no type stubs
import pytest

from aks_istio.addon import secure_ingress as si
from aks_istio.addon import support_matrix as sm
from aks_istio.component_package import wire_value
from aks_istio.fleet.fleet_manager import AksIstioFleetManagerArgs, FleetManagerMember, FleetManagerStage
from aks_istio.gateways.app_ingress_values import AppRoute
from aks_istio.offline.capture import UNKNOWN, CapturedResource, Secret, Unknown
from aks_istio.value_checks import camel
from tests.components.gateways.app_ingress_cases import (
    API_GATEWAY,
    CLIENT_ID,
    DEPLOYMENT,
    FULL,
    ISTIO_GATEWAY,
    OBJECT_ID,
    ROLE_ASSIGNMENT,
    ROUTE_FIELDS,
    SPC,
    SUBSCRIPTION,
    VARIANTS,
    VAULT_ID,
    VIRTUAL_SERVICE,
    args_fields,
    declare,
)
from tests.provider.plugin import (
    PROVIDER_DIR,
    STACK,
    ProviderPlugin,
    RecordingEngine,
    input_errors,
    resource_reference,
    secret,
)

APP_INGRESS = "aks-istio:index:AppIngress"
FLEET_MANAGER = "aks-istio:index:AksIstioFleetManager"
# The caller's Kubernetes provider, as the engine refers to it (`<urn>::<id>`); named as the in-process twin's.
KUBERNETES_PROVIDER = f"urn:pulumi:{STACK}::aks-istio::pulumi:providers:kubernetes::cluster::provider-id"


@pytest.fixture(scope="module")
def plugin(engine: RecordingEngine) -> Iterator[ProviderPlugin]:
    with ProviderPlugin(PROVIDER_DIR, engine) as plugin:
        yield plugin


def construct(
    engine: RecordingEngine, plugin: ProviderPlugin, token: str, name: str, inputs: dict[str, Any]
) -> tuple[dict[str, Any], list[CapturedResource]]:
    """The component's outputs and the resources it declared (one Construct; the monitor starts empty)."""
    engine.monitor.registrations.clear()
    constructed = plugin.construct(token, name, inputs)
    children = [r for r in engine.monitor.registrations.values() if r.urn != constructed.urn]
    assert all(token in r.urn.split("::")[2] for r in children)  # every one parented under the component
    return constructed.state, children


def app_ingress_inputs(**changes: Any) -> dict[str, Any]:
    """What another language sends for the SIMPLE app with `changes` (the Python tests' cases, on the wire)."""
    fields = args_fields(**changes)
    route = AppRoute(**{k: v for k, v in fields.items() if k in ROUTE_FIELDS})
    wiring = {k: v for k, v in fields.items() if k not in ROUTE_FIELDS}
    inputs = {"route": wire_value(route), **{camel(k): wire_value(v) for k, v in wiring.items()}}
    return inputs | {"kubernetesProvider": resource_reference(KUBERNETES_PROVIDER)}


def by_type(resources: list[CapturedResource]) -> dict[str, list[CapturedResource]]:
    found: dict[str, list[CapturedResource]] = {}
    for resource in resources:
        found.setdefault(resource.type, []).append(resource)
    return found


def comparable(resources: list[CapturedResource]) -> list[tuple[str, str, Any, str, list[str]]]:
    """What a registration says, independent of the program's project and stack: type, name, inputs, the
    provider's name, and the names of what it waits for."""
    return sorted(
        (
            r.type,
            r.name,
            r.inputs,
            r.provider.split("::")[-2] if r.provider else "",
            sorted(urn.rsplit("::", 1)[-1] for urn in r.dependencies),
        )
        for r in resources
    )


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_app_ingress_constructed_declares_what_the_python_component_declares(
    engine: RecordingEngine, plugin: ProviderPlugin, variant: str
) -> None:
    """Each variant (SIMPLE, MUTUAL, PASSTHROUGH, NONE, Gateway API) over gRPC: the same children, payloads,
    provider and ordering as the component declares in a Python program."""
    _, declared = construct(engine, plugin, APP_INGRESS, "shop", app_ingress_inputs(**VARIANTS[variant]))
    in_python = [r for r in declare(**VARIANTS[variant]).resources if r.custom and "AppIngress" in r.parent]
    assert comparable(declared) == comparable(in_python)


def test_app_ingress_constructed_syncs_the_certificate_binds_the_gateway_and_grants_the_addon_identity(
    engine: RecordingEngine, plugin: ProviderPlugin
) -> None:
    outputs, declared = construct(engine, plugin, APP_INGRESS, "shop", app_ingress_inputs(**FULL))
    found = by_type(declared)
    (spc,), (sync,), (gateway,), (route,), (grant,) = (
        found[t] for t in (SPC, DEPLOYMENT, ISTIO_GATEWAY, VIRTUAL_SERVICE, ROLE_ASSIGNMENT)
    )
    # Every Kubernetes object goes through the provider the caller passed, none through a default provider (its id
    # is not known at preview: the engine answers the plugin's lookup without one).
    providers = {r.provider.rsplit("::", 1)[0] for r in declared if r.type.startswith("kubernetes:")}
    assert providers == {KUBERNETES_PROVIDER.rsplit("::", 1)[0]}
    # The certificate: synced into the gateway pods' namespace with the secrets provider add-on's identity, by a
    # pod that mounts it; the grant is for that identity on the certificate's vault.
    credential = spc.inputs["spec"]["secretObjects"][0]["secretName"]
    assert spc.inputs["metadata"]["namespace"] == sync.inputs["metadata"]["namespace"] == sm.ADDON_INGRESS_NAMESPACE
    assert spc.inputs["spec"]["parameters"]["userAssignedIdentityID"] == CLIENT_ID
    volume = sync.inputs["spec"]["template"]["spec"]["volumes"][0]["csi"]
    assert (volume["driver"], volume["volumeAttributes"]["secretProviderClass"]) == (
        si.SECRETS_STORE_CSI_DRIVER,
        spc.inputs["metadata"]["name"],
    )
    assert (grant.inputs["principalId"], grant.inputs["scope"]) == (OBJECT_ID, VAULT_ID)
    assert grant.inputs["roleDefinitionId"].endswith(sm.ROLE_KEY_VAULT_SECRETS_USER)
    # The Gateway selects the add-on's external gateway and terminates TLS with that Secret; the route is bound to
    # it by `<namespace>/<name>`, and the gateway waits for its certificate.
    assert gateway.inputs["spec"]["selector"] == {"istio": sm.INGRESS_GATEWAY_SERVICES["External"]}
    https = next(s for s in gateway.inputs["spec"]["servers"] if s["port"]["number"] == sm.INGRESS_GATEWAY_HTTPS_PORT)
    assert https["tls"] == {"mode": "SIMPLE", "credentialName": credential}
    namespace = gateway.inputs["metadata"]["namespace"]
    assert route.inputs["spec"]["gateways"] == [f"{namespace}/{gateway.inputs['metadata']['name']}"]
    assert {spc.urn, sync.urn, grant.urn} <= set(gateway.dependencies)
    # What the caller's program reads back.
    assert outputs == {
        "gateway": f"{namespace}/{gateway.inputs['metadata']['name']}",
        "hosts": ["shop.example.com"],
        "credentialName": credential,
    }


def test_app_ingress_previews_before_the_cluster_reports_its_addon_identity(
    engine: RecordingEngine, plugin: ProviderPlugin
) -> None:
    """At the first preview the cluster does not exist yet: the add-on identity's ids are unknown. The component
    still declares everything, the identity-bearing fields unknown, nothing refused."""
    inputs = app_ingress_inputs() | {"secretsProviderClientId": UNKNOWN, "secretsProviderObjectId": UNKNOWN}
    _, declared = construct(engine, plugin, APP_INGRESS, "shop", inputs)
    found = by_type(declared)
    assert isinstance(found[SPC][0].inputs["spec"]["parameters"]["userAssignedIdentityID"], Unknown)
    assert isinstance(found[ROLE_ASSIGNMENT][0].inputs["principalId"], Unknown)
    assert set(found) == {SPC, DEPLOYMENT, ISTIO_GATEWAY, VIRTUAL_SERVICE, ROLE_ASSIGNMENT}


def test_app_ingress_keeps_what_the_caller_marked_secret_secret(
    engine: RecordingEngine, plugin: ProviderPlugin
) -> None:
    """AppIngress has no secret inputs of its own, but what a caller passes as a secret (here the add-on identity's
    ids, read from a secret config value) reaches the engine as a secret wherever the component puts it: never in
    plain text in the state."""
    inputs = app_ingress_inputs() | {
        "secretsProviderClientId": secret(CLIENT_ID),
        "secretsProviderObjectId": secret(OBJECT_ID),
    }
    _, declared = construct(engine, plugin, APP_INGRESS, "shop", inputs)
    found = by_type(declared)
    assert found[SPC][0].inputs["spec"]["parameters"]["userAssignedIdentityID"] == Secret(CLIENT_ID)
    grant = found[ROLE_ASSIGNMENT][0].inputs
    assert grant["principalId"] == Secret(OBJECT_ID)
    assert isinstance(grant["roleAssignmentName"], Secret)  # derived from the principal: secret too


def test_app_ingress_bad_values_are_refused_before_anything_is_declared(
    engine: RecordingEngine, plugin: ProviderPlugin
) -> None:
    bad = app_ingress_inputs()
    bad["route"] |= {"httpsPort": 8443, "tlsMode": "MUTUAL"}  # a port the gateway lacks; no client CA
    engine.monitor.registrations.clear()
    with pytest.raises(grpc.RpcError) as error:
        plugin.construct(APP_INGRESS, "shop", bad)
    assert engine.monitor.registrations == {}
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    said = " ".join(input_errors(error.value))  # every problem at once, each naming its field
    assert re.search(r"ca_?[oO]bject_?[nN]ame", said) and "missing" in said
    assert re.search(r"https_?[pP]ort", said) and "8443" in said and sm.INGRESS_GATEWAY_SERVICES["External"] in said


def test_gateway_api_variant_constructed_puts_its_certificate_beside_its_own_gateway(
    engine: RecordingEngine, plugin: ProviderPlugin
) -> None:
    _, declared = construct(engine, plugin, APP_INGRESS, "shop", app_ingress_inputs(**VARIANTS["gateway-api"]))
    found = by_type(declared)
    (gateway,), (spc,) = found[API_GATEWAY], found[SPC]
    assert gateway.inputs["spec"]["gatewayClassName"] == "istio"
    assert spc.inputs["metadata"]["namespace"] == gateway.inputs["metadata"]["namespace"]


# --- AksIstioFleetManager -----------------------------------------------------------------------------------------

CLUSTER_ID = (
    f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-aks-weu/providers/Microsoft.ContainerService/managedClusters"
)


def fleet_inputs(**changes: Any) -> dict[str, Any]:
    """A TypeScript program's fleet of three clusters in two waves; the canary's id is its cluster's output, not
    known at preview."""
    args = AksIstioFleetManagerArgs(
        resource_group_name="rg-fleet",
        fleet_name="payments",
        location="westeurope",
        members=[
            FleetManagerMember(
                name="aks-weu-canary", cluster_resource_id=f"{CLUSTER_ID}/aks-weu-canary", group="canary"
            ),
            FleetManagerMember(name="aks-weu-1", cluster_resource_id=f"{CLUSTER_ID}/aks-weu-1", group="europe"),
            FleetManagerMember(name="aks-neu-1", cluster_resource_id=f"{CLUSTER_ID}/aks-neu-1", group="europe"),
        ],
        stages=[
            FleetManagerStage(name="canary", groups=["canary"], after_stage_wait_seconds=3600),
            FleetManagerStage(name="europe", groups=["europe"]),
        ],
        tags={"team": "platform"},
    )
    inputs: dict[str, Any] = wire_value(args)
    inputs["members"][0]["clusterResourceId"] = UNKNOWN
    return inputs | changes


def test_fleet_manager_constructed_joins_each_cluster_in_its_wave_and_stages_the_waves(
    engine: RecordingEngine, plugin: ProviderPlugin
) -> None:
    _, declared = construct(engine, plugin, FLEET_MANAGER, "payments", fleet_inputs())
    found = by_type(declared)
    (fleet,) = found["azure-native:containerservice:Fleet"]
    members = found["azure-native:containerservice:FleetMember"]
    (strategy,) = found["azure-native:containerservice:FleetUpdateStrategy"]
    assert (fleet.inputs["fleetName"], fleet.inputs["location"], fleet.inputs["tags"]) == (
        "payments",
        "westeurope",
        {"team": "platform"},
    )
    assert {m.inputs["fleetMemberName"]: m.inputs["group"] for m in members} == {
        "aks-weu-canary": "canary",
        "aks-weu-1": "europe",
        "aks-neu-1": "europe",
    }
    ids = {m.inputs["fleetMemberName"]: m.inputs["clusterResourceId"] for m in members}
    assert isinstance(ids.pop("aks-weu-canary"), Unknown)  # wired from a cluster not created yet: previewed anyway
    assert ids == {"aks-weu-1": f"{CLUSTER_ID}/aks-weu-1", "aks-neu-1": f"{CLUSTER_ID}/aks-neu-1"}
    stages = strategy.inputs["strategy"]["stages"]
    assert [(s["name"], [g["name"] for g in s["groups"]], s["afterStageWaitInSeconds"]) for s in stages] == [
        ("canary", ["canary"], 3600),
        ("europe", ["europe"], 0),
    ]
    assert {m.urn for m in members} <= set(strategy.dependencies)  # the groups exist once their members joined


def test_fleet_manager_bad_values_are_refused_each_at_its_input(
    engine: RecordingEngine, plugin: ProviderPlugin
) -> None:
    inputs = fleet_inputs(fleetName="Payments_EU")
    inputs["members"][1]["group"] = "americas"  # in no stage: never updated
    inputs["stages"][1]["afterStageWaitSeconds"] = -60
    engine.monitor.registrations.clear()
    with pytest.raises(grpc.RpcError) as error:
        plugin.construct(FLEET_MANAGER, "payments", inputs)
    assert engine.monitor.registrations == {}
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    problems = dict(problem.split(": ", 1) for problem in input_errors(error.value))
    assert sorted(problems) == ["fleetName", "members[1].group", "stages[1].afterStageWaitSeconds"]
    assert "1-63 lowercase letters" in problems["fleetName"]
    assert "'americas' is in no stage, so no update run would ever update 'aks-weu-1'" in problems["members[1].group"]
    assert "allowed: >= 0" in problems["stages[1].afterStageWaitSeconds"]


def test_fleet_manager_args_are_what_the_fleet_file_gives_in_python_too() -> None:
    """The same checks in a Python program: a stage naming a group no member is in is refused by name."""
    with pytest.raises(ValueError, match=r"stages\[0\]\.groups: 'asia' has no member"):
        AksIstioFleetManagerArgs(
            resource_group_name="rg-fleet",
            fleet_name="payments",
            location="westeurope",
            members=[FleetManagerMember(name="aks-1", cluster_resource_id=f"{CLUSTER_ID}/aks-1", group="europe")],
            stages=[FleetManagerStage(name="asia", groups=["asia"]), FleetManagerStage(name="eu", groups=["europe"])],
        )
