"""The component package as the Pulumi engine meets it: a plugin process, and an engine that records.

`ProviderPlugin` starts a plugin folder's `__main__.py` as the engine does (its address as the first argument,
the port read from the first line of stdout) and talks to it through the `ResourceProvider` stubs.
`RecordingEngine` serves the two services a plugin calls back during `Construct` (the ResourceMonitor and the
Engine's log) over gRPC and records every call; provider functions are answered by the offline tool's mocks
(`AzureMocks`), the same answers the golden previews were rendered with.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import grpc  # type: ignore[import-untyped]  # grpcio ships no type stubs
import jsonschema
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime.proto import (
    engine_pb2,
    engine_pb2_grpc,
    errors_pb2,
    provider_pb2,
    provider_pb2_grpc,
    resource_pb2,
    resource_pb2_grpc,
    status_pb2,
)

from aks_istio.offline.capture import (
    AzureMocks,
    CapturedResource,
    captured_registration,
    from_wire,
)
from aks_istio.offline.program_harness import SECRET_SIG, SIG_KEY

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_DIR = ROOT / "provider"
PROJECT = "aks-istio"
STACK = "dev"
STACK_URN = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{STACK}"

# What the engine of pulumi 3.272 says it supports; the SDK then sends secrets, resource references and output
# values on the wire as a real deployment would.
SUPPORTED_FEATURES = frozenset({"secrets", "resourceReferences", "outputValues", "aliasSpecs", "deletedWith"})


class RecordingMonitor(resource_pb2_grpc.ResourceMonitorServicer):
    """A ResourceMonitor that echoes inputs as outputs (as the engine does at preview) and records everything."""

    def __init__(self) -> None:
        self.registrations: dict[str, CapturedResource] = {}
        self.registered_outputs: dict[str, dict[str, Any]] = {}
        """The outputs each component registered last (`register_outputs`), by URN."""
        self.invokes: list[str] = []
        self.features: list[str] = []
        self.mocks = AzureMocks()
        self.lock = threading.Lock()

    def GetDeploymentInfo(self, request: Any, context: Any) -> Any:  # noqa: N802 (gRPC method names)
        # Answered as an engine without this call: the SDK then asks feature by feature (SupportsFeature), which
        # the monitor records.
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "GetDeploymentInfo")

    def SupportsFeature(self, request: Any, context: Any) -> Any:  # noqa: N802
        with self.lock:
            self.features.append(request.id)
        return resource_pb2.SupportsFeatureResponse(hasSupport=request.id in SUPPORTED_FEATURES)

    def RegisterResource(self, request: Any, context: Any) -> Any:  # noqa: N802
        urn = make_urn(request.parent, request.type, request.name)
        # Preview: no id yet, and the state is the inputs, reshaped where an output's type differs from its
        # input's (AzureMocks, as the golden previews were rendered).
        wire = json_format.MessageToDict(request.object)
        args = pulumi_mocks.MockResourceArgs(request.type, request.name, wire, request.provider, "", request.custom)
        _, state = self.mocks.new_resource(args)
        with self.lock:
            self.registrations[urn] = captured_registration(request, urn, state)
        return resource_pb2.RegisterResourceResponse(
            urn=urn, id="", object=json_format.ParseDict(state, struct_pb2.Struct())
        )

    def RegisterResourceOutputs(self, request: Any, context: Any) -> Any:  # noqa: N802
        with self.lock:
            self.registered_outputs[request.urn] = json_format.MessageToDict(request.outputs)
        return empty_pb2.Empty()

    def Invoke(self, request: Any, context: Any) -> Any:  # noqa: N802
        with self.lock:
            self.invokes.append(request.tok)
        args = json_format.MessageToDict(request.args)
        if request.tok == "pulumi:pulumi:getResource":
            # The engine's own function: a resource the caller declared (here: the providers it hands Construct),
            # looked up by URN. At preview its id is not known yet, and nothing of its state is read.
            answer: dict[str, Any] = {"urn": args["urn"], "id": "", "state": {}}
        else:
            answer, _ = self.mocks.call(pulumi_mocks.MockCallArgs(request.tok, args, request.provider))
        return resource_pb2.ResourceInvokeResponse(**{"return": json_format.ParseDict(answer, struct_pb2.Struct())})


class RecordingLog(engine_pb2_grpc.EngineServicer):
    """The engine's log: what `pulumi.log` in a component would show the user."""

    def __init__(self) -> None:
        self.messages: list[tuple[int, str]] = []

    def Log(self, request: Any, context: Any) -> Any:  # noqa: N802
        self.messages.append((request.severity, request.message))
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any, context: Any) -> Any:  # noqa: N802
        return engine_pb2.GetRootResourceResponse(urn=STACK_URN)


def make_urn(parent: str, type_: str, name: str) -> str:
    """URNs as the engine builds them: the parent's whole qualified type chain (the stack itself left out)."""
    if parent and parent != STACK_URN:
        type_ = f"{parent.split('::')[2]}${type_}"
    return f"urn:pulumi:{STACK}::{PROJECT}::{type_}::{name}"


class RecordingEngine:
    """Both services on one local port, for the lifetime of a `with` block."""

    def __init__(self) -> None:
        self.monitor = RecordingMonitor()
        self.log = RecordingLog()
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        resource_pb2_grpc.add_ResourceMonitorServicer_to_server(self.monitor, self.server)
        engine_pb2_grpc.add_EngineServicer_to_server(self.log, self.server)
        self.address = f"127.0.0.1:{self.server.add_insecure_port('127.0.0.1:0')}"

    def __enter__(self) -> RecordingEngine:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop(grace=None)


@dataclass
class Constructed:
    urn: str
    state: dict[str, Any]
    """The component's outputs as the caller receives them (secrets as `Secret` markers)."""


class ProviderPlugin:
    """A plugin folder, started as the engine starts it: `python <folder> <engine address>` (the folder's
    `__main__.py` runs), the port read from the first line of stdout."""

    def __init__(self, plugin_dir: Path, engine: RecordingEngine) -> None:
        self.engine = engine
        # A file, not a pipe: nothing reads stderr while the plugin runs, and a full pipe would block it.
        self.stderr_file = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed in stop())
        self.stderr = ""
        """What the plugin wrote to stderr (the engine shows it to the user); complete once it has stopped."""
        self.process = subprocess.Popen(
            [sys.executable, str(plugin_dir), engine.address],
            stdout=subprocess.PIPE,
            stderr=self.stderr_file,
            text=True,
        )
        assert self.process.stdout is not None
        port = self.process.stdout.readline().strip()
        if not port.isdigit():
            self.stop()
            raise RuntimeError(f"the plugin printed {port!r} instead of its port:\n{self.stderr}")
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)

    def __enter__(self) -> ProviderPlugin:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.channel.close()
        self.stop()

    def stop(self) -> None:
        self.process.kill()
        self.process.communicate()
        self.stderr_file.seek(0)
        self.stderr = self.stderr_file.read()
        self.stderr_file.close()

    def schema(self) -> dict[str, Any]:
        response = self.stub.GetSchema(provider_pb2.GetSchemaRequest(version=0))
        document: dict[str, Any] = json.loads(response.schema)
        return document

    def construct(
        self,
        type_: str,
        name: str,
        inputs: dict[str, Any],
        *,
        providers: Mapping[str, str] | None = None,
        dry_run: bool = True,
    ) -> Constructed:
        """Construct `type_` as the engine does for a program's `new X(name, inputs, {providers})` under the
        stack (`providers`: package name -> provider reference, `<urn>::<id>`)."""
        request = provider_pb2.ConstructRequest(
            providers=dict(providers or {}),
            project=PROJECT,
            stack=STACK,
            type=type_,
            name=name,
            parent=STACK_URN,
            inputs=json_format.ParseDict(inputs, struct_pb2.Struct()),
            monitorEndpoint=self.engine.address,
            dryRun=dry_run,
        )
        response = self.stub.Construct(request, timeout=120)
        return Constructed(urn=response.urn, state=from_wire(json_format.MessageToDict(response.state)))


def secret(value: Any) -> dict[str, Any]:
    """A secret input on the wire, as a caller's `pulumi.secret(...)` arrives."""
    return {SIG_KEY: SECRET_SIG, "value": value}


# The engine's marker of a resource reference (pulumi/sdk/go/common/resource/sig: ResourceReferenceSig).
RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"


def resource_reference(ref: str) -> dict[str, Any]:
    """A resource input on the wire (`<urn>::<id>`), as a caller passing a resource, e.g. its Kubernetes provider,
    sends it."""
    urn, _, id_ = ref.rpartition("::")
    return {SIG_KEY: RESOURCE_REFERENCE_SIG, "urn": urn, "id": id_, "packageVersion": ""}


PACKAGE_SCHEMA_SUBSET = Path(__file__).resolve().parent / "data" / "pulumi-package-subset.schema.json"
"""Our JSON Schema of the parts of Pulumi's package schema the components use (its `description` cites the
Pulumi documents it was written from)."""


def metaschema_errors(schema: dict[str, Any]) -> list[str]:
    """Every place `schema` breaks our subset of Pulumi's package metaschema, as `path: message`."""
    subset = json.loads(PACKAGE_SCHEMA_SUBSET.read_text())
    jsonschema.Draft202012Validator.check_schema(subset)
    validator = jsonschema.Draft202012Validator(subset)
    # `best_match` descends into a failed `oneOf` (an object or an enum type) to the alternative that came
    # closest, instead of "is not valid under any of the given schemas".
    leaves = (jsonschema.exceptions.best_match([error]) for error in validator.iter_errors(schema))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in leaves]


def input_errors(error: grpc.RpcError) -> list[str]:
    """The `property: reason` list an invalid-input failure carries in its status details (what the CLI prints)."""
    found: list[str] = []
    for key, value in error.trailing_metadata() or ():
        if key != "grpc-status-details-bin":
            continue
        status = status_pb2.Status.FromString(value)
        for detail in status.details:
            properties = errors_pb2.InputPropertiesError()
            detail.Unpack(properties)
            found += [f"{e.property_path}: {e.reason}" for e in properties.errors]
    return found
