"""Do each Analyze request's shared work once, not once per policy, and skip the policies that cannot apply.

pulumi_policy 1.21's `Analyze` loops over every policy and, for each one, re-reads the runtime settings from the
environment, unpacks the request's properties (`deserialize_properties(json_format.MessageToDict(...))` plus a
read-only proxy), rebuilds the resource options, and calls the policy, which for most of our 43 resource policies
then finds the resource is not a kind it judges. benchmarks/policy_throughput.py, prod stack, in-process:

* 43 unpackings of the same message were ~1.7 ms of a ~2.3 ms call (memoized here since the first version);
* then, of the remaining ~0.55 ms: the SDK's per-policy loop (args, report closure, options, isawaitable) for
  policies that report nothing, ~0.3 ms; `_configure_runtime_settings` (a fresh `Settings`, `RPCManager` and an
  `inspect.signature` on every call), ~0.07-0.11 ms.

The offline tool's fast path alone installs it (aks_istio/offline/pack_launcher.py starts the pack with it): the
pack the Pulumi engine runs (`__main__.py`) and the published bundle run pulumi-policy as it ships.
`install()` replaces these, on the tested SDK version only (elsewhere the SDK runs unchanged):

* `Analyze`: the SDK's loop, same order, same diagnostics and not-applicable entries, same error handling; the
  request is unpacked once, where the SDK unpacks it first (so a request it cannot unpack fails the same way);
  a policy that states its kinds (`rules._common.KindedResourcePolicy`) is skipped for other kinds, which is what
  its own `validate` would do (return without reporting, before reading any property). The per-policy tests that
  depend only on the configuration (level, kind of policy) are done once per Configure;
* `AnalyzeStack`: the stack's resources are built once for all stack policies, not once per policy (~8 -> ~2 ms
  for prod's 59 resources, in-process);
* `_configure_runtime_settings`: gRPC runs every call in a fresh `contextvars.Context`, so the SDK re-applies the
  runtime settings (all context variables) on each call. The first call runs the SDK's code in a scratch context
  and records the variables it set; later calls with the same environment set the same values again;
* `json_format.MessageToDict` as the SDK module sees it: a direct Struct -> dict (`struct_to_dict`).

Policies only read what they are given (read-only proxies; our stack rules copy what they need), so sharing one
unpacking between policies is exact. tests/policy/test_analyze_once.py compares replies with the SDK as is.
"""

from __future__ import annotations

import contextvars
import math
import os
from collections.abc import Callable
from importlib import metadata
from inspect import isawaitable
from typing import Any, Final

import pulumi_policy.policy as sdk
from google.protobuf import struct_pb2
from rules._common import kind_of

TESTED_VERSIONS: Final = frozenset({"1.21.0"})
RUNTIME_ENVIRONMENT: Final = (
    "PULUMI_CONFIG",
    "PULUMI_PROJECT",
    "PULUMI_STACK",
    "PULUMI_DRY_RUN",
    "PULUMI_ORGANIZATION",
    "PULUMI_ENABLE_LEGACY_APPLY",
)
"""What pulumi_policy 1.21's `_configure_runtime_settings` and pulumi 3.x's `Settings` read from the environment."""
_runtime_values: dict[tuple[str | None, ...], list[tuple[contextvars.ContextVar[Any], Any]]] = {}


def struct_to_dict(struct: struct_pb2.Struct) -> dict[str, Any]:
    """`json_format.MessageToDict(struct)` for a `Struct`, without the generic printer: ~40 -> ~10 µs per prod
    resource. Same keys in the same order, same values, same ValueError for an infinite or NaN number."""
    fields = struct.fields
    return {key: _value(fields[key]) for key in fields}


def _value(value: struct_pb2.Value) -> Any:
    which = value.WhichOneof("kind")
    if which == "string_value":
        return value.string_value
    if which == "struct_value":
        return struct_to_dict(value.struct_value)
    if which == "number_value":
        number = value.number_value
        if math.isinf(number):
            raise ValueError("Fail to serialize Infinity for Value.number_value, which would parse as string_value")
        if math.isnan(number):
            raise ValueError("Fail to serialize NaN for Value.number_value, which would parse as string_value")
        return number
    if which == "bool_value":
        return value.bool_value
    if which == "list_value":
        return [_value(item) for item in value.list_value.values]
    return None  # null_value, or no kind set: json_format prints both as null


class _JsonFormat:
    """`json_format` as the SDK module sees it, with `MessageToDict` direct for a plain Struct (all the SDK passes)."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def MessageToDict(self, message: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N802 (json_format's name)
        if type(message) is struct_pb2.Struct and not args and not kwargs:
            return struct_to_dict(message)
        return self._real.MessageToDict(message, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def _configured_once(real: Callable[[Any], None]) -> Callable[[Any], None]:
    def configure_runtime_settings(self: Any) -> None:
        key = tuple(os.environ.get(name) for name in RUNTIME_ENVIRONMENT)
        values = _runtime_values.get(key)
        if values is None:
            scratch = contextvars.Context()
            scratch.run(real, self)
            values = _runtime_values[key] = list(scratch.items())
        for variable, value in values:
            variable.set(value)

    return configure_runtime_settings


Plan = list[tuple[Any, Any, bool, "frozenset[str] | None"]]
"""(policy, enforcement level, has validation, kinds): the resource policies Analyze runs, in the SDK's order."""


def _plan(self: Any) -> Plan:
    """The SDK's per-policy tests that depend only on the configuration, done once per Configure (which replaces
    the servicer's level dict; the cached plan holds that dict, so `is` tells whether it is still current)."""
    levels = self._PolicyAnalyzerServicer__policy_pack_config_enforcement_level
    cached: tuple[Any, Plan] | None = getattr(self, "_aks_istio_plan", None)
    if cached is not None and cached[0] is levels:
        return cached[1]
    plan: Plan = []
    for policy in self._PolicyAnalyzerServicer__policies:
        enforcement_level = self._get_enforcement_level(policy)
        if enforcement_level == sdk.EnforcementLevel.DISABLED or not isinstance(policy, sdk.ResourceValidationPolicy):
            continue
        if enforcement_level == sdk.EnforcementLevel.REMEDIATE:
            # As the SDK: a remediated resource that still violates is reported as mandatory.
            enforcement_level = sdk.EnforcementLevel.MANDATORY
        plan.append((policy, enforcement_level, policy.has_validation(), getattr(policy, "kinds", None)))
    self._aks_istio_plan = (levels, plan)
    return plan


def _analyze(self: Any, request: Any, _context: Any) -> Any:
    """pulumi_policy 1.21.0's `_PolicyAnalyzerServicer.Analyze`, with the shared work hoisted (module docstring)."""
    self._configure_runtime_settings()
    proto = sdk.proto
    response = proto.AnalyzeResponse()
    kind = kind_of(request.type)
    shared: tuple[Any, Any, Any] | None = None
    for policy, enforcement_level, validates, kinds in _plan(self):
        if not validates:
            # This is a remediation policy only, so report it as not applicable.
            response.not_applicable.append(
                proto.PolicyNotApplicable(policy_name=policy.name, reason="Policy does not implement validate")
            )
            continue
        if shared is None:  # where the SDK unpacks first: a request it cannot unpack fails here as there
            props = sdk.unknown_checking_proxy(
                sdk.deserialize_properties(sdk.json_format.MessageToDict(request.properties))
            )
            shared = (props, self._get_resource_options(request), self._get_provider_resource(request))
        if kinds is not None and kind not in kinds:
            continue
        props, opts, provider = shared
        report_violation = self._create_report_violation(
            response, policy.name, policy.description, enforcement_level, policy.severity
        )
        config = self._get_policy_config(policy.name)
        args = sdk.ResourceValidationArgs(
            request.type,
            props,
            request.urn,
            request.name,
            opts,
            provider,
            config,
            self._PolicyAnalyzerServicer__stack_tags,
        )
        _validate(self, response, policy, args, report_violation)
    return response


def _validate(self: Any, response: Any, policy: Any, args: Any, report_violation: Any) -> None:
    """The SDK's call of one policy (Analyze and AnalyzeStack share it): awaits a coroutine, turns an unknown into an
    advisory "can't run policy" diagnostic and a not-applicable signal into a not-applicable entry."""
    proto = sdk.proto
    try:
        result = policy.validate(args, report_violation)
        if isawaitable(result):
            loop = sdk.asyncio.new_event_loop()
            task = sdk.asyncio.Task(result, loop=loop)
            loop.run_until_complete(task)
            loop.close()
    except sdk.UnknownValueError as e:
        name, version = (
            self._PolicyAnalyzerServicer__policy_pack_name,
            self._PolicyAnalyzerServicer__policy_pack_version,
        )
        response.diagnostics.append(
            proto.AnalyzeDiagnostic(
                policyName=policy.name,
                policyPackName=name,
                policyPackVersion=version,
                message=(
                    f"can't run policy '{policy.name}' from policy pack '{name}@v{version}' during preview: {e.message}"
                ),
                urn="",
                description=policy.description,
                enforcementLevel=self._map_enforcement_level(sdk.EnforcementLevel.ADVISORY),
            )
        )
    except sdk._NotApplicableError as e:
        response.not_applicable.append(proto.PolicyNotApplicable(policy_name=policy.name, reason=e.reason or ""))


def _analyze_stack(self: Any, request: Any, _context: Any) -> Any:
    """pulumi_policy 1.21.0's `_PolicyAnalyzerServicer.AnalyzeStack`, building the stack's `PolicyResource`s (props,
    options, parents, dependencies) once for all stack policies instead of once per policy: our stack rules only
    read them, so sharing is exact. Built where the SDK first builds them (a request it cannot unpack fails there)."""
    self._configure_runtime_settings()
    response = sdk.proto.AnalyzeResponse()
    resources: list[Any] | None = None
    for policy in self._PolicyAnalyzerServicer__policies:
        enforcement_level = self._get_enforcement_level(policy)
        if enforcement_level == sdk.EnforcementLevel.DISABLED or not isinstance(policy, sdk.StackValidationPolicy):
            continue
        if enforcement_level == sdk.EnforcementLevel.REMEDIATE:
            # Stack policies cannot be remediated, so treat the level as mandatory.
            enforcement_level = sdk.EnforcementLevel.MANDATORY
        report_violation = self._create_report_violation(
            response, policy.name, policy.description, enforcement_level, policy.severity
        )
        if resources is None:
            resources = _stack_resources(self, request)
        config = self._get_policy_config(policy.name)
        args = sdk.StackValidationArgs(resources, config, self._PolicyAnalyzerServicer__stack_tags)
        _validate(self, response, policy, args, report_violation)
    return response


def _stack_resources(self: Any, request: Any) -> list[Any]:
    """The SDK's intermediates for one AnalyzeStack policy, linked the same way."""
    intermediates: list[tuple[Any, str, list[str], dict[str, list[str]]]] = []
    for r in request.resources:
        props = sdk.unknown_checking_proxy(sdk.deserialize_properties(sdk.json_format.MessageToDict(r.properties)))
        opts = self._get_resource_options(r)
        provider = self._get_provider_resource(r)
        resource = sdk.PolicyResource(r.type, props, r.urn, r.name, opts, provider, None, [], {})
        property_dependencies = {k: list(v.urns) for k, v in r.propertyDependencies.items()}
        intermediates.append((resource, r.parent, list(r.dependencies), property_dependencies))
    by_urn = {resource.urn: resource for resource, _, _, _ in intermediates}
    for resource, parent, dependencies, property_dependencies in intermediates:
        if parent is not None and parent in by_urn:
            resource.parent = by_urn[parent]
        resource.dependencies.extend(by_urn[d] for d in dependencies if d in by_urn)
        for key, urns in property_dependencies.items():
            resource.property_dependencies[key] = [by_urn[d] for d in urns if d in by_urn]
    return [resource for resource, _, _, _ in intermediates]


def install() -> bool:
    """Patch the pack's SDK for this process; True if it was patched."""
    if metadata.version("pulumi_policy") not in TESTED_VERSIONS or getattr(sdk, "_aks_istio_analyze_once", False):
        return False
    servicer = sdk._PolicyAnalyzerServicer
    servicer._configure_runtime_settings = _configured_once(servicer._configure_runtime_settings)
    servicer.Analyze = _analyze
    servicer.AnalyzeStack = _analyze_stack

    sdk.json_format = _JsonFormat(sdk.json_format)
    sdk._aks_istio_analyze_once = True
    return True
