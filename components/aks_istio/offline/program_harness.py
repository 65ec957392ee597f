"""Run any Pulumi Python program under mocks and stream what it declares, as JSON lines, to `aks-istio check --program`.

This file runs in the *program's* interpreter (its virtualenv), not in aks-istio's: it imports only the standard
library, `pulumi` and PyYAML (a dependency of `pulumi`), never `aks_istio`. `aks_istio.offline.program_run` starts it
as `python program_harness.py` with the job (project, stack, program folder, answers) as JSON on stdin and the
program's config in `PULUMI_CONFIG` / `PULUMI_CONFIG_SECRET_KEYS`, as the Pulumi language host passes it.

One event per line on the original stdout (the program's own prints go to stderr):
`hello` (pulumi's version), `resource` (a RegisterResource or ReadResource request as the engine would receive it,
with the registration's stack of source positions), `unrendered` (a Helm chart or kustomization the mocks cannot
render), `unanswered` (a call the mocks cannot answer), `outputs` (the stack's exports), then one final event:
`done`, `failed` (the program raised: its traceback, from its first frame in the program's folder), or `refused`
(a pulumi too old to say where each resource was declared).
"""

from __future__ import annotations

import base64
import json
import os
import runpy
import sys
import threading
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final, TextIO

# The engine's wire markers (pulumi/sdk/go/common/resource/sig): a secret is an object with this signature key.
SIG_KEY: Final = "4dabf18193072939515e22adb298388d"
SECRET_SIG: Final = "1b47061264138c4ac30d75fd1eb44270"
FAKE_SUBSCRIPTION: Final = "00000000-0000-0000-0000-000000000000"
FAKE_TENANT: Final = "00000000-0000-0000-0000-0000000000aa"
FAKE_CLIENT: Final = "00000000-0000-0000-0000-0000000000cc"
FAKE_OBJECT: Final = "00000000-0000-0000-0000-0000000000dd"
FAKE_KUBECONFIG: Final = (
    "apiVersion: v1\nkind: Config\nusers:\n- name: clusterUser\n  user:\n    exec: {command: kubelogin}\n"
)
STACK_REFERENCE: Final = "pulumi:pulumi:StackReference"


def qualified_urn(stack: str, project: str, parent: str, type_: str, name: str) -> str:
    """A URN as the engine builds it: the parent's whole qualified type chain (`A$B$C`), not only its last type as
    pulumi's mock monitor does."""
    if parent:
        qualified = parent.split("::")[2]
        if qualified != "pulumi:pulumi:Stack":
            type_ = f"{qualified}${type_}"
    return "urn:pulumi:" + "::".join([stack, project, type_, name])


def client_config() -> dict[str, str]:
    """What `getClientConfig` answers (azure-native and classic azure alike): a fixed, obviously fake identity."""
    return {
        "subscriptionId": FAKE_SUBSCRIPTION,
        "tenantId": FAKE_TENANT,
        "clientId": FAKE_CLIENT,
        "objectId": FAKE_OBJECT,
        "id": f"/subscriptions/{FAKE_SUBSCRIPTION}",
    }


def kubeconfig_listing(_args: Mapping[str, Any]) -> dict[str, Any]:
    """`listManagedCluster{User,Admin,Monitoring}Credentials`: one kubeconfig (base64, as ARM returns it)."""
    value = base64.b64encode(FAKE_KUBECONFIG.encode()).decode()
    return {"kubeconfigs": [{"name": "clusterUser", "value": value}]}


# Provider functions AKS programs commonly call, answered without Azure; anything else comes from the answers file
# or stops the check (never a silent empty result).
KNOWN_CALLS: Final[dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]]] = {
    "azure-native:authorization:getClientConfig": lambda _args: client_config(),
    "azure-native:containerservice:listManagedClusterUserCredentials": kubeconfig_listing,
    "azure-native:containerservice:listManagedClusterAdminCredentials": kubeconfig_listing,
    "azure-native:containerservice:listManagedClusterMonitoringUserCredentials": kubeconfig_listing,
    "azure:core/getClientConfig:getClientConfig": lambda _args: client_config(),
    "azure:core/getSubscription:getSubscription": lambda _args: {
        **client_config(),
        "displayName": "offline-check",
        "state": "Enabled",
    },
}
# Calls through which pulumi-kubernetes' Python SDK renders Helm charts and kustomizations (helm.v3.Chart,
# kustomize.Directory): the mocks cannot run helm or kustomize, so they answer "no objects" and say so.
UNRENDERED_CALLS: Final = {"kubernetes:helm:template": "Helm chart", "kubernetes:kustomize:directory": "kustomization"}


class Channel:
    """The event stream back to aks-istio: one JSON object per line, written whole under a lock (the SDK registers
    resources from its executor threads)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def send(self, event: str, **fields: Any) -> None:
        line = json.dumps({"event": event, **fields}, default=str)
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()


class UnansweredError(Exception):
    """A call or stack reference the mocks cannot answer (reported to aks-istio, which stops the check)."""


def _matches(expected: Any, actual: Any) -> bool:
    if isinstance(expected, Mapping):
        return isinstance(actual, Mapping) and all(_matches(v, actual.get(k)) for k, v in expected.items())
    return bool(expected == actual)


def answer_from_file(answers: Any, args: Mapping[str, Any]) -> dict[str, Any] | None:
    """An answers-file entry for a call: one result for every call, or a list of `{args, result}` where the first
    whose `args` all match wins."""
    if isinstance(answers, list):
        for entry in answers:
            if isinstance(entry, Mapping) and _matches(entry.get("args") or {}, args):
                return dict(entry.get("result") or {})
        return None
    return dict(answers) if isinstance(answers, Mapping) else None


def _decoded_yaml(args: Mapping[str, Any]) -> dict[str, Any]:
    """`kubernetes:yaml:decode` (yaml.ConfigFile/ConfigGroup v1 parse through it): every non-empty document."""
    import yaml

    documents = yaml.safe_load_all(str(args.get("text") or ""))
    return {"result": [document for document in documents if document]}


def _unrendered_name(token: str, args: Mapping[str, Any]) -> str:
    if token == "kubernetes:kustomize:directory":
        return repr(str(args.get("directory")))
    options = args.get("jsonOpts")
    opts = json.loads(options) if isinstance(options, str) else {}
    chart = opts.get("chart") or "?"
    version = f" {opts['version']}" if opts.get("version") else ""
    repo = (opts.get("fetch_opts") or {}).get("repo") or opts.get("repo") or ""
    return f"{opts.get('release_name') or chart!r} (chart {chart}{version}{f' from {repo}' if repo else ''})"


def _rendering_component(token: str, args: Mapping[str, Any]) -> str | None:
    """The name of the component whose rendering made this call (a helm v3 Chart's is its release name), so the
    warning is placed at that component's line however registrations and calls interleave; None: by type only."""
    if token != "kubernetes:helm:template":
        return None
    options = args.get("jsonOpts")
    opts = json.loads(options) if isinstance(options, str) else {}
    release = opts.get("release_name")
    return str(release) if release else None


def make_mocks(channel: Channel, answers: Mapping[str, Any]) -> Any:
    """The mocks: outputs echo inputs (values only Azure computes, ids included, stay unknown, as at
    `pulumi preview`), the provider functions AKS programs call, and the answers file for the rest."""
    from pulumi.runtime import mocks

    calls: Mapping[str, Any] = answers.get("calls") or {}
    references: Mapping[str, Any] = answers.get("stackReferences") or {}

    class OfflineMocks(mocks.Mocks):
        def new_resource(self, args: Any) -> tuple[str | None, dict[str, Any]]:
            if args.typ == STACK_REFERENCE:
                name = str(args.inputs.get("name") or args.name)
                if name not in references:
                    channel.send("unanswered", kind="stackReference", name=name)
                    raise UnansweredError(f"stack reference {name!r} has no outputs in the answers file")
                outputs = dict(references[name] or {})
                return name, {"name": name, "outputs": outputs, "secretOutputNames": []}
            return "", preview_outputs(args.typ, dict(args.inputs))

        def call(self, args: Any) -> tuple[dict[str, Any], list[tuple[str, str]]]:
            token = str(args.token)
            arguments = dict(args.args or {})
            if token in calls:
                answer = answer_from_file(calls[token], arguments)
                if answer is not None:
                    return answer, []
            if token in KNOWN_CALLS:
                return KNOWN_CALLS[token](arguments), []
            if token == "kubernetes:yaml:decode":
                return _decoded_yaml(arguments), []
            if token in UNRENDERED_CALLS:
                channel.send(
                    "unrendered",
                    kind=UNRENDERED_CALLS[token],
                    name=_unrendered_name(token, arguments),
                    component=_rendering_component(token, arguments),
                )
                return {"result": []}, []
            channel.send("unanswered", kind="call", name=token, args=_printable(arguments))
            raise UnansweredError(f"no answer for the provider function {token}")

    return OfflineMocks()


def preview_outputs(type_: str, state: dict[str, Any]) -> dict[str, Any]:
    """A new resource's outputs at preview: its inputs, reshaped where the output type differs, and the name
    azure-native derives from the name input (`<kind>Name` or `resourceName`); everything else unknown."""
    if type_.startswith("azure-native:"):
        kind = type_.rsplit(":", 1)[-1]
        for key in (kind[0].lower() + kind[1:] + "Name", "resourceName"):
            if isinstance(state.get(key), str):
                state.setdefault("name", state[key])
                break
        identity = state.get("identity")
        # azure-native takes user-assigned identity ids as a list and returns a map keyed by id.
        if isinstance(identity, dict) and isinstance(identity.get("userAssignedIdentities"), list):
            ids = identity["userAssignedIdentities"]
            state["identity"] = {**identity, "userAssignedIdentities": {str(i): {} for i in ids if isinstance(i, str)}}
    return state


def _printable(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
    return value


def stack_frames(request: Any) -> list[tuple[str, int]]:
    """The registration's source positions, innermost first: (file path, line). Uses the whole stack trace when the
    SDK sends one (pulumi >= 3.193), else the one source position."""
    frames = []
    trace = getattr(request, "stackTrace", None)
    positions = [frame.pc for frame in trace.frames] if trace is not None and len(trace.frames) else []
    if not positions and request.HasField("sourcePosition"):
        positions = [request.sourcePosition]
    for position in positions:
        uri, _, fragment = str(position.uri).partition("#")
        line = int(position.line) or (int(fragment.split(",")[0]) if fragment.split(",")[0].isdigit() else 0)
        if uri.startswith("file://"):
            from urllib.parse import unquote, urlparse

            frames.append((unquote(urlparse(uri).path), line))
    return frames


def make_monitor(channel: Channel, mocks: Any, project: str, stack: str) -> Any:
    from google.protobuf import json_format
    from pulumi.runtime.mocks import MockMonitor

    class StreamingMonitor(MockMonitor):
        def make_urn(self, parent: str, type_: str, name: str) -> str:
            return qualified_urn(stack, project, parent, type_, name)

        def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
            response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
            if request.type != "pulumi:pulumi:Stack":
                self._send(request, response.urn, custom=bool(request.custom), remote=bool(request.remote))
            return response

        def ReadResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
            response = super().ReadResource(request)  # type: ignore[no-untyped-call]
            # A read resource exists already: the engine answers with its id, which pulumi's mock monitor leaves
            # out (at preview the SDK then takes the id as unknown, and invokes fed by a stack reference never run).
            if "id" in response.DESCRIPTOR.fields_by_name and not response.id:
                response.id = request.id
            if request.type != STACK_REFERENCE:
                self._send(request, response.urn, custom=True, remote=False, read=True)
            return response

        def _send(self, request: Any, urn: str, *, custom: bool, remote: bool, read: bool = False) -> None:
            channel.send(
                "resource",
                urn=urn,
                type=request.type,
                name=request.name,
                custom=custom,
                remote=remote,
                read=read,
                parent=request.parent,
                provider=request.provider,
                protect=bool(getattr(request, "protect", False)),
                ignoreChanges=list(getattr(request, "ignoreChanges", [])),
                dependencies=list(request.dependencies),
                additionalSecretOutputs=list(getattr(request, "additionalSecretOutputs", [])),
                retainOnDelete=bool(getattr(request, "retainOnDelete", False)),
                properties=json_format.MessageToDict(request.properties if read else request.object),
                frames=stack_frames(request),
            )

    return StreamingMonitor(mocks)


def supports_source_positions() -> bool:
    """Whether this pulumi sends each registration's source position (since 3.76, July 2023:
    https://github.com/pulumi/pulumi/pull/13449)."""
    from pulumi.runtime.proto import resource_pb2

    fields = resource_pb2.RegisterResourceRequest.DESCRIPTOR.fields_by_name
    return "sourcePosition" in fields


def program_traceback(error: BaseException, root: Path, environment: Path) -> str:
    """The program's traceback from its first frame inside its own folder (not its virtualenv): what is theirs."""
    summary = traceback.TracebackException.from_exception(error)
    frames = list(summary.stack)
    first = next((i for i, frame in enumerate(frames) if in_program(frame.filename, root, environment)), 0)
    summary.stack = traceback.StackSummary.from_list(frames[first:])
    return "".join(summary.format())


def in_program(filename: str, root: Path, environment: Path) -> bool:
    """A source file of the program itself: under its folder, outside its virtualenv and any site-packages."""
    path = Path(filename)
    if not path.is_absolute() or "site-packages" in path.parts:
        return False
    return path.is_relative_to(root) and not path.is_relative_to(environment)


def _stack_outputs(channel: Channel) -> None:
    from google.protobuf import json_format
    from pulumi.runtime import rpc
    from pulumi.runtime.settings import get_root_resource
    from pulumi.runtime.sync_await import _sync_await

    root = get_root_resource()
    exported = dict(getattr(root, "outputs", None) or {})
    serialized = _sync_await(rpc.serialize_properties(exported, {}))
    channel.send("outputs", outputs=json_format.MessageToDict(serialized))


def run(job: Mapping[str, Any], channel: Channel) -> int:
    import importlib.metadata

    import pulumi

    version = importlib.metadata.version("pulumi")
    channel.send("hello", pulumi=version, python=sys.version.split()[0], prefix=sys.prefix)
    if not supports_source_positions():
        channel.send("refused", reason=f"pulumi {version} does not report where each resource is declared")
        return 0
    from pulumi.runtime.mocks import set_mocks
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    project, stack = str(job["project"]), str(job["stack"])
    mocks = make_mocks(channel, job.get("answers") or {})
    set_mocks(mocks, project=project, stack=stack, preview=True, monitor=make_monitor(channel, mocks, project, stack))
    root = Path(job["root"]).resolve()
    main = Path(job["main"]).resolve()
    os.chdir(main if main.is_dir() else main.parent)
    sys.path.insert(0, str(main if main.is_dir() else main.parent))
    sys.argv = [str(main)]

    def program() -> None:
        runpy.run_path(str(main), run_name="__main__")

    try:
        _sync_await(run_pulumi_func(program))
        _stack_outputs(channel)
    except UnansweredError:
        pass  # already reported; aks-istio stops with exit 2 naming it
    except SystemExit as error:
        if error.code not in (None, 0):
            channel.send("failed", message=f"the program exited with {error.code!r}", traceback="")
            return 0
    except BaseException as error:  # the user's program: whatever it raised is theirs to see
        message = str(error) if isinstance(error, pulumi.RunError) else f"{type(error).__name__}: {error}"
        channel.send(
            "failed",
            message=message,
            traceback=program_traceback(error, root, Path(sys.prefix).resolve()),
        )
        return 0
    channel.send("done")
    return 0


def main() -> int:
    # Our channel is the original stdout; the program's own prints (and its subprocesses') go to stderr.
    channel = Channel(os.fdopen(os.dup(1), "w", encoding="utf-8"))
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    job = json.loads(sys.stdin.read())
    try:
        return run(job, channel)
    except ImportError as error:
        channel.send("refused", reason=f"{sys.executable} cannot import pulumi ({error})")
        return 0


if __name__ == "__main__":
    sys.exit(main())
