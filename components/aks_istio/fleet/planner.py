"""`fleet plan`: for each wave in order, each cluster's ordered steps from its stack file's state to the fleet's
target, every step legal under the revision catalog.

The steps are the stack file's own edits (docs/canary-upgrades.md): `kubernetes-upgrade` (one minor, as AKS
upgrades the control plane: https://learn.microsoft.com/azure/aks/upgrade-cluster), the canary phases
`mesh-upgrade-start`, `-migrate`, `-complete` (https://learn.microsoft.com/azure/aks/istio-upgrade),
`mesh-upgrade-gateways` (moving pinned Gateway API Gateways to the revision that stays, revisions unchanged) and
`mesh-upgrade-finish` (folding the finished upgrade into `mesh.revision`). Kubernetes and the mesh interleave by
`upgrade_readiness.route`, the same rule `upgrade-readiness` prints: before each minor the revision must run on
both minors, else a canary upgrade comes first. Pure: stack configs and the catalog in, a plan out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Final

from aks_istio.addon import lifecycle
from aks_istio.addon.catalog import Catalog, Revision, kubernetes_minor, parse_revision
from aks_istio.cluster.values import UpgradeChannel
from aks_istio.config import StackConfig
from aks_istio.fleet.model import Fleet, FleetTarget
from aks_istio.mesh.values import ALL_NAMESPACES_IN_STACK_FILE as ALL_NAMESPACES
from aks_istio.offline.upgrade_readiness import route

PLAN_VERSION: Final = 1
KUBERNETES_UPGRADE: Final = "kubernetes-upgrade"
MESH_START: Final = "mesh-upgrade-start"
MESH_MIGRATE: Final = "mesh-upgrade-migrate"
MESH_GATEWAYS: Final = "mesh-upgrade-gateways"
MESH_COMPLETE: Final = "mesh-upgrade-complete"
MESH_FINISH: Final = "mesh-upgrade-finish"
STEP_KINDS: Final = (KUBERNETES_UPGRADE, MESH_START, MESH_MIGRATE, MESH_GATEWAYS, MESH_COMPLETE, MESH_FINISH)
OWNER_PLAN: Final = "fleet"
OWNER_FLEET_MANAGER: Final = "fleet-manager (fleet k8s-run)"


@dataclass
class Step:
    """One stack-file edit and the cluster's state after it is applied."""

    kind: str
    kubernetes_version: str
    """`1.N` after the step."""
    revisions: list[str]
    """`serviceMeshProfile.istio.revisions` after the step."""
    edit: dict[str, Any]
    """The stack keys the step sets, by key path under `aks-istio:platform`; a null value deletes the key."""
    why: str

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "kubernetesVersion": self.kubernetes_version,
            "revisions": self.revisions,
            "edit": self.edit,
            "why": self.why,
        }


@dataclass
class ClusterPlan:
    stack: str
    cluster: str
    kubernetes_version: str
    revisions: list[str]
    kubernetes_owner: str
    """`fleet` (this plan edits cluster.kubernetesVersion) or who else upgrades Kubernetes."""
    steps: list[Step] = field(default_factory=list)
    blocked: str = ""
    """Why no route reaches the target (empty when one does); `steps` are those that can be taken."""

    def as_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "cluster": self.cluster,
            "kubernetesVersion": self.kubernetes_version,
            "revisions": self.revisions,
            "kubernetesOwner": self.kubernetes_owner,
            "atTarget": not self.steps and not self.blocked,
            "blocked": self.blocked,
            "steps": [s.as_json() for s in self.steps],
        }


@dataclass
class WavePlan:
    name: str
    soak_minutes: int
    gate: str | None
    max_parallel: int
    clusters: list[ClusterPlan]


@dataclass
class FleetPlan:
    fleet: str
    file: str
    target: FleetTarget
    catalog: str
    waves: list[WavePlan]

    @property
    def blocked(self) -> list[ClusterPlan]:
        return [c for w in self.waves for c in w.clusters if c.blocked]

    def as_json(self) -> dict[str, Any]:
        return {
            "version": PLAN_VERSION,
            "fleet": self.fleet,
            "file": self.file,
            "target": {
                "kubernetesVersion": self.target.kubernetes_version,
                "meshRevision": self.target.mesh_revision,
            },
            "catalog": self.catalog,
            "routable": not self.blocked,
            "waves": [
                {
                    "name": w.name,
                    "soakMinutes": w.soak_minutes,
                    "gate": w.gate,
                    "maxParallel": w.max_parallel,
                    "clusters": [c.as_json() for c in w.clusters],
                }
                for w in self.waves
            ],
        }


def kubernetes_owner(config: StackConfig, fleet_manager: bool = False) -> str:
    """Who moves the cluster's Kubernetes minor: Fleet Manager's update runs when the fleet file gives it the
    Kubernetes waves; an AKS auto-upgrade channel that moves minors (the program then ignores
    cluster.kubernetesVersion: cluster/spec.py `cluster_ignore_changes`); else this plan."""
    if fleet_manager:
        return OWNER_FLEET_MANAGER
    channel = UpgradeChannel(config.cluster.upgrade.channel)
    return f"aks-auto-upgrade ({channel.value} channel)" if channel.moves_minor else OWNER_PLAN


class _Walk:
    """The cluster's state as the steps are added."""

    def __init__(self, minor: int, revisions: list[str]) -> None:
        self.minor = minor
        self.revisions = revisions
        self.steps: list[Step] = []

    def add(self, kind: str, edit: dict[str, Any], why: str, *, revisions: list[str] | None = None) -> None:
        if revisions is not None:
            self.revisions = revisions
        self.steps.append(Step(kind, f"1.{self.minor}", list(self.revisions), edit, why))

    def kubernetes(self, revision: str) -> None:
        self.minor += 1
        self.add(
            KUBERNETES_UPGRADE,
            {"cluster.kubernetesVersion": f"1.{self.minor}"},
            f"AKS upgrades the control plane one minor at a time; {revision} runs on 1.{self.minor}",
        )

    def canary(self, old: str, new: str, why: str, restarts: dict[str, list[str]] | None = None) -> None:
        """The four edits of a canary upgrade from `old` to `new` on the current minor."""
        upgrade: dict[str, Any] = {"to": new, "phase": "start"}
        self.add(MESH_START, {"mesh.upgrade": upgrade}, why, revisions=[old, new])
        self.rest_of_canary(old, new, restarts or {})

    def rest_of_canary(
        self,
        old: str,
        new: str,
        restarts: dict[str, list[str]],
        *,
        from_phase: str = "start",
        pinned: str | None = None,
    ) -> None:
        moved = {"migrated": ALL_NAMESPACES, **({"restarts": restarts} if restarts else {})}
        if from_phase == "start":
            self.add(
                MESH_MIGRATE,
                {"mesh.upgrade": {"to": new, "phase": "migrate", **moved, **_pin(pinned, pinned)}},
                f"move every mesh namespace to {new} and restart its workloads",
            )
        if pinned == old:
            self.add(
                MESH_GATEWAYS,
                {"mesh.upgrade.gatewayRevision": new},
                f"the Gateway API Gateways are pinned to {old}, which complete removes: move them to {new} first",
            )
        if from_phase in ("start", "migrate"):
            self.add(
                MESH_COMPLETE,
                {"mesh.upgrade": {"to": new, "phase": "complete", **moved, **_pin(pinned, new)}},
                f"remove the {old} control plane (no namespace points at it any more)",
                revisions=[new],
            )
        self.add(
            MESH_FINISH,
            {"mesh.revision": new, "mesh.upgrade": None},
            f"fold the finished upgrade into mesh.revision ({new})",
            revisions=[new],
        )


def _pin(pinned: str | None, revision: str | None) -> dict[str, Any]:
    """`gatewayRevision` kept in the edits of an upgrade that pins the Gateway API Gateways (unpinned: none)."""
    return {"gatewayRevision": revision} if pinned is not None else {}


def plan_cluster(
    stack: str, config: StackConfig, target: FleetTarget, catalog: Catalog, *, fleet_manager: bool = False
) -> ClusterPlan:
    """The steps that take one stack file to the target."""
    mesh = config.mesh
    minor = kubernetes_minor(config.cluster.kubernetes_version)
    assert minor is not None  # the stack file's own validation guarantees 1.N[.P]
    upgrade = mesh.upgrade
    revisions = [mesh.revision] if upgrade is None else _in_progress(mesh.revision, upgrade.to, upgrade.phase)
    owner = kubernetes_owner(config, fleet_manager)
    plan = ClusterPlan(stack, config.cluster_name, config.cluster.kubernetes_version, revisions, owner)
    walk = _Walk(minor, revisions)
    current = mesh.revision
    if upgrade is not None:
        if upgrade.phase == "rollback":
            walk.add(MESH_FINISH, {"mesh.upgrade": None}, f"the rollback to {current} is applied: drop mesh.upgrade")
        else:
            managed = [ns.name for ns in mesh.namespaces]
            phase: str = upgrade.phase
            if phase == "migrate" and upgrade.migrated_namespaces(managed) != managed:
                phase = "start"  # some namespaces still point at the old revision: migrate them all first
            walk.rest_of_canary(
                current, upgrade.to, upgrade.restarts, from_phase=phase, pinned=upgrade.gateway_revision
            )
            current = upgrade.to
    plan.steps = walk.steps
    revision = lifecycle.resolve(catalog, current, mesh.assumed_kubernetes)
    if revision is None:
        plan.blocked = f"mesh revision {current} is not in the revision catalog ({catalog.source_note()})"
        return plan
    wanted = kubernetes_minor(target.kubernetes_version)
    assert wanted is not None  # FleetTarget's own validation
    if owner == OWNER_PLAN:
        if wanted < minor:
            plan.blocked = (
                f"the cluster runs Kubernetes {config.cluster.kubernetes_version}, newer than the target "
                f"{target.kubernetes_version}: AKS does not downgrade a cluster"
            )
            return plan
        moves, blocked = route(catalog, revision, minor, wanted, newest=target.mesh_revision)
        for move in moves:
            if move.kind == "kubernetes":
                walk.kubernetes(move.revision.name)
            else:
                walk.canary(
                    move.revision.name,
                    move.to_revision.name,
                    f"{move.revision.name} runs on {move.revision.kubernetes_range}, not 1.{move.minor + 1}: "
                    f"{move.to_revision.name} runs on both",
                )
            revision = move.to_revision
        if blocked:
            plan.blocked = blocked
            return plan
    plan.blocked = _toward_revision(walk, catalog, revision, target.mesh_revision)
    if plan.blocked and owner != OWNER_PLAN:
        plan.blocked += f"; Kubernetes is upgraded by {owner}, not by this plan"
    return plan


def _toward_revision(walk: _Walk, catalog: Catalog, revision: Revision, target: str) -> str:
    """Canary upgrades on the current minor until the target revision runs; why not, when it cannot."""
    if parse_revision(target) < parse_revision(revision.name):
        return f"the cluster runs {revision.name}, newer than the target {target}: the add-on does not downgrade"
    while revision.name != target:
        targets = [
            catalog.by_name[t]
            for t in catalog.upgrades_of(revision.name)
            if t in catalog.by_name
            and catalog.by_name[t].supports_kubernetes(f"1.{walk.minor}")
            and parse_revision(t) <= parse_revision(target)
        ]
        if not targets:
            return (
                f"no catalogued upgrade of {revision.name} toward {target} runs on Kubernetes 1.{walk.minor} "
                f"({catalog.source_note()}); {lifecycle.CONFIRM_HINT}"
            )
        chosen = next((t for t in targets if t.name == target), max(targets, key=lambda r: parse_revision(r.name)))
        walk.canary(revision.name, chosen.name, f"toward the target revision {target} (n+1, or n+2 skipping one)")
        revision = chosen
    return ""


def _in_progress(old: str, new: str, phase: str) -> list[str]:
    return {"complete": [new], "rollback": [old]}.get(phase, [old, new])


def plan_fleet(fleet: Fleet, catalog: Catalog, file: str) -> FleetPlan:
    """Every wave in order, each cluster of it planned."""
    settings = fleet.settings
    manager = settings.fleet_manager is not None and settings.fleet_manager.kubernetes
    waves = [
        WavePlan(
            wave.name,
            wave.soak_minutes,
            wave.gate,
            wave.max_parallel,
            [
                plan_cluster(m.stack, m.config, settings.target, catalog, fleet_manager=manager)
                for m in fleet.wave_members(wave.name)
            ],
        )
        for wave in settings.waves
    ]
    return FleetPlan(settings.name, file, settings.target, catalog.source_note(), waves)


def render(plan: FleetPlan) -> str:
    target = plan.target
    lines = [
        f"Fleet {plan.fleet}: every cluster to Kubernetes {target.kubernetes_version} with {target.mesh_revision} "
        f"(revision catalog: {plan.catalog})",
        "A wave finishes every step and passes its gate before the next wave starts; each step is one edit of a "
        "stack file (fleet edit), previewed and applied before the next.",
    ]
    for number, wave in enumerate(plan.waves, start=1):
        gate = f"gate {wave.gate}" if wave.gate else "no gate"
        lines += [
            "",
            f"Wave {number}/{len(plan.waves)} {wave.name}: {len(wave.clusters)} cluster(s), {wave.max_parallel} at a "
            f"time, then soak {wave.soak_minutes} min and {gate}",
        ]
        for cluster in wave.clusters:
            lines += _render_cluster(cluster)
    blocked = plan.blocked
    lines.append("")
    if blocked:
        lines.append(f"no route for {len(blocked)} cluster(s): " + ", ".join(c.cluster for c in blocked))
    else:
        lines.append("every cluster has a route to the target")
    return "\n".join(lines)


def _render_cluster(cluster: ClusterPlan) -> list[str]:
    state = f"Kubernetes {cluster.kubernetes_version}, {', '.join(cluster.revisions)}"
    if not cluster.steps and not cluster.blocked:
        return [f"  {cluster.cluster} ({cluster.stack}): {state}: at the target"]
    lines = [f"  {cluster.cluster} ({cluster.stack}): {state}: {len(cluster.steps)} step(s)"]
    if cluster.kubernetes_owner == OWNER_FLEET_MANAGER:
        lines.append(
            f"    Kubernetes is upgraded by {cluster.kubernetes_owner}: no kubernetes-upgrade step (AKS auto-upgrade "
            "is off; write the version the run reaches into cluster.kubernetesVersion afterwards)"
        )
    elif cluster.kubernetes_owner != OWNER_PLAN:
        lines.append(
            f"    Kubernetes is upgraded by {cluster.kubernetes_owner}: no kubernetes-upgrade step (the program "
            "ignores cluster.kubernetesVersion)"
        )
    for number, step in enumerate(cluster.steps, start=1):
        lines.append(
            f"    {number:>2}. {step.kind:<22} -> {step.kubernetes_version} [{', '.join(step.revisions)}]   "
            f"edit {edit_text(step.edit)}"
        )
    if cluster.blocked:
        lines.append(f"    no route: {cluster.blocked}")
    return lines


def edit_text(edit: dict[str, Any]) -> str:
    """A step's edit in one line: `key: value` (JSON), `key: (delete)`."""
    return "; ".join(f"{key}: {'(delete)' if value is None else json.dumps(value)}" for key, value in edit.items())
