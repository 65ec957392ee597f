"""The policy pack's verdict over a capture, obtained the way `pulumi preview --policy-pack policy` obtains it.

`start()` launches `policy/` as the engine does (a gRPC Analyzer server; start it before the capture so its
imports overlap with the program run); `check()` then calls GetAnalyzerInfo, Configure (with the environment's
`policy/config/<env>.json`), Remediate (for policies set to `remediate`), Analyze for every captured resource and
AnalyzeStack once, and maps the diagnostics to `Violation`s.
"""

from __future__ import annotations

import json
import queue
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from pulumi.runtime.proto import analyzer_pb2

from aks_istio.offline.analyzer_client import (
    LEVEL_NAMES,
    SEVERITY_NAMES,
    Analyzer,
    PolicyInfo,
    PolicyPackProcess,
    Resource,
)
from aks_istio.offline.analyzer_client import resolve_config as resolve_config
from aks_istio.offline.capture import Capture, CapturedResource
from aks_istio.offline.pack_process import PACK_DIR as PACK_DIR
from aks_istio.offline.stack_files import PROJECT

CONFIG_DIR: Final = PACK_DIR / "config"
ENVIRONMENTS: Final = ("dev", "staging", "prod")
IN_FLIGHT: Final = 32
"""Analyze calls sent ahead of their replies: enough that the pack never waits for us, few enough that a big
stack never queues thousands in gRPC (at ~2,000 in flight, calls came back CANCELLED)."""


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
    stack_key: str | None = None
    """The key under aks-istio:platform that controls the finding (config/finding_keys.py); None: not ours."""
    line: int | None = None
    """The stack file's line of `stack_key` (or of its nearest ancestor the file sets), or the line of `file`."""
    file: str | None = None
    """Where `line` is when not in the stack file: the source file of another team's program that declared the
    resource (`check --program`), repository-relative."""


@dataclass
class Verdict:
    violations: list[Violation] = field(default_factory=list)
    ran: bool = False
    """False while no policy pack is wired in."""
    environment: str | None = None
    """Which policy/config/<env>.json was applied (None: the pack's own defaults)."""
    policies: list[PolicyInfo] = field(default_factory=list)
    config_file: str | None = None
    """The policy config file given with `--policy-config` (None: the environment's, or the pack's defaults)."""

    @property
    def blocking(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement == "mandatory"]

    def placed(self, place: Callable[[Violation], tuple[str | None, int | None]]) -> Verdict:
        """This verdict with each finding's stack key and line filled in by `place`."""
        violations = [replace(v, stack_key=key, line=line) for v in self.violations for key, line in [place(v)]]
        return replace(self, violations=violations)

    def located(self, locate: Callable[[Violation], tuple[str | None, int | None]]) -> Verdict:
        """This verdict with each finding's source file and line filled in by `locate` (another team's program)."""
        violations = [replace(v, file=file, line=line) for v in self.violations for file, line in [locate(v)]]
        return replace(self, violations=violations)

    def by_resource(self) -> dict[str, list[Violation]]:
        grouped: dict[str, list[Violation]] = {}
        for violation in self.violations:
            grouped.setdefault(violation.urn or "(stack)", []).append(violation)
        return grouped


def environment_of(stack: str, declared: str | None = None) -> str | None:
    """The policy environment (policy/config/<it>.json): the stack's tier as declared (`tier`, else `environment`),
    else the stack's name when that is one we know."""
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


def stream(
    stack: str,
    *,
    pack: PolicyPackProcess | None = None,
    environment: str | None = None,
    config: Mapping[str, Any] | None = None,
) -> Stream:
    """A verdict that analyzes resources while the program still declares them: pass `Stream.add` as
    `run_program(on_register=...)`, then call `Stream.finish()` (or `Stream.close()` if the program failed).
    `config` is a policy config document to use instead of the environment's (`--policy-config`)."""
    return Stream(environment_of(stack, environment), pack or start(stack), config)


class Stream:
    """Feeds each registered resource to the pack from a worker thread, so Remediate/Analyze run during the
    capture instead of after it (the pack is another process: it works on the other core, and the worker waits
    on gRPC with the GIL released). The result is the one `check()` gives for the same capture."""

    def __init__(
        self, environment: str | None, process: PolicyPackProcess, config: Mapping[str, Any] | None = None
    ) -> None:
        self._environment = environment
        self._config = config
        self._process = process
        self._queue: queue.SimpleQueue[Resource | None] = queue.SimpleQueue()
        self._session: _Session | None = None
        self._error: BaseException | None = None
        self._worker = threading.Thread(target=self._work, name="policy-verdict", daemon=True)
        self._worker.start()

    def add(self, captured: CapturedResource) -> None:
        """The `on_register` hook: runs on the SDK's threads, so it only converts and enqueues."""
        self._queue.put(analyzer_resource(captured))

    def finish(self) -> Verdict:
        """Wait for the resources still queued, AnalyzeStack over all of them, stop the pack."""
        try:
            self._queue.put(None)
            self._worker.join()
            if self._error is not None:
                raise self._error
            assert self._session is not None
            return self._session.verdict()
        finally:
            self._process.close()

    def close(self) -> None:
        """Abandon the verdict (the program failed): stop the worker and the pack."""
        self._queue.put(None)
        self._process.close()  # a worker still waiting on the pack gets an error, records it, and ends

    def _work(self) -> None:
        try:
            # Waits for the pack's port (its start-up overlaps the program's), then configures it once.
            self._session = _Session(Analyzer(self._process.stub()), self._environment, self._config)
            while (resource := self._queue.get()) is not None:
                self._session.add(resource)
        except BaseException as error:  # handed to finish(), which raises it in the caller's thread
            self._error = error


def _check(analyzer: Analyzer, capture: Capture, environment: str | None) -> Verdict:
    session = _Session(analyzer, environment)
    for captured in capture.resources:
        session.add(analyzer_resource(captured))
    return session.verdict()


class _Session:
    """One configured pack and what it said so far. Resources go in one at a time in capture order; the verdict
    lists remediation notes first, then each resource's diagnostics in that order, then the stack's, as the
    engine reports them (remediations of every resource precede the analysis of the remediated properties)."""

    def __init__(self, analyzer: Analyzer, environment: str | None, document: Mapping[str, Any] | None = None) -> None:
        self.analyzer = analyzer
        self.environment = environment
        self.policies = analyzer.info()
        config = resolve_config(self.policies, document if document is not None else policy_config(environment))
        analyzer.configure(config)
        self.severity = {p.name: p.severity for p in self.policies}
        self.remediating = any(level == "remediate" for level, _ in config.values())
        self.resources: list[Resource] = []
        self.notes: list[Violation] = []
        self.diagnostics: list[analyzer_pb2.AnalyzeDiagnostic] = []
        self.in_flight: deque[Callable[[], list[analyzer_pb2.AnalyzeDiagnostic]]] = deque()
        self.remediating_ahead: deque[tuple[Resource, Callable[[], list[analyzer_pb2.Remediation]]]] = deque()

    def add(self, resource: Resource) -> None:
        if not self.remediating:
            self._analyze(resource)
            return
        # Remediate calls are pipelined too (up to IN_FLIGHT ahead); each resource's Analyze goes out once its
        # remediations are in, in capture order. With one Remediate round trip at a time, dev's whole verdict (a
        # remediating config, 36 resources) ran at ~495 resources/s; pipelined ~620 (same process, alternating,
        # medians of 15; prod, which remediates nothing, ~1,200).
        self.remediating_ahead.append((resource, self.analyzer.remediate_later(resource)))
        if len(self.remediating_ahead) > IN_FLIGHT:
            self._analyze_remediated()

    def _analyze_remediated(self) -> None:
        resource, remediations = self.remediating_ahead.popleft()
        self._analyze(_remediate(resource, remediations(), self.severity, self.notes))

    def _analyze(self, resource: Resource) -> None:
        self.resources.append(resource)
        self.in_flight.append(self.analyzer.analyze_later(resource))
        if len(self.in_flight) > IN_FLIGHT:
            self.diagnostics.extend(self.in_flight.popleft()())

    def verdict(self) -> Verdict:
        while self.remediating_ahead:
            self._analyze_remediated()
        while self.in_flight:
            self.diagnostics.extend(self.in_flight.popleft()())
        diagnostics = self.diagnostics + self.analyzer.analyze_stack(self.resources)
        violations = self.notes + [
            Violation(
                policy=d.policyName,
                enforcement=LEVEL_NAMES.get(d.enforcementLevel, "advisory"),
                message=_without_description(d.message, d.description),
                urn=d.urn or None,
                severity=SEVERITY_NAMES.get(d.severity, "") or self.severity.get(d.policyName, ""),
                resource=d.urn.rsplit("::", 1)[-1] if d.urn else "",
            )
            for d in diagnostics
        ]
        return Verdict(violations=violations, ran=True, environment=self.environment, policies=self.policies)


def _remediate(
    resource: Resource,
    remediations: list[analyzer_pb2.Remediation],
    severity: Mapping[str, str],
    notes: list[Violation],
) -> Resource:
    """As the engine does: apply the pack's remediations (each on the previous one's result), then the caller
    analyzes the remediated properties. Appends one note per remediation to `notes`."""
    for remediation in remediations:
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
    return resource


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


def format_text(verdict: Verdict, types: Mapping[str, str] | None = None, file: str = "") -> str:
    """The verdict grouped by resource: each resource once, then its violations (level, policy, severity) and
    the stack key that controls each, at `file:line`."""
    if not verdict.ran:
        return "Policy: not run (no policy pack wired in)"
    env = verdict.config_file or verdict.environment or "pack defaults"
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
            if v.stack_key is not None:
                where = f" ({file}:{v.line})" if file and v.line else ""
                lines.append(f"        stack key: aks-istio:platform.{v.stack_key}{where}")
            elif v.file is not None:
                lines.append(f"        declared at: {v.file}:{v.line or 1}")
    return "\n".join(lines)
