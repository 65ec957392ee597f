"""Azure Kubernetes Fleet Manager for the fleet's Kubernetes and node-image waves: the Fleet, one FleetMember per
cluster (its update group is its wave) and an update strategy whose stages are the waves, in order, each waiting
`soakMinutes` after it (https://learn.microsoft.com/azure/kubernetes-fleet/update-orchestration).

Declared with pulumi-azure-native's containerservice Fleet resources as pinned (3.29: API 2024-05-02-preview, which
has stages, groups and `afterStageWaitInSeconds` but no gates and no `maxConcurrency`); the gated strategy and its
runs are `fleet k8s-run` (azure-mgmt-containerservicefleet, API 2026-06-01). Fleet Manager's update runs cannot
change the Istio add-on's revisions (Azure/AKS#5924): the mesh steps stay stack-file edits (`fleet edit`).
"""

import re
from dataclasses import dataclass, field
from typing import Any, Final

import pulumi

from aks_istio.tokens import type_token
from aks_istio.value_checks import K8S_NAME, LOCATION, RESOURCE_GROUP, Problems, check, constrained, listed, resource_id

# Fleet Manager's names (ARM, Microsoft.ContainerService/fleets: the Fleet a DNS label of at most 63, `K8S_NAME`;
# members, update strategies, groups and stages lower-case letters, digits and '-' of at most 50;
# https://learn.microsoft.com/azure/templates/microsoft.containerservice/fleets).
FLEET_PART_NAME: Final[dict[str, Any]] = {
    "pattern": r"^[a-z0-9]([-a-z0-9]{0,48}[a-z0-9])?$",
    "words": "1-50 lowercase letters, digits and '-', starting and ending with a letter or digit",
}
CLUSTER_ID: Final[dict[str, Any]] = resource_id(
    r"(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.ContainerService/managedClusters/[^/]+$"
)


@dataclass(frozen=True, kw_only=True)
class FleetManagerMember:
    """One AKS cluster joined to the Fleet."""

    name: str = constrained(**FLEET_PART_NAME)
    """Member name (lower-case letters, digits, '-'; at most 50)."""
    cluster_resource_id: pulumi.Input[str] = constrained(**CLUSTER_ID)
    """ARM id of the managed cluster (e.g. `AksIstioCluster`'s cluster id, or a cluster declared elsewhere)."""
    group: str = constrained(**FLEET_PART_NAME)
    """Update group: the wave the cluster belongs to."""

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True, kw_only=True)
class FleetManagerStage:
    """One stage of the update strategy: a wave."""

    name: str = constrained(**FLEET_PART_NAME)
    """Stage name (the wave's)."""
    groups: list[str] = constrained(min_items=1, **FLEET_PART_NAME)
    """Update groups updated in parallel in this stage."""
    after_stage_wait_seconds: int = constrained(0, ge=0)
    """Soak after the stage, before the next starts."""

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True, kw_only=True)
class AksIstioFleetManagerArgs:
    """A Fleet, its members and its wave-by-wave update strategy."""

    resource_group_name: pulumi.Input[str] = constrained(**RESOURCE_GROUP)
    """Resource group of the Fleet (it must exist)."""
    fleet_name: str = constrained(**K8S_NAME)
    """Name of the Fleet."""
    location: str = constrained(**LOCATION)
    """Azure region of the Fleet."""
    members: list[FleetManagerMember] = constrained(min_items=1)
    """The clusters, each in its wave's group."""
    stages: list[FleetManagerStage] = constrained(min_items=1)
    """The waves, in order."""
    strategy_name: str = constrained("waves", **FLEET_PART_NAME)
    """Name of the update strategy."""
    tags: dict[str, str] = field(default_factory=dict)
    """Azure tags on the Fleet."""

    def __post_init__(self) -> None:
        check(self)

    def rules(self, problems: Problems) -> None:
        """Members and stages agree: an update run updates the members of the groups its stages list, in order, so
        a member in no stage's group is never updated, and a group with no member does not exist in the Fleet
        (the run fails); each member, stage and group once."""
        names = [("members", i, key) for i in range(len(self.members)) for key in ("name", "group")]
        names += [("stages", i, key) for i in range(len(self.stages)) for key in ("name", "groups")]
        if not problems.fine(*names) or not self.members or not self.stages:
            return  # a rule on names that are themselves wrong would only repeat that
        for key, given in (("members", [m.name for m in self.members]), ("stages", [s.name for s in self.stages])):
            for index, name in enumerate(given):
                if name in given[:index]:
                    problems.add((key, index, "name"), f"{name!r} is given twice; allowed: each name once")
        staged: dict[str, str] = {}
        for index, stage in enumerate(self.stages):
            for group in stage.groups:
                if group in staged:
                    problems.add(
                        ("stages", index, "groups"),
                        f"{group!r} is already updated in stage {staged[group]!r}; allowed: each group in one stage",
                    )
                staged.setdefault(group, stage.name)
        member_groups = {m.group for m in self.members}
        for index, member in enumerate(self.members):
            if member.group not in staged:
                problems.add(
                    ("members", index, "group"),
                    f"{member.group!r} is in no stage, so no update run would ever update {member.name!r}; "
                    f"allowed: a group a stage lists ({listed(staged)})",
                )
        for index, stage in enumerate(self.stages):
            for group in stage.groups:
                if group not in member_groups:
                    problems.add(
                        ("stages", index, "groups"),
                        f"{group!r} has no member (a group exists once a member joins it, so the run would fail); "
                        f"allowed: a group of the members ({listed(sorted(member_groups))})",
                    )


def strategy_payload(stages: list[FleetManagerStage]) -> dict[str, Any]:
    """The update strategy's `strategy` (REST shape): each wave a stage of its groups, soak as after-stage wait."""
    return {
        "stages": [
            {
                "name": stage.name,
                "groups": [{"name": group} for group in stage.groups],
                "afterStageWaitInSeconds": stage.after_stage_wait_seconds,
            }
            for stage in stages
        ]
    }


def _snake(payload: Any) -> Any:
    """A REST-shaped payload with the SDK's input names (afterStageWaitInSeconds -> after_stage_wait_in_seconds)."""
    if isinstance(payload, dict):
        return {re.sub(r"(?<!^)(?=[A-Z])", "_", k).lower(): _snake(v) for k, v in payload.items()}
    if isinstance(payload, list):
        return [_snake(v) for v in payload]
    return payload


class AksIstioFleetManager(pulumi.ComponentResource):
    """The Fleet, its members (group = wave) and the update strategy whose stages are the waves."""

    fleet_id: pulumi.Output[str]
    """ARM id of the Fleet."""
    strategy_id: pulumi.Output[str]
    """ARM id of the update strategy (what an update run names)."""

    def __init__(self, name: str, args: AksIstioFleetManagerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        """Declare the component `name` (its children's names start with it) from `args`; `opts` are Pulumi's
        resource options.

        Fields of `args` (`AksIstioFleetManagerArgs`):
            resource_group_name: Resource group of the Fleet (it must exist).
            fleet_name: Name of the Fleet.
            location: Azure region of the Fleet.
            members: The clusters, each in its wave's group.
            stages: The waves, in order.
            strategy_name: Name of the update strategy.
            tags: Azure tags on the Fleet.

        Outputs (attributes of the component):
            fleet_id: ARM id of the Fleet.
            strategy_id: ARM id of the update strategy (what an update run names).
        """
        super().__init__(type_token("AksIstioFleetManager"), name, None, opts)
        from pulumi_azure_native import containerservice

        child = pulumi.ResourceOptions(parent=self)
        fleet = containerservice.Fleet(
            f"{name}-fleet",
            resource_group_name=args.resource_group_name,
            fleet_name=args.fleet_name,
            location=args.location,
            tags=args.tags or None,
            opts=child,
        )
        members = [
            containerservice.FleetMember(
                f"{name}-{member.name}",
                resource_group_name=args.resource_group_name,
                fleet_name=fleet.name,
                fleet_member_name=member.name,
                cluster_resource_id=member.cluster_resource_id,
                group=member.group,
                opts=child,
            )
            for member in args.members
        ]
        strategy = containerservice.FleetUpdateStrategy(
            f"{name}-{args.strategy_name}",
            resource_group_name=args.resource_group_name,
            fleet_name=fleet.name,
            update_strategy_name=args.strategy_name,
            strategy=_snake(strategy_payload(args.stages)),
            # The strategy's groups are the members' groups: they exist once the members have joined.
            opts=pulumi.ResourceOptions(parent=self, depends_on=members),
        )
        self.fleet_id = fleet.id
        self.strategy_id = strategy.id
        self.register_outputs({"fleet_id": self.fleet_id, "strategy_id": self.strategy_id})


def cluster_resource_id(subscription_id: str, config: Any) -> str:
    """The ARM id of a stack's managed cluster (its resource group and name, from the stack file)."""
    return (
        f"/subscriptions/{subscription_id}/resourceGroups/{config.resource_group_name}/providers/"
        f"Microsoft.ContainerService/managedClusters/{config.cluster_name}"
    )


def fleet_manager_args(fleet: Any) -> AksIstioFleetManagerArgs:
    """The component's Args from a fleet file with `fleetManager` (aks_istio.fleet.model.load_fleet)."""
    from aks_istio.fleet.model import Fleet

    assert isinstance(fleet, Fleet)
    manager = fleet.settings.fleet_manager
    if manager is None:
        raise ValueError(f"{fleet.path}: fleet.fleetManager is not set")
    return AksIstioFleetManagerArgs(
        resource_group_name=manager.resource_group,
        fleet_name=manager.name,
        location=manager.location,
        members=[
            FleetManagerMember(
                name=m.cluster_name.lower()[:50].rstrip("-"),
                cluster_resource_id=cluster_resource_id(manager.subscription_id, m.config),
                group=m.wave,
            )
            for m in fleet.members
        ],
        stages=[
            FleetManagerStage(name=w.name, groups=[w.name], after_stage_wait_seconds=w.soak_minutes * 60)
            for w in fleet.settings.waves
        ],
    )
