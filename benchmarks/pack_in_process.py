"""The pack's cost in-process, without gRPC: every policy's own `validate` over a stack's resources (µs per
resource, slowest first) and the unmarshalling around it (the SDK's, once per resource policy). Used by
policy_throughput.py, which prints and records the figures.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, Final

MIN_SAMPLE_S: Final = 0.1
"""Each policy runs over the resources until at least this long has passed (short rules need many rounds)."""


def timed_rounds(run: Callable[[], None], min_s: float = MIN_SAMPLE_S) -> tuple[float, int]:
    """(seconds per round, rounds): repeat `run` until `min_s` elapsed; the median round of five batches."""
    run()  # warm-up: first calls pay imports, regex compiles, caches
    start = time.perf_counter()
    rounds = 0
    while time.perf_counter() - start < min_s or rounds < 3:
        run()
        rounds += 1
    per_round = (time.perf_counter() - start) / rounds
    batch = max(1, rounds // 5)
    samples = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(batch):
            run()
        samples.append((time.perf_counter() - t0) / batch)
    return min(per_round, statistics.median(samples)), rounds + 5 * batch


def pack_policies() -> list[Any]:
    """The pack's policies, imported as policy/__main__.py imports them (policy/ first on the path)."""
    from aks_istio.offline.verdict import PACK_DIR

    if str(PACK_DIR) not in sys.path:
        sys.path.insert(0, str(PACK_DIR))
    from rules import ALL_POLICIES  # the pack's modules, found through the path set above

    return list(ALL_POLICIES)


def in_process(resources: Sequence[Any], environment: str | None, requests: int) -> dict[str, Any]:
    """The pack's own Analyze (pulumi_policy's servicer, called directly): the same work without gRPC, so the
    transport's share of a request is the difference."""
    from pulumi_policy import EnforcementLevel
    from pulumi_policy.policy import _PolicyAnalyzerServicer

    from aks_istio.offline import verdict
    from aks_istio.offline.analyzer_client import Analyzer, analyze_request, resolve_config

    servicer = _PolicyAnalyzerServicer("aks-istio-guardrails", "0.0.1", pack_policies(), EnforcementLevel.MANDATORY)

    class Direct:
        """The two calls Analyzer.info/configure make, answered by the servicer without a channel."""

        def GetAnalyzerInfo(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
            return servicer.GetAnalyzerInfo(request, None)

        def Configure(self, request: Any) -> Any:  # noqa: N802
            return servicer.Configure(request, None)

    analyzer = Analyzer(Direct())  # type: ignore[arg-type]  # duck-typed: the two methods Analyzer calls here
    analyzer.configure(resolve_config(analyzer.info(), verdict.policy_config(environment)))
    batch = [analyze_request(resources[i % len(resources)]) for i in range(requests)]
    for request in batch[: len(resources)]:
        servicer.Analyze(request, None)
    t0 = time.perf_counter()
    for request in batch:
        servicer.Analyze(request, None)
    seconds = time.perf_counter() - t0
    return {
        "analyze_ms_per_request": round(seconds / requests * 1000, 3),
        "requests_per_s": round(requests / seconds, 1),
    }


def per_policy(resources: Sequence[Any], environment: str | None) -> dict[str, Any]:
    """Each policy's `validate`, in-process, over the resources as the SDK would present them."""
    from google.protobuf import json_format
    from pulumi_policy import (
        EnforcementLevel,
        PolicyCustomTimeouts,
        PolicyResource,
        PolicyResourceOptions,
        ResourceValidationArgs,
        ResourceValidationPolicy,
        StackValidationArgs,
        StackValidationPolicy,
    )
    from pulumi_policy.deserialize import deserialize_properties
    from pulumi_policy.proxy import unknown_checking_proxy

    from aks_istio.offline import verdict

    document = verdict.policy_config(environment) or {}

    def config_of(name: str) -> dict[str, Any]:
        own = document.get(name)
        return {k: v for k, v in own.items() if k != "enforcementLevel"} if isinstance(own, dict) else {}

    def level_of(policy: Any) -> str:
        for entry in (document.get(policy.name), document.get("all")):
            level = entry.get("enforcementLevel") if isinstance(entry, dict) else entry
            if isinstance(level, str):
                return level
        return str((policy.enforcement_level or EnforcementLevel.MANDATORY).value)

    def unmarshal(resource: Any) -> Any:
        return unknown_checking_proxy(deserialize_properties(json_format.MessageToDict(resource.properties)))

    def options(resource: Any) -> Any:
        return PolicyResourceOptions(
            resource.protect,
            list(resource.ignore_changes),
            None,
            [],
            PolicyCustomTimeouts(0, 0, 0),
            list(resource.additional_secret_outputs),
            resource.parent or None,
        )

    def report(message: str, urn: str | None = None) -> None:
        del message, urn

    def unmarshal_all() -> None:
        for resource in resources:
            unmarshal(resource)

    unmarshal_s, _ = timed_rounds(unmarshal_all)
    policies = pack_policies()
    props = [unmarshal(r) for r in resources]
    rows: list[dict[str, Any]] = []
    for policy in policies:
        level = level_of(policy)
        if level == "disabled":
            continue
        config = config_of(policy.name) or None
        if isinstance(policy, ResourceValidationPolicy):
            args = [
                ResourceValidationArgs(r.type, p, r.urn, r.name, options(r), None, config)
                for r, p in zip(resources, props, strict=True)
            ]

            def run_resources(policy: Any = policy, args: list[Any] = args) -> None:
                for a in args:
                    policy.validate(a, report)

            seconds, rounds = timed_rounds(run_resources)
            kind = "resource"
        elif isinstance(policy, StackValidationPolicy):
            stack = [
                PolicyResource(r.type, p, r.urn, r.name, options(r), None, None, [], {})
                for r, p in zip(resources, props, strict=True)
            ]
            by_urn = {s.urn: s for s in stack}
            for s, r in zip(stack, resources, strict=True):
                s.parent = by_urn.get(r.parent)
                s.dependencies = [by_urn[d] for d in r.dependencies if d in by_urn]
            stack_args = StackValidationArgs(stack, config)

            def run_stack(policy: Any = policy, stack_args: Any = stack_args) -> None:
                policy.validate(stack_args, report)

            seconds, rounds = timed_rounds(run_stack)
            kind = "stack"
        else:
            continue
        rows.append(
            {
                "policy": policy.name,
                "kind": kind,
                "level": level,
                "us_per_resource": round(seconds / len(resources) * 1e6, 2),
                "ms_per_pass": round(seconds * 1000, 3),
                "rounds": rounds,
            }
        )
    rows.sort(key=lambda row: row["us_per_resource"], reverse=True)
    resource_policies = sum(row["kind"] == "resource" for row in rows)
    return {
        "policies": rows,
        "rules_us_per_resource": round(sum(row["us_per_resource"] for row in rows), 2),
        "sdk_unmarshal_us_per_resource": round(unmarshal_s / len(resources) * 1e6, 2),
        "sdk_unmarshals_per_resource": resource_policies,
        "sdk_unmarshal_us_per_resource_all_policies": round(unmarshal_s / len(resources) * 1e6 * resource_policies, 1),
    }
