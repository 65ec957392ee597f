"""The stack as stack rules see it: each resource once, with what links it to its cluster."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ._common import Props, kind_of


@dataclass(frozen=True)
class StackResource:
    """One resource as a stack rule sees it: enough to link pools, namespaces and DCRAs to their cluster."""

    type: str
    name: str
    urn: str
    props: Props
    depends_on: frozenset[str] = frozenset()

    @property
    def kind(self) -> str:
        return kind_of(self.type)


_converted: list[tuple[object, list[StackResource]]] = []


def stack_resources(resources: list[Any]) -> list[StackResource]:
    """The stack's resources as `StackResource`s, converted once per AnalyzeStack, not once per stack policy:
    the SDK hands every stack policy of one request the same list, which no policy changes. Holding the last list
    keeps its identity from being reused by another request."""
    last = _converted[0] if _converted else None  # one read: another request's thread may replace it
    if last is not None and last[0] is resources:
        return last[1]
    converted = [_stack_resource(r) for r in resources]
    _converted[:] = [(resources, converted)]
    return converted


def _stack_resource(resource: Any) -> StackResource:
    linked = {d.urn for d in resource.dependencies or ()}
    if resource.parent is not None:
        linked.add(resource.parent.urn)
    for deps in (resource.property_dependencies or {}).values():
        linked.update(d.urn for d in deps)
    return StackResource(resource.resource_type, resource.name, resource.urn, resource.props, frozenset(linked))


def of_kind(resources: Iterable[StackResource], kinds: Iterable[str] | None) -> list[StackResource]:
    """The resources of `kinds` (None: all of them)."""
    if kinds is None:
        return list(resources)
    wanted = frozenset(kinds)
    return [r for r in resources if r.kind in wanted]


def linked(resource: StackResource, cluster: StackResource, clusters: Sequence[StackResource]) -> bool:
    """Does `resource` (an AgentPool, a DCRA...) belong to `cluster`? By dependency, else when it is the only
    cluster and `resource` depends on none of them (names are unknown at preview, dependencies are not)."""
    if cluster.urn in resource.depends_on:
        return True
    return len(clusters) == 1 and not any(c.urn in resource.depends_on for c in clusters)
