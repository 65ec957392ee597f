"""How a traffic rule runs: over the program's mesh (model.py), built once per AnalyzeStack, where the add-on runs.

Every traffic rule is a stack policy: a route, a Gateway and the Secret it names are separate resources. Like the
other add-on rules (addon_target.py) it applies where the add-on runs: the program's clusters decide, else the
pack-wide `clusterRunsIstioAddon`; with `detect` its findings are reported as advisory by
`stack-istio-addon-target-declared`. Its level says how sure it is: mandatory rules report only what surely breaks
traffic (both ends are in the program, or the add-on's own facts decide), advisory ones what the program may not
show whole (a Gateway or Service another program declares).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from pulumi_policy import StackValidationPolicy

from ..addon_target import OVERRIDE, Target, route, target
from ..clusters import CLASSIC, mesh_clusters, shape_of
from ..deferred import Finding
from ..factories import Meta, StackRequest, judged, stack_request_policy
from ..pack_settings import published
from ..stack import StackResource
from .model import AddonMesh, K8sObject, Objects, classic_mesh, merge, native_mesh, objects_of, plain, settings_mesh

T = TypeVar("T")
TAGS: Final = ("istio", "service-mesh", "traffic")


@dataclass(frozen=True)
class Traffic:
    """What a traffic rule judges: the add-on on the target cluster and the program's Kubernetes objects."""

    mesh: AddonMesh
    objects: Objects
    memo: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)
    """What several checks derive from the same objects (a selector's pods, the credentials by name), once."""

    def memoized(self, key: Hashable, compute: Callable[[], T]) -> T:
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]  # type: ignore[no-any-return]


_built: list[tuple[Sequence[StackResource], Traffic]] = []


def traffic_of(request: StackRequest) -> Traffic:
    """The request's mesh, built once for all traffic rules of one AnalyzeStack (they get the same resource list,
    stack.py); holding the last list keeps its identity from being reused by another request."""
    last = _built[0] if _built else None
    if last is not None and last[0] is request.resources:
        return last[1]
    traffic = build(request.resources, published(request))
    _built[:] = [(request.resources, traffic)]
    return traffic


def build(resources: Sequence[StackResource], settings: Mapping[str, Any]) -> Traffic:
    clusters = mesh_clusters(resources)
    if clusters:
        mesh = merge([(classic_mesh if shape_of(c.type) is CLASSIC else native_mesh)(plain(c.props)) for c in clusters])
    else:
        mesh = settings_mesh(settings)
    kubernetes = ((r.type, r.urn, plain(r.props)) for r in resources if r.type.startswith("kubernetes:"))
    return Traffic(mesh, objects_of(kubernetes))


TrafficCheck = Callable[[Traffic], list[Finding]]
SKIP_CHECKS: Final = "skipChecks"


@dataclass(frozen=True)
class Check:
    """One analysis over the program's mesh; its name starts each finding and is what `skipChecks` lists."""

    name: str
    description: str
    url: str
    remediation: str
    run: TrafficCheck


def traffic_policy(meta: Meta, checks: Sequence[Check]) -> StackValidationPolicy:
    """One policy running several checks, where the add-on runs, its findings routed as the target decides
    (addon_target.route). Checks share a policy because pulumi-policy as shipped unpacks the whole stack once per
    stack policy: seventeen policies of one check each cost the engine three times the AnalyzeStack time of the
    rest of the pack (benchmarks/policy_throughput.py); a team turns one check off with `skipChecks`."""
    names = [c.name for c in checks]
    skip_schema = {
        "type": "array",
        "items": {"type": "string", "enum": names},
        "default": [],
        "description": "Checks of this policy not to run (a waiver for every resource; prefer exemptions).",
    }
    # Like every add-on rule, its own `clusterRunsIstioAddon` overrides the pack-wide one (addon_target.py).
    meta = dataclasses.replace(meta, config={SKIP_CHECKS: skip_schema, **OVERRIDE, **meta.config})

    def run(request: StackRequest) -> list[Finding]:
        where = target(request.resources, request)
        if where is Target.NO_ADDON:
            return []
        traffic = traffic_of(request)
        skipped = set(request.config.get(SKIP_CHECKS) or ())
        found: list[Finding] = []
        for check in checks:
            if check.name in skipped:
                continue
            # A check that raises is reported under its own name (fail closed) and does not hide the others.
            results = judged(f"{meta.name} ({check.name})", request.scope, "", functools.partial(check.run, traffic))
            found.extend((urn, f"[{check.name}] {message}") for urn, message in results)
        return route(request, found, where)

    return stack_request_policy(meta, run)


def findings(objects: Iterable[K8sObject], judge: Callable[[K8sObject], Iterable[str]]) -> list[Finding]:
    """`judge` per object, each message placed on that object's resource."""
    return [(obj.urn, message) for obj in objects for message in judge(obj)]
