"""The Fleet Manager component: the Fleet, one member per cluster in its wave's group, and an update strategy
whose stages are the waves with their soak; payloads checked against Microsoft's Fleet models."""

from __future__ import annotations

from pathlib import Path

import azure.mgmt.containerservicefleet.models as fleet_sdk
import pytest

from aks_istio.fleet.fleet_manager import AksIstioFleetManager, fleet_manager_args
from aks_istio.fleet.model import load_fleet
from aks_istio.tokens import type_token
from tests.components.arm_oracle import problems
from tests.fleet.support import FLEET_MANAGER, example_copy, run
from tests.support import capture_program


def with_manager(tmp_path: Path, kubernetes: bool) -> Path:
    fleet = example_copy(tmp_path)
    text = FLEET_MANAGER if not kubernetes else FLEET_MANAGER.replace("kubernetes: false", "kubernetes: true")
    fleet.write_text(fleet.read_text() + text)
    return fleet


def test_the_component_declares_fleet_members_by_wave_and_the_waves_as_stages(tmp_path: Path) -> None:
    args = fleet_manager_args(load_fleet(with_manager(tmp_path, kubernetes=False)))

    def program() -> None:
        AksIstioFleetManager("payments", args)

    capture = capture_program(program)
    (component,) = capture.of_type(type_token("AksIstioFleetManager"))
    (fleet,) = capture.of_type("azure-native:containerservice:Fleet")
    members = capture.of_type("azure-native:containerservice:FleetMember")
    (strategy,) = capture.of_type("azure-native:containerservice:FleetUpdateStrategy")
    assert all(r.parent == component.urn for r in [fleet, *members, strategy])
    assert fleet.inputs["fleetName"] == "payments" and fleet.inputs["location"] == "westeurope"
    groups = {m.inputs["fleetMemberName"]: m.inputs["group"] for m in members}
    assert groups == {
        "aks-payments-weu-canary": "canary",
        "aks-payments-weu-1": "europe",
        "aks-payments-neu-1": "europe",
        "aks-payments-eus-1": "americas",
        "aks-payments-wus-1": "americas",
        "aks-payments-cus-1": "americas",
    }
    weu = next(m for m in members if m.inputs["fleetMemberName"] == "aks-payments-weu-1")
    assert weu.inputs["clusterResourceId"] == (
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-aks-payments-weu-1/providers/"
        "Microsoft.ContainerService/managedClusters/aks-payments-weu-1"
    )
    stages = strategy.inputs["strategy"]["stages"]
    assert [(s["name"], [g["name"] for g in s["groups"]], s["afterStageWaitInSeconds"]) for s in stages] == [
        ("canary", ["canary"], 3600),
        ("europe", ["europe"], 7200),
        ("americas", ["americas"], 7200),
    ]
    assert set(strategy.dependencies) >= {m.urn for m in members}
    # Microsoft's models (azure-mgmt-containerservicefleet): every key known, every required field there.
    assert problems({"strategy": strategy.inputs["strategy"]}, fleet_sdk.FleetUpdateStrategyProperties) == []
    for member in members:
        body = {k: member.inputs[k] for k in ("clusterResourceId", "group")}
        assert problems(body, fleet_sdk.FleetMemberProperties) == []
    assert problems({"location": "westeurope"}, fleet_sdk.Fleet) == []


def test_the_oracle_catches_a_wrong_fleet_payload() -> None:
    bad = {"strategy": {"stages": [{"name": "x", "afterStageWait": 60, "groups": [{"nam": "x"}]}]}}
    found = problems(bad, fleet_sdk.FleetUpdateStrategyProperties)
    assert any("afterStageWait: not a field" in p for p in found)
    assert any("groups[0].nam: not a field" in p for p in found)


def test_fleet_manager_owned_kubernetes_turns_auto_upgrade_off_and_the_plan_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fleet = with_manager(tmp_path, kubernetes=True)
    code, _, err = run(capsys, "plan", "--fleet", str(fleet))
    assert code == 2
    # Every member stack must hand its Kubernetes version to Fleet Manager: AKS auto-upgrade off.
    assert err.count("but Fleet Manager owns its Kubernetes version") == 6
    assert "allowed: cluster.upgrade.channel: none in the stack file" in err
    for stack in (fleet.parent / "stacks").glob("*.yaml"):
        text = stack.read_text().replace("        channel: stable ", "        channel: none ")
        if "channel:" not in text:
            text = text.replace("      userPools:", "      upgrade: {channel: none}\n      userPools:")
        stack.write_text(text)
    code, out, err = run(capsys, "plan", "--fleet", str(fleet))
    assert code == 0, err
    assert ". kubernetes-upgrade" not in out
    assert out.count("Kubernetes is upgraded by fleet-manager (fleet k8s-run): no kubernetes-upgrade step") == 5
