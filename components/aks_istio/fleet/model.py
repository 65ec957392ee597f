"""The fleet file (`fleet.yaml`): many clusters, each an existing stack file of this project, upgraded to one target
wave by wave, each wave gated on the mesh's own SLOs.

The models are the file's schema (`aks-istio fleet schema`, published as docs/fleet.schema.json); the rules
across fields live with them. `load_fleet` reads a file, validates it whole, reads every cluster's stack file
through the stack file's own reader and validation, and reports every problem at once at its line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from aks_istio.addon import lifecycle
from aks_istio.addon import support_matrix as sm
from aks_istio.addon.catalog import CatalogError, active_catalog
from aks_istio.config import ConfigError, StackConfig, load_stack_config
from aks_istio.config._base import (
    K8S_NAME_PATTERN,
    LOCATION_PATTERN,
    RESOURCE_GROUP_PATTERN,
    Problems,
    Settings,
    allowed,
)
from aks_istio.config.errors import validate_completely
from aks_istio.fleet.prometheus import is_local
from aks_istio.mesh.values import revision_reason
from aks_istio.offline import stack_files

FLEET_KEY = "fleet"


class FleetTarget(Settings):
    """Where every cluster of the fleet is going."""

    kubernetes_version: str = Field(description="Kubernetes minor every cluster ends on, `1.N`, e.g. 1.35.")
    mesh_revision: str = Field(description="Istio add-on revision every cluster ends on, `asm-1-N`, e.g. asm-1-30.")

    @field_validator("kubernetes_version")
    @classmethod
    def _minor(cls, version: str) -> str:
        minor = sm.kubernetes_minor(version)
        if minor is None or version.count(".") != 1:
            raise ValueError(f"{version!r} is not a Kubernetes minor; allowed: 1.N, e.g. 1.35 (AKS picks the patch)")
        return version

    @field_validator("mesh_revision")
    @classmethod
    def _revision(cls, revision: str) -> str:
        reason = revision_reason(revision)
        if reason is not None:
            raise ValueError(reason)
        return revision

    @model_validator(mode="after")
    def _revision_runs_on_kubernetes(self) -> FleetTarget:
        catalog = active_catalog()
        revision = lifecycle.resolve(catalog, self.mesh_revision)
        problems = Problems()
        if revision is not None:
            for key, message in lifecycle.kubernetes_problems(
                catalog,
                revision,
                self.kubernetes_version,
                revision_key="meshRevision",
                kubernetes_key="kubernetesVersion",
            ):
                problems.add(key, message)
        problems.raise_if_any()
        return self


class Wave(Settings):
    """One wave: its clusters are updated together (at most `maxParallel` at a time), then the wave soaks and its
    gate must pass before the next wave starts."""

    name: str = Field(pattern=K8S_NAME_PATTERN, description="Wave name, e.g. canary (a DNS label).")
    soak_minutes: int = Field(
        default=0, ge=0, description="Minutes to wait after the wave's last step before its gate."
    )
    gate: str | None = Field(default=None, description="Name of the gate (under `gates`) the wave must pass.")
    max_parallel: int = Field(default=1, ge=1, description="Stacks of this wave updated at the same time.")


class FleetCluster(Settings):
    """One cluster: an existing stack file of this project, in one wave."""

    stack: str = Field(description="The stack file, relative to the fleet file, e.g. stacks/Pulumi.weu-1.yaml.")
    wave: str = Field(description="The wave it belongs to (a name under `waves`).")


class SloGate(Settings):
    """A health gate on the mesh's own SLOs, read from Azure Monitor managed Prometheus per cluster."""

    prometheus_query_endpoint: str = Field(
        description="The Azure Monitor workspace's query endpoint, https://<workspace>.<region>.prometheus.monitor."
        "azure.com (http only for a local Prometheus on localhost)."
    )
    window_minutes: int = Field(default=30, ge=1, description="The window the gate judges: the last N minutes.")
    max_error_ratio: float = Field(
        default=0.01, ge=0, le=1, description="Highest 5xx share of requests through the mesh."
    )
    max_p99_latency_ms: float = Field(default=1000, gt=0, description="Highest p99 request latency (ms).")
    min_requests_per_second: float = Field(
        default=1, ge=0, description="Less traffic than this is inconclusive, and the gate fails closed."
    )

    @field_validator("prometheus_query_endpoint")
    @classmethod
    def _endpoint(cls, endpoint: str) -> str:
        parts = urlsplit(endpoint)
        local = parts.scheme == "http" and is_local(endpoint)  # a local Prometheus standing in (tests, a laptop)
        if not (parts.scheme == "https" or local) or not parts.hostname:
            raise ValueError(
                f"{endpoint!r} is not an https URL; allowed: https://<workspace>.<region>.prometheus.monitor.azure.com"
                " (plain http only on localhost, for a local Prometheus)"
            )
        return endpoint.rstrip("/")


class FleetManagerSettings(Settings):
    """Azure Kubernetes Fleet Manager for the fleet's Kubernetes and node-image waves (docs/fleet.md)."""

    subscription_id: str = Field(
        pattern=r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$",
        description="Subscription of the Fleet and of the member clusters.",
    )
    resource_group: str = Field(pattern=RESOURCE_GROUP_PATTERN, description="Resource group of the Fleet.")
    name: str = Field(pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", description="Name of the Fleet.")
    location: str = Field(pattern=LOCATION_PATTERN, description="Azure region of the Fleet, e.g. westeurope.")
    kubernetes: bool = Field(
        default=True,
        description="Fleet Manager's update runs upgrade the members' Kubernetes (and node images): the plan makes "
        "no kubernetes-upgrade step, and member stacks turn AKS auto-upgrade off (cluster.upgrade.channel: none).",
    )


class FleetSettings(Settings):
    """`fleet:` in a fleet file."""

    KEY_ROOT: ClassVar[str] = FLEET_KEY

    name: str = Field(pattern=K8S_NAME_PATTERN, description="Fleet name, e.g. payments (a DNS label).")
    target: FleetTarget
    waves: list[Wave] = Field(min_length=1, description="Waves in order; the first is the canary.")
    clusters: list[FleetCluster] = Field(min_length=1, description="Every cluster of the fleet, each in one wave.")
    gates: dict[str, SloGate] = Field(default_factory=dict, description="Gates by name, referenced by waves.")
    fleet_manager: FleetManagerSettings | None = Field(
        default=None, description="Azure Kubernetes Fleet Manager runs the Kubernetes waves (unset: the plan does)."
    )

    def wave_of(self, name: str) -> Wave:
        return next(w for w in self.waves if w.name == name)


def reference_problems(raw: Mapping[str, Any], folder: Path) -> list[str]:
    """The rules across the file's sections, on the raw `fleet:` mapping (so they are reported together with any
    field problem, whatever else fails): wave names unique and used, each wave's gate defined, each cluster in a
    wave, each stack file listed once and existing."""
    problems: list[str] = []

    def items(key: str) -> list[tuple[int, Mapping[str, Any]]]:
        value = raw.get(key)
        return [(i, v) for i, v in enumerate(value) if isinstance(v, Mapping)] if isinstance(value, list) else []

    declared = raw.get("gates")
    gates: list[str] = [str(g) for g in declared] if isinstance(declared, Mapping) else []
    waves = items("waves")
    clusters = items("clusters")
    names = [str(w.get("name")) for _, w in waves]
    for position, (index, wave) in enumerate(waves):
        name = str(wave.get("name"))
        if names.index(name) != position:
            problems.append(
                f"{FLEET_KEY}.waves[{index}].name: {name!r} is the name of an earlier wave; names are unique"
            )
        gate = wave.get("gate")
        if gate is not None and gate not in gates:
            problems.append(f"{FLEET_KEY}.waves[{index}].gate: {gate!r} is not a gate; allowed: {allowed(gates)}")
        if clusters and not any(c.get("wave") == name for _, c in clusters):
            problems.append(f"{FLEET_KEY}.waves[{index}]: wave {name!r} has no clusters; give it some, or remove it")
    stacks = [c.get("stack") for _, c in clusters]
    for position, (index, cluster) in enumerate(clusters):
        member_of, stack = cluster.get("wave"), cluster.get("stack")
        if waves and member_of is not None and member_of not in names:
            problems.append(
                f"{FLEET_KEY}.clusters[{index}].wave: {member_of!r} is in no wave of the fleet; allowed: "
                f"{allowed(names)}"
            )
        if not isinstance(stack, str):
            continue
        if stacks.index(stack) != position:
            problems.append(f"{FLEET_KEY}.clusters[{index}].stack: {stack!r} is listed twice")
        elif not (folder / stack).is_file():
            problems.append(
                f"{FLEET_KEY}.clusters[{index}].stack: {stack!r}: no such stack file (relative to the fleet file, "
                f"in {folder})"
            )
    return problems


class FleetFileError(ValueError):
    """The fleet file is invalid: every problem, each with the line it is at (None: the file as a whole)."""

    def __init__(self, path: Path, problems: Sequence[tuple[str, int | None]]) -> None:
        self.path = path
        self.problems = list(problems)
        super().__init__("\n".join(f"{path}{f':{line}' if line else ''}: {message}" for message, line in problems))


@dataclass(frozen=True)
class Member:
    """A cluster of the fleet with its stack file read and validated."""

    index: int
    """Its position under `clusters` (for lines in messages)."""
    stack: str
    """As the fleet file names it (relative to the fleet file)."""
    path: Path
    wave: str
    config: StackConfig

    @property
    def cluster_name(self) -> str:
        """The AKS cluster's name: the `cluster` label managed Prometheus puts on every series."""
        return self.config.cluster_name


@dataclass(frozen=True)
class Fleet:
    path: Path
    settings: FleetSettings
    members: tuple[Member, ...]

    def wave_members(self, wave: str) -> list[Member]:
        return [m for m in self.members if m.wave == wave]


def load_fleet(path: Path) -> Fleet:
    """The fleet file at `path` and every stack file it names, validated; FleetFileError lists every problem."""
    try:
        document = stack_files.load_yaml(path)
    except stack_files.StackFileError as error:
        raise FleetFileError(path, [(error.detail, error.line)]) from None
    lines = stack_files.lines_under(path, FLEET_KEY)
    raw = document.get(FLEET_KEY) if isinstance(document, dict) else None
    if not isinstance(raw, dict):
        raise FleetFileError(path, [(f"{FLEET_KEY}: required: the fleet file is one mapping under `{FLEET_KEY}:`", 1)])
    folder = path.parent
    found: list[str] = []
    try:
        settings = validate_completely(FleetSettings.model_validate, raw, FleetSettings)
    except ConfigError as error:
        found = error.problems
    except CatalogError as error:
        raise FleetFileError(path, [(str(error), None)]) from None
    found += reference_problems(raw, folder)
    if found:
        raise FleetFileError(path, [(p, _line(lines, p)) for p in found])
    members: list[Member] = []
    problems: list[tuple[str, int | None]] = []
    for index, cluster in enumerate(settings.clusters):
        key = f"{FLEET_KEY}.clusters[{index}].stack"
        stack_path = folder / cluster.stack
        try:
            config = load_stack_config(stack_files.read_config(stack_path).get("aks-istio:platform"))
        except stack_files.StackFileError as error:
            problems.append((f"{key}: {cluster.stack!r}: {error}", _line(lines, key)))
            continue
        except ConfigError as error:
            first = f"{error.problems[0]}" + (
                f" (and {len(error.problems) - 1} more)" if len(error.problems) > 1 else ""
            )
            problems.append(
                (f"{key}: {cluster.stack!r} is not a valid stack file ({first}; run check on it)", _line(lines, key))
            )
            continue
        members.append(Member(index, cluster.stack, stack_path, cluster.wave, config))
    manager = settings.fleet_manager
    for member in members if manager is not None and manager.kubernetes else []:
        if member.config.cluster.upgrade.channel != "none":
            key = f"{FLEET_KEY}.clusters[{member.index}].stack"
            problems.append(
                (
                    f"{key}: {member.stack!r} has cluster.upgrade.channel {member.config.cluster.upgrade.channel}, "
                    "but Fleet Manager owns its Kubernetes version (fleetManager.kubernetes): AKS auto-upgrade would "
                    "race the update runs; allowed: cluster.upgrade.channel: none in the stack file",
                    _line(lines, key),
                )
            )
    names: dict[str, Member] = {}
    for member in members:
        earlier = names.setdefault(member.cluster_name, member)
        if earlier is not member:
            key = f"{FLEET_KEY}.clusters[{member.index}].stack"
            problems.append(
                (
                    f"{key}: {member.stack!r} names cluster {member.cluster_name!r} like {earlier.stack!r}: the gate "
                    "tells clusters apart by name (cluster.name in the stack file)",
                    _line(lines, key),
                )
            )
    if problems:
        raise FleetFileError(path, problems)
    return Fleet(path, settings, tuple(members))


def _line(lines: dict[str, int], problem: str) -> int | None:
    key = problem.split(": ", 1)[0]
    return stack_files.line_of(lines, key.removeprefix(FLEET_KEY).removeprefix("."))


def fleet_schema() -> dict[str, Any]:
    """The fleet file's JSON Schema (draft 2020-12), from the models."""
    inner = FleetSettings.model_json_schema(by_alias=True)
    definitions = inner.pop("$defs", {})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "aks-istio fleet file",
        "description": "A fleet: many clusters (stack files of aks-istio) upgraded to one target wave by wave.",
        "type": "object",
        "required": [FLEET_KEY],
        "additionalProperties": False,
        "properties": {FLEET_KEY: inner},
        "$defs": definitions,
    }
