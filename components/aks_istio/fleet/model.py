"""The fleet file (`fleet.yaml`): many clusters, each an existing stack file of this project, upgraded to one target
wave by wave, each wave gated on the mesh's own SLOs.

Its values are value types like the stack file's (`aks_istio.value_checks`): frozen keyword-only dataclasses whose
fields carry their constraints, with the rules across fields beside them; pydantic validates the file into them
(camelCase keys, unknown keys refused) and they are the file's schema (`aks-istio fleet schema`, published as
docs/fleet.schema.json). `load_fleet` reads a file, validates it whole, reads every cluster's stack file through the
stack file's own reader and validation, and reports every problem at once at its line.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Final
from urllib.parse import urlsplit

from aks_istio.addon import lifecycle
from aks_istio.addon import support_matrix as sm
from aks_istio.addon.catalog import CatalogError, active_catalog
from aks_istio.config import ConfigError, StackConfig, load_stack_config
from aks_istio.fleet.prometheus import is_local
from aks_istio.mesh.values import revision_reason
from aks_istio.offline import stack_files
from aks_istio.value_checks import (
    K8S_NAME,
    LOCATION,
    RESOURCE_GROUP,
    STACK_FILE,
    UUID_PATTERN,
    Problems,
    check,
    constrained,
    field_name,
    listed,
)

if TYPE_CHECKING:
    from pydantic import TypeAdapter

FLEET_KEY: Final = "fleet"


def kubernetes_minor_reason(version: str) -> str | None:
    """Why `version` is not a Kubernetes minor (`1.N`: AKS picks the patch), or None."""
    if sm.kubernetes_minor(version) is None or version.count(".") != 1:
        return "allowed: a Kubernetes minor, 1.N, e.g. 1.35 (AKS picks the patch)"
    return None


def query_endpoint_reason(endpoint: str) -> str | None:
    """Why `endpoint` is not a Prometheus query endpoint the gate may call, or None."""
    parts = urlsplit(endpoint)
    local = parts.scheme == "http" and is_local(endpoint)  # a local Prometheus standing in (tests, a laptop)
    if (parts.scheme == "https" or local) and parts.hostname:
        return None
    return (
        "allowed: an https URL, https://<workspace>.<region>.prometheus.monitor.azure.com (plain http only on "
        "localhost, for a local Prometheus)"
    )


@dataclass(frozen=True, kw_only=True)
class FleetTarget:
    """Where every cluster of the fleet is going."""

    __pydantic_config__: ClassVar = STACK_FILE

    kubernetes_version: str = constrained(check=kubernetes_minor_reason)
    """Kubernetes minor every cluster ends on, `1.N`, e.g. 1.35."""
    mesh_revision: str = constrained(check=revision_reason)
    """Istio add-on revision every cluster ends on, `asm-1-N`, e.g. asm-1-30."""

    def __post_init__(self) -> None:
        check(self)

    def rules(self, problems: Problems) -> None:
        if not problems.fine("kubernetes_version", "mesh_revision"):
            return
        catalog = active_catalog()
        revision = lifecycle.resolve(catalog, self.mesh_revision)
        if revision is None:
            return
        for key, message in lifecycle.kubernetes_problems(
            catalog,
            revision,
            self.kubernetes_version,
            revision_key="meshRevision",
            kubernetes_key="kubernetesVersion",
            revision_named=field_name("mesh_revision"),
        ):
            problems.add(key, message)


@dataclass(frozen=True, kw_only=True)
class Wave:
    """One wave: its clusters are updated together (at most `maxParallel` at a time), then the wave soaks and its
    gate must pass before the next wave starts."""

    __pydantic_config__: ClassVar = STACK_FILE

    name: str = constrained(**K8S_NAME)
    """Wave name, e.g. canary (a DNS label)."""
    soak_minutes: int = constrained(0, ge=0)
    """Minutes to wait after the wave's last step before its gate."""
    gate: str | None = None
    """Name of the gate (under `gates`) the wave must pass."""
    max_parallel: int = constrained(1, ge=1)
    """Stacks of this wave updated at the same time."""

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True, kw_only=True)
class FleetCluster:
    """One cluster: an existing stack file of this project, in one wave."""

    __pydantic_config__: ClassVar = STACK_FILE

    stack: str
    """The stack file, relative to the fleet file, e.g. stacks/Pulumi.weu-1.yaml."""
    wave: str
    """The wave it belongs to (a name under `waves`)."""


@dataclass(frozen=True, kw_only=True)
class SloGate:
    """A health gate on the mesh's own SLOs, read from Azure Monitor managed Prometheus per cluster."""

    __pydantic_config__: ClassVar = STACK_FILE

    prometheus_query_endpoint: str = constrained(check=query_endpoint_reason)
    """The Azure Monitor workspace's query endpoint, https://<workspace>.<region>.prometheus.monitor.azure.com
    (http only for a local Prometheus on localhost)."""
    window_minutes: int = constrained(30, ge=1)
    """The window the gate judges: the last N minutes."""
    max_error_ratio: float = constrained(0.01, ge=0, le=1)
    """Highest 5xx share of requests through the mesh."""
    max_p99_latency_ms: float = constrained(1000, gt=0)
    """Highest p99 request latency (ms)."""
    min_requests_per_second: float = constrained(1, ge=0)
    """Less traffic than this is inconclusive, and the gate fails closed."""

    def __post_init__(self) -> None:
        if isinstance(self.prometheus_query_endpoint, str):
            # Queries append /api/v1/...: one slash, however the endpoint was written.
            object.__setattr__(self, "prometheus_query_endpoint", self.prometheus_query_endpoint.rstrip("/"))
        check(self)


@dataclass(frozen=True, kw_only=True)
class FleetManagerSettings:
    """Azure Kubernetes Fleet Manager for the fleet's Kubernetes and node-image waves (docs/fleet.md)."""

    __pydantic_config__: ClassVar = STACK_FILE

    subscription_id: str = constrained(pattern=UUID_PATTERN, words="a subscription id (a UUID)")
    """Subscription of the Fleet and of the member clusters."""
    resource_group: str = constrained(**RESOURCE_GROUP)
    """Resource group of the Fleet."""
    name: str = constrained(**K8S_NAME)
    """Name of the Fleet."""
    location: str = constrained(**LOCATION)
    """Azure region of the Fleet, e.g. westeurope."""
    kubernetes: bool = True
    """Fleet Manager's update runs upgrade the members' Kubernetes (and node images): the plan makes no
    kubernetes-upgrade step, and member stacks turn AKS auto-upgrade off (cluster.upgrade.channel: none)."""

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True, kw_only=True)
class FleetSettings:
    """`fleet:` in a fleet file."""

    __pydantic_config__: ClassVar = STACK_FILE
    KEY_ROOT: ClassVar[str] = FLEET_KEY
    """Problems are reported under this key (`aks_istio.config.errors`), not the stack file's."""

    name: str = constrained(**K8S_NAME)
    """Fleet name, e.g. payments (a DNS label)."""
    target: FleetTarget
    """Where every cluster of the fleet is going."""
    waves: list[Wave] = constrained(min_items=1)
    """Waves in order; the first is the canary."""
    clusters: list[FleetCluster] = constrained(min_items=1)
    """Every cluster of the fleet, each in one wave."""
    gates: dict[str, SloGate] = field(default_factory=dict)
    """Gates by name, referenced by waves."""
    fleet_manager: FleetManagerSettings | None = None
    """Azure Kubernetes Fleet Manager runs the Kubernetes waves (unset: the plan does)."""

    def __post_init__(self) -> None:
        check(self)

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
            problems.append(f"{FLEET_KEY}.waves[{index}].gate: {gate!r} is not a gate; allowed: {listed(gates)}")
        if clusters and not any(c.get("wave") == name for _, c in clusters):
            problems.append(f"{FLEET_KEY}.waves[{index}]: wave {name!r} has no clusters; give it some, or remove it")
    stacks = [c.get("stack") for _, c in clusters]
    for position, (index, cluster) in enumerate(clusters):
        member_of, stack = cluster.get("wave"), cluster.get("stack")
        if waves and member_of is not None and member_of not in names:
            problems.append(
                f"{FLEET_KEY}.clusters[{index}].wave: {member_of!r} is in no wave of the fleet; allowed: "
                f"{listed(names)}"
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
        settings = read_fleet_settings(raw)
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


@cache
def fleet_settings_adapter() -> "TypeAdapter[FleetSettings]":
    """pydantic's reader of the `fleet:` object into `FleetSettings` (built once, on first use)."""
    from pydantic import TypeAdapter

    return TypeAdapter(FleetSettings)


def read_fleet_settings(raw: Mapping[str, Any]) -> FleetSettings:
    """The `fleet:` object validated whole, as a stack file's is; ConfigError lists every problem under `fleet.`."""
    from aks_istio.config.errors import validate_completely

    return validate_completely(fleet_settings_adapter().validate_python, raw, FleetSettings)


def fleet_schema() -> dict[str, Any]:
    """The fleet file's JSON Schema (draft 2020-12), from the value types (each field's docstring its description)."""
    from aks_istio.offline.config_schema import FieldDocstringsAsDescriptions

    inner = fleet_settings_adapter().json_schema(
        by_alias=True, mode="validation", schema_generator=FieldDocstringsAsDescriptions
    )
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
