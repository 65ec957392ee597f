"""Unpack each Analyze request's properties once, not once per policy.

pulumi_policy 1.21's `Analyze` runs `deserialize_properties(json_format.MessageToDict(request.properties))` and
wraps the result in a read-only proxy inside its loop over policies: with our 43 resource policies that is 43
unpackings of the same message, ~1.7 ms of a ~2.3 ms call (benchmarks/policy_throughput.py). Within one request
the three steps are pure functions of the same objects, and policies only see read-only proxies, so sharing
the first result is exact. `install()` wraps them with a memo that lives for one `Analyze` call and keeps its
keys alive (so no `id()` can be reused inside the call). It does nothing on another pulumi_policy version,
where the SDK's own code runs unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from importlib import metadata
from typing import Any, Final

import pulumi_policy.policy as sdk

TESTED_VERSIONS: Final = frozenset({"1.21.0"})
_local = threading.local()


def _memoized(kind: str, real: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(value: Any, *args: Any, **kwargs: Any) -> Any:
        memo: dict[tuple[str, int], tuple[Any, Any]] | None = getattr(_local, "memo", None)
        if memo is None or args or kwargs:  # outside Analyze, or a variant call (e.g. proxy_secrets=True)
            return real(value, *args, **kwargs)
        key = (kind, id(value))
        if key not in memo:
            memo[key] = (value, real(value))  # holding `value` keeps its id unique while the memo lives
        return memo[key][1]

    return wrapper


def _with_memo(handler: Callable[..., Any]) -> Callable[..., Any]:
    """One memo per request: it lives exactly as long as the SDK's handler runs."""

    def handle(self: Any, request: Any, context: Any) -> Any:
        _local.memo = {}
        try:
            return handler(self, request, context)
        finally:
            _local.memo = None

    return handle


class _JsonFormat:
    """`json_format` as the SDK module sees it, with `MessageToDict` memoized."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self.MessageToDict = _memoized("message", real.MessageToDict)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def install() -> bool:
    """Patch the pack's SDK for this process; True if it was patched."""
    if metadata.version("pulumi_policy") not in TESTED_VERSIONS or getattr(sdk, "_aks_istio_analyze_once", False):
        return False
    servicer = sdk._PolicyAnalyzerServicer
    for method in ("Analyze", "AnalyzeStack"):
        setattr(servicer, method, _with_memo(getattr(servicer, method)))

    sdk.json_format = _JsonFormat(sdk.json_format)
    sdk.deserialize_properties = _memoized("deserialize", sdk.deserialize_properties)
    sdk.unknown_checking_proxy = _memoized("proxy", sdk.unknown_checking_proxy)
    sdk._aks_istio_analyze_once = True
    return True
