"""Run another team's Pulumi Python program under mocks, in its own interpreter, and capture what it declares.

One process boundary: `program_harness.py` runs in the program's interpreter (it needs only `pulumi` there) and
streams each registration back as a JSON line; here each becomes a `CapturedResource` (the same record our own
stacks' capture makes, so the same verdict, JSON and SARIF code serves both), handed on at once to `on_register`
(the verdict streams it to the policy pack while the program still runs). What the mocks cannot open is never a
silent pass: Kubernetes YAML components are expanded here (kubernetes_yaml.py); Helm charts, kustomizations and
other components a provider plugin builds are warnings naming them.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final

from google.protobuf import struct_pb2

from aks_istio.offline import kubernetes_yaml
from aks_istio.offline.capture import Capture, CapturedResource, from_wire
from aks_istio.offline.program_harness import in_program
from aks_istio.offline.program_project import ProgramProject

HARNESS: Final = Path(__file__).with_name("program_harness.py")
HELM_RELEASE: Final = "kubernetes:helm.sh/v3:Release"
# Components a provider plugin builds (remote components), by what they hold, for the warning's wording.
OPAQUE_KINDS: Final = {
    "kubernetes:helm.sh/v4:Chart": "Helm chart",
    "kubernetes:kustomize/v2:Directory": "kustomization",
}

OnRegister = Callable[[CapturedResource], None]


class ProgramFailedError(Exception):
    """The program itself raised (its error, not ours): `traceback` is theirs, from its first frame in its folder."""

    def __init__(self, message: str, traceback: str) -> None:
        super().__init__(message)
        self.traceback = traceback


class ProgramNotJudgedError(Exception):
    """The program could not be checked as it stands (exit 2): a pulumi too old, a call the mocks cannot answer, a
    YAML file `pulumi preview` would fail on too."""


@dataclass(frozen=True)
class ProgramWarning:
    """What the check could not open, at the program's line that declared it (None: no line of the program)."""

    message: str
    source: tuple[str, int] | None = None


@dataclass
class ProgramRun:
    capture: Capture
    warnings: list[ProgramWarning] = field(default_factory=list)
    not_judged: int = 0
    """Declared resources whose contents the check could not open (each named in `warnings`)."""
    pulumi_version: str = ""


def run(project: ProgramProject, answers: Mapping[str, Any], on_register: OnRegister | None = None) -> ProgramRun:
    """Run `project`'s program as its stack under mocks; raise ProgramFailedError or ProgramNotJudgedError (exit 2)."""
    job = {
        "project": project.name,
        "stack": project.stack,
        "root": str(project.root),
        "main": str(project.main),
        "answers": dict(answers),
    }
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(
            [str(project.python), "-u", str(HARNESS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            cwd=project.root,
            env={**_inherited_env(), **project.engine_env()},
        )
        try:
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write(json.dumps(job).encode())
            process.stdin.close()
            collector = _Collector(project, on_register)
            final = collector.read(_events(process.stdout))
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
        return collector.result(final, _tail(stderr), project)


def _inherited_env() -> dict[str, str]:
    import os

    # The language host's own variables are ours to set; a stray PULUMI_* from the caller's shell must not leak in.
    return {key: value for key, value in os.environ.items() if not key.startswith("PULUMI_")}


def _events(stdout: IO[bytes]) -> Iterator[dict[str, Any]]:
    for line in stdout:
        if line.strip():
            yield json.loads(line)


def _tail(stderr: IO[bytes]) -> str:
    stderr.seek(0)
    return stderr.read().decode(errors="replace")[-3000:]


class _Collector:
    def __init__(self, project: ProgramProject, on_register: OnRegister | None) -> None:
        self.project = project
        self.on_register = on_register
        self.resources: list[CapturedResource] = []
        self.outputs: dict[str, Any] = {}
        self.warnings: list[ProgramWarning] = []
        self.not_judged = 0
        self.unrendered: list[tuple[int, str, str | None]] = []
        self.unanswered: list[str] = []
        self.problems: list[str] = []
        self.version = ""
        self.environment = project.python.parent.parent.resolve()

    def read(self, events: Iterator[dict[str, Any]]) -> dict[str, Any] | None:
        for event in events:
            kind = event["event"]
            if kind == "hello":
                self.version = str(event.get("pulumi", ""))
                self.environment = Path(str(event.get("prefix") or self.environment)).resolve()
            elif kind == "resource":
                self._resource(event)
            elif kind == "outputs":
                self.outputs = {k: from_wire(v) for k, v in (event.get("outputs") or {}).items()}
            elif kind == "unrendered":
                self.not_judged += 1
                message = (
                    f"{event['kind']} {event['name']} was not rendered offline (the check runs no helm or kustomize):"
                    " the Kubernetes objects it declares are not judged"
                )
                # Placed once every registration is in (`_place_unrendered`): the call that renders a chart can reach
                # us before or after its component's registration, so "the newest component" would be a guess.
                self.unrendered.append((len(self.warnings), event["kind"], event.get("component")))
                self.warnings.append(ProgramWarning(message))
            elif kind == "unanswered":
                self.unanswered.append(_unanswered(event))
            else:
                return event
        return None

    def _resource(self, event: dict[str, Any]) -> None:
        if event.get("read"):
            # `Resource.get(...)`: an existing resource, which the engine reads from the cloud and does not ask the
            # pack about; offline its properties are unknown, so judging it would only invent findings.
            return
        properties = struct_pb2.Struct()
        properties.update(event.get("properties") or {})
        frames = [(str(path), int(line)) for path, line in event.get("frames") or []]
        source = next(
            ((path, line) for path, line in frames if in_program(path, self.project.root, self.environment)), None
        )
        parent = next((r for r in self.resources if r.urn == event["parent"]), None)
        captured = CapturedResource(
            urn=event["urn"],
            type=event["type"],
            name=event["name"],
            custom=bool(event["custom"]),
            parent=event["parent"],
            provider=event["provider"],
            protect=bool(event["protect"]),
            ignore_changes=list(event["ignoreChanges"]),
            dependencies=list(event["dependencies"]),
            additional_secret_outputs=list(event["additionalSecretOutputs"]),
            aliases=[],
            properties=properties,
            inputs=from_wire(event.get("properties") or {}),
            retain_on_delete=bool(event["retainOnDelete"]),
            source=source or (parent.source if parent is not None else None),
        )
        self._add(captured)
        if captured.type in kubernetes_yaml.YAML_COMPONENTS:
            self._expand(captured, event.get("properties") or {})
        elif captured.type in OPAQUE_KINDS or event.get("remote"):
            self.not_judged += 1
            what = OPAQUE_KINDS.get(captured.type, "component built by a provider plugin")
            message = (
                f"{what} {captured.name!r} ({captured.type}{_chart(captured.inputs)}) was not rendered offline:"
                " the resources it declares are not judged"
            )
            self.warnings.append(ProgramWarning(message, captured.source))
        elif captured.type == HELM_RELEASE:
            message = (
                f"Helm release {captured.name!r}{_chart(captured.inputs)} is judged as one resource, as"
                " `pulumi preview` judges it: the objects of its chart are not"
            )
            self.warnings.append(ProgramWarning(message, captured.source))

    def _place_unrendered(self) -> list[ProgramWarning]:
        """The warnings, each unrendered chart or kustomization at the line of the component that renders it (by
        its type and, for a chart, its release name; the newest of that type when no name tells)."""
        warnings = list(self.warnings)
        for index, kind, name in self.unrendered:
            candidates = [
                r
                for r in self.resources
                if r.type == RENDERING_COMPONENTS.get(kind) and (name is None or r.name == name)
            ]
            if candidates:
                warnings[index] = ProgramWarning(warnings[index].message, candidates[-1].source)
        return warnings

    def _add(self, captured: CapturedResource) -> None:
        self.resources.append(captured)
        if self.on_register is not None:
            self.on_register(captured)

    def _expand(self, component: CapturedResource, inputs: Mapping[str, Any]) -> None:
        folder = self.project.main if self.project.main.is_dir() else self.project.main.parent
        try:
            objects = kubernetes_yaml.expand(component.type, component.name, inputs, folder)
        except kubernetes_yaml.YamlNotExpandedError as error:
            self.not_judged += 1
            message = (
                f"Kubernetes YAML {component.name!r} ({component.type}) was not expanded offline ({error}):"
                " the objects it declares are not judged"
            )
            self.warnings.append(ProgramWarning(message, component.source))
            return
        except kubernetes_yaml.YamlError as error:
            self.problems.append(f"{component.type} {component.name!r}: {error}")
            return
        for obj in objects:
            wire = struct_pb2.Struct()
            wire.update(obj.properties)
            self._add(
                CapturedResource(
                    urn=kubernetes_yaml.child_urn(component.urn, obj.type, obj.name),
                    type=obj.type,
                    name=obj.name,
                    custom=True,
                    parent=component.urn,
                    provider=component.provider,
                    protect=component.protect,
                    ignore_changes=[],
                    dependencies=[],
                    additional_secret_outputs=[],
                    aliases=[],
                    properties=wire,
                    inputs=from_wire(obj.properties),
                    source=(str(obj.file), obj.line or 1) if obj.file is not None else component.source,
                )
            )

    def result(self, final: dict[str, Any] | None, stderr: str, project: ProgramProject) -> ProgramRun:
        if final is not None and final["event"] == "refused":
            raise ProgramNotJudgedError(
                f"{project.python}: {final['reason']}; the offline check needs pulumi 3.76 or newer in the program's"
                " environment (pip install -U pulumi)"
            )
        if self.unanswered:
            raise ProgramNotJudgedError(
                "the program asked for what the offline check cannot answer:\n"
                + "\n".join(f"  - {item}" for item in dict.fromkeys(self.unanswered))
                + "\nGive the answers in an answers file (--answers FILE; docs/policy.md#answers-file)."
            )
        if final is None:
            raise ProgramFailedError(
                f"the program's interpreter ({project.python}) stopped before the program finished", stderr
            )
        if final["event"] == "failed":
            raise ProgramFailedError(
                str(final.get("message") or "the program failed"), str(final.get("traceback") or "")
            )
        if self.problems:
            raise ProgramNotJudgedError("\n".join(self.problems))
        capture = Capture(stack=project.stack, resources=self.resources, outputs=self.outputs)
        warnings = self._place_unrendered()
        if self.not_judged:
            declared = len(self.resources)
            warnings.append(
                ProgramWarning(
                    f"{self.not_judged} of the {declared} declared resources could not be opened offline; what they"
                    " declare is not judged (see the warnings above)"
                )
            )
        return ProgramRun(capture, warnings, self.not_judged, self.version)


RENDERING_COMPONENTS: Final = {
    "Helm chart": "kubernetes:helm.sh/v3:Chart",
    "kustomization": "kubernetes:kustomize:Directory",
}
"""The SDK-side components whose rendering call the mocks cannot answer, by the warning's wording of the call."""


def _chart(inputs: Mapping[str, Any]) -> str:
    chart = inputs.get("chart")
    if not isinstance(chart, str):
        return ""
    version = inputs.get("version")
    repo = inputs.get("repositoryOpts", {}).get("repo") if isinstance(inputs.get("repositoryOpts"), dict) else None
    return f", chart {chart}{f' {version}' if isinstance(version, str) else ''}{f' from {repo}' if repo else ''}"


def _unanswered(event: Mapping[str, Any]) -> str:
    if event.get("kind") == "stackReference":
        name = event["name"]
        return f"the outputs of stack reference {name!r} (answers file: stackReferences: {{{name}: <outputs>}})"
    args = json.dumps(event.get("args") or {}, sort_keys=True)
    return f"provider function {event['name']} with {args} (answers file: calls: {{{event['name']}: <result>}})"
