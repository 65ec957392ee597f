"""Policy metadata, the uniform exemption property, and the factories that turn pure checks into policies.

A check's outcome is one of three, kept apart:

* findings (messages) - reported at the policy's level;
* cannot decide (`Undecidable`, `UnknownValueError`: a value unknown at preview, a type ARM rejects anyway) - no
  verdict for that item or resource, never a violation;
* raised (any other exception) - a rule bug or an input it never expected: handed to `deferred.RAISED` and reported
  as a mandatory finding naming the rule, the resource and the error (failures.py). Never a pass.
"""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from ._common import RESOURCE_TYPE, Config, Props, Undecidable, matches
from .deferred import RAISED, Deferred, Finding, resource_scope, stack_scope
from .stack import StackResource, stack_resources

EXEMPTIONS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": "Resources this policy does not apply to. Each waiver names the resource (name, URN or "
    "fnmatch pattern) and the reason, so the waiver is reviewed with the stack it sits next to.",
    "items": {
        "type": "object",
        "properties": {"resource": {"type": "string"}, "reason": {"type": "string", "minLength": 1}},
        "required": ["resource", "reason"],
    },
    "default": [],
}


def exempt(config: Config, *identities: str) -> bool:
    for waiver in config.get("exemptions") or ():
        pattern = waiver.get("resource") if isinstance(waiver, Mapping) else None
        if isinstance(pattern, str) and any(fnmatch.fnmatchcase(i, pattern) for i in identities if i):
            return True
    return False


def effective_config(schema: Mapping[str, Mapping[str, Any]], given: Mapping[str, Any] | None) -> dict[str, Any]:
    """JSON-Schema defaults, overlaid with what Configure sent (the engine applies defaults; tests may not)."""
    config = {key: spec["default"] for key, spec in schema.items() if "default" in spec}
    config.update(given or {})
    return config


def raised_message(rule: str, urn: str, error: BaseException) -> str:
    subject = f"resource {urn}" if urn else "the stack"
    return (
        f"rule {rule} raised {type(error).__name__}: {error} while judging {subject}, so its verdict is unknown and "
        "counts as a failure. Report it to the pack's maintainers; waive it only with the reason."
    )


def judged(rule: str, scope: Hashable, urn: str, run: Callable[[], list[Any]]) -> list[Any]:
    """`run()`'s findings; none when it cannot decide; a rule that raised goes to `deferred.RAISED`."""
    try:
        return run()
    except (Undecidable, UnknownValueError):
        return []
    except Exception as error:
        RAISED.add(scope, (urn, raised_message(rule, urn, error)))
        return []


# --- Policy metadata ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Meta:
    """What every policy states (style §9): a sentence, severity, tags, remediation and a Microsoft doc.

    `enforcement` is the level with no pack config: mandatory for add-on limits (what ARM or the add-on rejects or
    silently breaks), advisory for security baselines and opinions, so a team adopting the pack as is is stopped
    only by what cannot work (docs/policy.md, "Defaults")."""

    name: str
    description: str
    severity: Severity
    remediation: str
    url: str
    tags: tuple[str, ...]
    enforcement: EnforcementLevel = EnforcementLevel.MANDATORY
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def schema(self) -> dict[str, dict[str, Any]]:
        return {"exemptions": EXEMPTIONS_SCHEMA, **{k: dict(v) for k, v in self.config.items()}}

    def common(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "enforcement_level": self.enforcement,
            "config_schema": PolicyConfigSchema(properties=self.schema()),
            "severity": self.severity,
            "tags": list(self.tags),
            "remediation_steps": self.remediation,
            "url": self.url,
        }


# --- Resource policies -------------------------------------------------------------------------------------------
ResourceCheck = Callable[[Props, Config], list[str]]
Fix = Callable[[Props, Config], bool]
"""Mutates the props in place (the SDK's proxies keep secrets secret on write); True when something changed."""


def resource_policy(
    meta: Meta, kinds: Sequence[str] | None, check: ResourceCheck, fix: Fix | None = None
) -> ResourceValidationPolicy:
    """A ResourceValidationPolicy that runs `check` on resources of `kinds` (any API version; None: every type)."""
    schema = meta.schema()

    def applicable(args: ResourceValidationArgs) -> dict[str, Any] | None:
        if kinds is not None and not matches(args.resource_type, kinds):
            return None
        config = effective_config(schema, args.get_config())
        config[RESOURCE_TYPE] = args.resource_type
        return None if exempt(config, args.name, args.urn) else config

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        config = applicable(args)
        if config is not None:
            run = functools.partial(check, args.props, config)
            for message in judged(meta.name, resource_scope(args.urn), args.urn, run):
                report(message, None)

    def remediate(args: ResourceValidationArgs) -> Props | None:
        config = applicable(args)
        if config is None or fix is None:
            return None
        # A fix that raises changes nothing; the Analyze that follows runs the check, which reports the resource.
        try:
            return args.props if fix(args.props, config) else None
        except Exception:
            return None

    return ResourceValidationPolicy(validate=validate, remediate=remediate if fix else None, **meta.common())


# --- Stack policies ----------------------------------------------------------------------------------------------
StackCheck = Callable[[Sequence[StackResource], Config], list[Finding]]


@dataclass(frozen=True)
class StackRequest:
    """One AnalyzeStack as a stack check sees it: the resources, the policy's config and its request scope."""

    resources: Sequence[StackResource]
    config: Config
    rule: str

    @property
    def scope(self) -> Hashable:
        return stack_scope(tuple(r.urn for r in self.resources))

    def each(self, resources: Iterable[StackResource], check: Callable[[StackResource], list[str]]) -> list[Finding]:
        """`check` per resource: a resource that cannot be judged yields nothing, one that raised is a finding."""
        scope = self.scope
        return [
            (resource.urn, message)
            for resource in resources
            for message in judged(self.rule, scope, resource.urn, functools.partial(check, resource))
        ]

    def unexempted(self, findings: Iterable[Finding]) -> list[Finding]:
        names = {r.urn: r.name for r in self.resources}
        return [(urn, m) for urn, m in findings if not exempt(self.config, names.get(urn, ""), urn)]


def stack_policy(meta: Meta, check: StackCheck) -> StackValidationPolicy:
    return stack_request_policy(meta, lambda request: check(request.resources, request.config))


def stack_request_policy(meta: Meta, check: Callable[[StackRequest], list[Finding]]) -> StackValidationPolicy:
    """A StackValidationPolicy over the whole `StackRequest` (for checks that route findings themselves)."""
    schema = meta.schema()

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        request = StackRequest(stack_resources(args.resources), effective_config(schema, args.get_config()), meta.name)
        for urn, message in request.unexempted(judged(meta.name, request.scope, "", lambda: check(request))):
            report(message, urn or None)

    return StackValidationPolicy(validate=validate, **meta.common())


# --- Reporters of deferred findings (deferred.py) ------------------------------------------------------------------
def deferred_resource_policy(meta: Meta, store: Deferred) -> ResourceValidationPolicy:
    """Reports what the rules of this Analyze request handed to `store` (every type: kinds None)."""
    schema = meta.schema()

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        config = effective_config(schema, args.get_config())
        for _, message in store.take(resource_scope(args.urn)):
            if not exempt(config, args.name, args.urn):
                report(message, None)

    return ResourceValidationPolicy(validate=validate, **meta.common())


def deferred_stack_policy(meta: Meta, store: Deferred, wording: Callable[[str], str] = str) -> StackValidationPolicy:
    """Reports what the rules of this AnalyzeStack request handed to `store`, each message through `wording`."""

    def take(request: StackRequest) -> list[Finding]:
        return [(urn, wording(message)) for urn, message in store.take(request.scope)]

    return stack_request_policy(meta, take)
