"""`fleet k8s-run`: Fleet Manager update runs for the fleet's Kubernetes and node-image waves, gated by `fleet gate`.

Through azure-mgmt-containerservicefleet (`pip install 'aks-istio[fleet]'`) at its API 2026-06-01, the first GA
API with approval gates and `maxConcurrency` (pulumi-azure-native 3.29's Fleet resources are at 2024-05-02-preview,
which has neither). The gated strategy has one stage per wave, `maxConcurrency` = `maxParallel`, the soak as
`afterStageWaitInSeconds`, and an `Approval` gate after every gated wave; the run upgrades Kubernetes to the
fleet's target (and node images to the latest). `approve` runs the wave's `fleet gate` and, only when it passes,
completes the run's pending gate after that wave (https://learn.microsoft.com/azure/kubernetes-fleet/update-orchestration).
The payloads are built here as REST bodies (pure functions); the SDK's models validate them on the way out.
"""

from __future__ import annotations

from typing import Any, Final

from aks_istio.fleet.model import Fleet

API_VERSION: Final = "2026-06-01"
STRATEGY_NAME: Final = "aks-istio-waves"
GATE_PREFIX: Final = "aks-istio fleet gate"
UPGRADE_TYPES: Final = ("Full", "ControlPlaneOnly", "NodeImageOnly")


class FleetManagerError(RuntimeError):
    """Fleet Manager could not be asked or answered otherwise than expected (the message says what and where)."""


def gated_strategy(fleet: Fleet) -> dict[str, Any]:
    """The update strategy's REST body: the waves as stages, each gated wave followed by an approval gate."""
    stages = []
    for wave in fleet.settings.waves:
        stage: dict[str, Any] = {
            "name": wave.name,
            "groups": [{"name": wave.name}],
            "afterStageWaitInSeconds": wave.soak_minutes * 60,
            "maxConcurrency": str(wave.max_parallel),
        }
        if wave.gate is not None:
            stage["afterGates"] = [{"displayName": f"{GATE_PREFIX} {wave.name}", "type": "Approval"}]
        stages.append(stage)
    return {"properties": {"strategy": {"stages": stages}}}


def update_run(fleet: Fleet, strategy_id: str, upgrade_type: str) -> dict[str, Any]:
    """The update run's REST body: the strategy, Kubernetes to the fleet's target (unless node images only)."""
    upgrade: dict[str, Any] = {"type": upgrade_type}
    if upgrade_type != "NodeImageOnly":
        upgrade["kubernetesVersion"] = fleet.settings.target.kubernetes_version
    return {
        "properties": {
            "updateStrategyId": strategy_id,
            "managedClusterUpdate": {"upgrade": upgrade, "nodeImageSelection": {"type": "Latest"}},
        }
    }


def client(subscription_id: str, credential: Any = None, **kwargs: Any) -> Any:
    """The SDK client at API 2026-06-01 (the default credential unless one is given)."""
    try:
        from azure.mgmt.containerservicefleet import ContainerServiceFleetMgmtClient
    except ImportError:
        raise FleetManagerError(
            "azure-mgmt-containerservicefleet is not installed; run: pip install 'aks-istio[fleet]'"
        ) from None
    if credential is None:
        try:
            from azure.identity import DefaultAzureCredential  # type: ignore[import-untyped,import-not-found,unused-ignore]
        except ImportError:
            raise FleetManagerError("azure-identity is not installed; run: pip install 'aks-istio[fleet]'") from None
        credential = DefaultAzureCredential()
    return ContainerServiceFleetMgmtClient(credential, subscription_id, api_version=API_VERSION, **kwargs)


def create(sdk: Any, fleet: Fleet, run_name: str, upgrade_type: str) -> str:
    """Creates (or updates) the gated strategy and the run; returns the run's id."""
    from azure.mgmt.containerservicefleet import models

    manager = _manager(fleet)
    strategy = sdk.fleet_update_strategies.begin_create_or_update(
        manager.resource_group, manager.name, STRATEGY_NAME, models.FleetUpdateStrategy(gated_strategy(fleet))
    ).result()
    run = sdk.update_runs.begin_create_or_update(
        manager.resource_group, manager.name, run_name, models.UpdateRun(update_run(fleet, strategy.id, upgrade_type))
    ).result()
    return str(run.id)


def start(sdk: Any, fleet: Fleet, run_name: str) -> str:
    """Starts the run; returns its status."""
    manager = _manager(fleet)
    run = sdk.update_runs.begin_start(manager.resource_group, manager.name, run_name).result()
    run_status = run.properties.status if run.properties is not None else None
    status = run_status.status if run_status is not None else None
    return _text(status.state) if status is not None and status.state is not None else "unknown"


def pending_gate(sdk: Any, fleet: Fleet, run_name: str, wave: str) -> str | None:
    """The name of the run's pending approval gate after `wave`, if the run has reached it."""
    manager = _manager(fleet)
    suffix = f"/updateRuns/{run_name}".lower()
    for gate in sdk.gates.list_by_fleet(manager.resource_group, manager.name):
        properties = gate.properties
        target = properties.target if properties is not None else None
        if target is None or not str(target.id).lower().endswith(suffix):
            continue
        where = target.update_run_properties
        after_stage = where is not None and where.stage == wave and where.group is None and where.timing == "After"
        if after_stage and properties.state == "Pending":
            return str(gate.name)
    return None


def approve(sdk: Any, fleet: Fleet, gate_name: str) -> str:
    """Completes the gate; returns its new state."""
    from azure.mgmt.containerservicefleet import models

    manager = _manager(fleet)
    patch = models.GatePatch({"properties": {"state": "Completed"}})
    gate = sdk.gates.begin_update(manager.resource_group, manager.name, gate_name, patch).result()
    return _text(gate.properties.state) if gate.properties is not None else "unknown"


def _manager(fleet: Fleet) -> Any:
    manager = fleet.settings.fleet_manager
    if manager is None:
        raise FleetManagerError(f"{fleet.path}: fleet.fleetManager is not set (subscriptionId, resourceGroup, name)")
    return manager


def _text(value: Any) -> str:
    """An SDK enum member or a plain string, as the string ARM sent."""
    return str(getattr(value, "value", value))
