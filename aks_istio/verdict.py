"""The policy pack's verdict over a capture, obtained the way `pulumi preview --policy-pack policy` obtains it.

`start()` launches `policy/` as the engine does (a gRPC Analyzer server; start it before the capture so its
imports overlap with the program run); `check()` then calls GetAnalyzerInfo, Configure (with the environment's
`policy/config/<env>.json`), Remediate (for policies set to `remediate`), Analyze for every captured resource and
AnalyzeStack once, and maps the diagnostics to `Violation`s.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from .analyzer_client import LEVEL_NAMES, SEVERITY_NAMES, Analyzer, PolicyInfo, PolicyPackProcess, Resource
from .analyzer_client import resolve_config as resolve_config
from .capture import Capture, CapturedResource
from .stack_files import PROJECT, REPO_ROOT

PACK_DIR: Final = REPO_ROOT / "policy"
CONFIG_DIR: Final = PACK_DIR / "config"
ENVIRONMENTS: Final = ("dev", "staging", "prod")


@dataclass(frozen=True)
class Violation:
    policy: str
    enforcement: str
    """advisory, mandatory or remediate (a fix the pack applied)."""
    message: str
    urn: str | None = None
    severity: str = ""
    resource: str = ""
    """The resource's name (the last URN segment), for grouping."""


@dataclass
class Verdict:
    violations: list[Violation] = field(default_factory=list)
    ran: bool = False
    """False while no policy pack is wired in."""
    environment: str | None = None
    """Which policy/config/<env>.json was applied (None: the pack's own defaults)."""
    policies: list[PolicyInfo] = field(default_factory=list)

    @property
    def blocking(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement == "mandatory"]

    def by_resource(self) -> dict[str, list[Violation]]:
        grouped: dict[str, list[Violation]] = {}
        for violation in self.violations:
            grouped.setdefault(violation.urn or "(stack)", []).append(violation)
        return grouped


def environment_of(stack: str, declared: str | None = None) -> str | None:
    """The policy environment: the stack's declared `environment`, else its name when that is one we know."""
    for candidate in (declared, stack):
        if candidate in ENVIRONMENTS:
            return candidate
    return None


def policy_config(environment: str | None, config_dir: Path = CONFIG_DIR) -> dict[str, Any] | None:
    if environment is None:
        return None
    document = json.loads((config_dir / f"{environment}.json").read_text())
    return dict(document) if isinstance(document, Mapping) else None


def start(stack: str = "stack", pack_dir: Path = PACK_DIR) -> PolicyPackProcess:
    return PolicyPackProcess(pack_dir, project=PROJECT, stack=stack)


def check(
    capture: Capture, stack: str, *, pack: PolicyPackProcess | None = None, environment: str | None = None
) -> Verdict:
    """Run the pack over `capture`; `pack` is a pack started earlier with `start()` (closed here either way)."""
    env = environment_of(stack, environment)
    process = pack or start(stack)
    try:
        return _check(Analyzer(process.stub()), capture, env)
    finally:
        process.close()


def _check(analyzer: Analyzer, capture: Capture, environment: str | None) -> Verdict:
    policies = analyzer.info()
    config = resolve_config(policies, policy_config(environment))
    analyzer.configure(config)
    severity = {p.name: p.severity for p in policies}
    resources = [analyzer_resource(r) for r in capture.resources]
    violations: list[Violation] = []
    if any(level == "remediate" for level, _ in config.values()):
        resources, violations = _remediate(analyzer, resources, severity)
    diagnostics = [d for r in resources for d in analyzer.analyze(r)] + analyzer.analyze_stack(resources)
    violations.extend(
        Violation(
            policy=d.policyName,
            enforcement=LEVEL_NAMES.get(d.enforcementLevel, "advisory"),
            message=_without_description(d.message, d.description),
            urn=d.urn or None,
            severity=SEVERITY_NAMES.get(d.severity, "") or severity.get(d.policyName, ""),
            resource=d.urn.rsplit("::", 1)[-1] if d.urn else "",
        )
        for d in diagnostics
    )
    return Verdict(violations=violations, ran=True, environment=environment, policies=policies)


def _remediate(
    analyzer: Analyzer, resources: list[Resource], severity: Mapping[str, str]
) -> tuple[list[Resource], list[Violation]]:
    """As the engine does: apply remediations first, then analyze the remediated properties."""
    fixed: list[Resource] = []
    notes: list[Violation] = []
    for resource in resources:
        for remediation in analyzer.remediate(resource):
            if remediation.HasField("properties"):
                resource = Resource(**{**resource.__dict__, "properties": remediation.properties})
            notes.append(
                Violation(
                    policy=remediation.policyName,
                    enforcement="remediate",
                    message=remediation.diagnostic or f"fixed by the pack: {remediation.description}",
                    urn=resource.urn,
                    severity=severity.get(remediation.policyName, ""),
                    resource=resource.name,
                )
            )
        fixed.append(resource)
    return fixed, notes


def analyzer_resource(captured: CapturedResource) -> Resource:
    """A captured registration as the engine sends it to an analyzer."""
    return Resource(
        type=captured.type,
        name=captured.name,
        urn=captured.urn,
        properties=captured.properties,
        parent=captured.parent,
        dependencies=tuple(captured.dependencies),
        protect=captured.protect,
        ignore_changes=tuple(captured.ignore_changes),
        additional_secret_outputs=tuple(captured.additional_secret_outputs),
    )


def _without_description(message: str, description: str) -> str:
    """The SDK prefixes every message with the policy description and a newline; keep only the finding."""
    prefix = f"{description}\n"
    return message[len(prefix) :] if description and message.startswith(prefix) else message


def format_text(verdict: Verdict, types: Mapping[str, str] | None = None) -> str:
    """The verdict grouped by resource: each resource once, then its violations (level, policy, severity)."""
    if not verdict.ran:
        return "Policy: not run (no policy pack wired in)"
    env = verdict.environment or "pack defaults"
    blocking = len(verdict.blocking)
    lines = [
        f"Policy aks-istio-guardrails ({len(verdict.policies)} policies, config: {env}): "
        f"{len(verdict.violations)} finding(s), {blocking} mandatory"
    ]
    for urn, violations in sorted(verdict.by_resource().items(), key=lambda item: item[0]):
        name = violations[0].resource or urn
        kind = (types or {}).get(urn, "")
        lines.append(f"  {name}" + (f"  ({kind})" if kind else ""))
        for v in sorted(violations, key=lambda v: (v.enforcement != "mandatory", v.policy)):
            severity = f", {v.severity}" if v.severity else ""
            lines.append(f"    [{v.enforcement}] {v.policy}{severity}")
            lines.extend(f"        {line}" for line in v.message.splitlines())
    return "\n".join(lines)
