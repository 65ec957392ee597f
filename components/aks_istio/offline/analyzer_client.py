"""Talk to a running policy pack (`aks_istio.offline.pack_process` starts it as the engine does) over the Analyzer
gRPC interface, as the engine does."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from aks_istio.offline.pack_process import PolicyPackProcess as PolicyPackProcess

LEVELS: Final = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}
LEVEL_NAMES: Final = {value: name for name, value in LEVELS.items()}
SEVERITY_NAMES: Final = {
    analyzer_pb2.POLICY_SEVERITY_UNSPECIFIED: "",
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    description: str
    enforcement: str
    severity: str
    remediation: str
    url: str
    stack: bool
    schema: dict[str, Any]


@dataclass(frozen=True)
class Resource:
    """What the engine sends an analyzer about one resource."""

    type: str
    name: str
    urn: str
    properties: struct_pb2.Struct
    parent: str = ""
    dependencies: tuple[str, ...] = ()
    protect: bool = False
    ignore_changes: tuple[str, ...] = ()
    additional_secret_outputs: tuple[str, ...] = ()


def struct(properties: Mapping[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(dict(properties))
    return message


class Analyzer:
    """Typed calls on a pack's Analyzer service."""

    def __init__(self, stub: analyzer_pb2_grpc.AnalyzerStub) -> None:
        self.stub = stub

    def plugin_version(self) -> str:
        return str(self.stub.GetPluginInfo(empty_pb2.Empty()).version)

    def info(self) -> list[PolicyInfo]:
        reply = self.stub.GetAnalyzerInfo(empty_pb2.Empty())
        return [
            PolicyInfo(
                name=p.name,
                description=p.description,
                enforcement=LEVEL_NAMES.get(p.enforcementLevel, "advisory"),
                severity=SEVERITY_NAMES.get(p.severity, ""),
                remediation=p.remediation_steps,
                url=p.url,
                stack=p.policy_type == analyzer_pb2.POLICY_TYPE_STACK,
                schema=_to_python(p.configSchema.properties),
            )
            for p in reply.policies
        ]

    def configure(self, config: Mapping[str, tuple[str, Mapping[str, Any]]]) -> None:
        """`{policy: (enforcement level, properties)}`, already resolved per policy (as the engine sends it)."""
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, (level, properties) in config.items():
            request.policyConfig[name].CopyFrom(
                analyzer_pb2.PolicyConfig(enforcementLevel=LEVELS[level], properties=struct(properties))
            )
        self.stub.Configure(request)

    def analyze(self, resource: Resource) -> list[analyzer_pb2.AnalyzeDiagnostic]:
        reply = self.stub.Analyze(analyze_request(resource))
        return [_with_urn(d, resource.urn) for d in reply.diagnostics]

    def analyze_later(self, resource: Resource) -> Callable[[], list[analyzer_pb2.AnalyzeDiagnostic]]:
        """Send Analyze now and collect the diagnostics later: calls in flight queue up in the pack, which then
        never waits for this process (busy running the program) to take one reply and send the next request."""
        future = self.stub.Analyze.future(analyze_request(resource))
        return lambda: [_with_urn(d, resource.urn) for d in future.result().diagnostics]

    def remediate(self, resource: Resource) -> list[analyzer_pb2.Remediation]:
        return list(self.stub.Remediate(analyze_request(resource)).remediations)

    def remediate_later(self, resource: Resource) -> Callable[[], list[analyzer_pb2.Remediation]]:
        """Send Remediate now and collect the remediations later (as `analyze_later`)."""
        future = self.stub.Remediate.future(analyze_request(resource))
        return lambda: list(future.result().remediations)

    def analyze_stack(self, resources: Iterable[Resource]) -> list[analyzer_pb2.AnalyzeDiagnostic]:
        request = analyzer_pb2.AnalyzeStackRequest(
            resources=[
                analyzer_pb2.AnalyzerResource(
                    type=r.type,
                    properties=r.properties,
                    urn=r.urn,
                    name=r.name,
                    options=_options(r),
                    parent=r.parent,
                    dependencies=list(r.dependencies),
                )
                for r in resources
            ]
        )
        return list(self.stub.AnalyzeStack(request).diagnostics)


def analyze_request(resource: Resource) -> analyzer_pb2.AnalyzeRequest:
    return analyzer_pb2.AnalyzeRequest(
        type=resource.type,
        properties=resource.properties,
        urn=resource.urn,
        name=resource.name,
        options=_options(resource),
    )


def _options(resource: Resource) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(
        protect=resource.protect,
        ignoreChanges=list(resource.ignore_changes),
        additionalSecretOutputs=list(resource.additional_secret_outputs),
        parent=resource.parent,
    )


def _with_urn(diagnostic: analyzer_pb2.AnalyzeDiagnostic, urn: str) -> analyzer_pb2.AnalyzeDiagnostic:
    # Resource policies report with no URN ("ignored when validating resources"); the engine attributes them to
    # the resource being analyzed, and so do we.
    if not diagnostic.urn:
        diagnostic.urn = urn
    return diagnostic


def _to_python(message: Any) -> dict[str, Any]:
    from google.protobuf import json_format

    return dict(json.loads(json_format.MessageToJson(message))) if message else {}


def resolve_config(
    policies: Iterable[PolicyInfo], document: Mapping[str, Any] | None
) -> dict[str, tuple[str, dict[str, Any]]]:
    """Expand a policy config file (`all` plus per-policy entries) into one entry per policy, with JSON-Schema
    defaults applied, as the CLI does before Configure (pulumi `--policy-pack-config`)."""
    document = document or {}
    everyone = _entry(document.get("all"))
    resolved: dict[str, tuple[str, dict[str, Any]]] = {}
    for policy in policies:
        own = _entry(document.get(policy.name))
        level = own.get("enforcementLevel") or everyone.get("enforcementLevel") or policy.enforcement
        properties = {k: v["default"] for k, v in policy.schema.items() if isinstance(v, dict) and "default" in v}
        properties.update({k: v for k, v in own.items() if k != "enforcementLevel"})
        resolved[policy.name] = (str(level), properties)
    return resolved


def _entry(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        return {"enforcementLevel": value}
    return dict(value) if isinstance(value, Mapping) else {}
