"""Drive the policy pack through its real Analyzer gRPC interface (style §13): one pack process per session."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from aks_istio.offline.analyzer_client import Analyzer, PolicyInfo, PolicyPackProcess, Resource, resolve_config, struct
from aks_istio.offline.verdict import PACK_DIR

# The rules package, for the pure check functions (the pack itself puts policy/ on its path the same way).
sys.path.insert(0, str(PACK_DIR))


class Pack:
    """The running pack, with helpers that analyze one resource or one stack and return (policy, message)."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self.policies: list[PolicyInfo] = analyzer.info()

    def configure(self, document: Mapping[str, Any] | None = None) -> None:
        self.analyzer.configure(resolve_config(self.policies, document))

    def analyze(
        self, type_: str, props: Mapping[str, Any], name: str = "res", config: Mapping[str, Any] | None = None
    ) -> list[tuple[str, str]]:
        self.configure(config)
        resource = Resource(type=type_, name=name, urn=_urn(type_, name), properties=struct(props))
        return [(d.policyName, d.message) for d in self.analyzer.analyze(resource)]

    def analyze_stack(
        self,
        resources: Sequence[tuple[str, str, Mapping[str, Any]]],
        config: Mapping[str, Any] | None = None,
        depends: Mapping[str, Sequence[str]] | None = None,
    ) -> list[tuple[str, str, str]]:
        """resources: (type, name, props); depends: name -> names it depends on."""
        self.configure(config)
        found = self.analyzer.analyze_stack(_request(resources, depends))
        return [(d.policyName, d.urn.rsplit("::", 1)[-1], d.message) for d in found]

    def program(
        self,
        resources: Sequence[tuple[str, str, Mapping[str, Any]]],
        config: Mapping[str, Any] | None = None,
        depends: Mapping[str, Sequence[str]] | None = None,
    ) -> list[Verdict]:
        """A whole program as the engine judges it: Analyze for each resource, then AnalyzeStack once."""
        self.configure(config)
        request = _request(resources, depends)
        diagnostics = [d for r in request for d in self.analyzer.analyze(r)]
        diagnostics += self.analyzer.analyze_stack(request)
        return [
            Verdict(d.policyName, d.urn.rsplit("::", 1)[-1], LEVELS.get(d.enforcementLevel, "?"), d.message)
            for d in diagnostics
        ]


def _request(
    resources: Sequence[tuple[str, str, Mapping[str, Any]]], depends: Mapping[str, Sequence[str]] | None
) -> list[Resource]:
    urns = {name: _urn(type_, name) for type_, name, _ in resources}
    return [
        Resource(
            type=type_,
            name=name,
            urn=urns[name],
            properties=struct(props),
            dependencies=tuple(urns[d] for d in (depends or {}).get(name, ())),
        )
        for type_, name, props in resources
    ]


LEVELS = {0: "advisory", 1: "mandatory", 2: "disabled", 3: "remediate"}


@dataclass(frozen=True)
class Verdict:
    """One finding: policy, resource name, enforcement level and message."""

    policy: str
    resource: str
    level: str
    message: str


def mandatory(verdicts: Sequence[Verdict]) -> list[tuple[str, str]]:
    return sorted((v.policy, v.resource) for v in verdicts if v.level == "mandatory")


def _urn(type_: str, name: str) -> str:
    return f"urn:pulumi:test::aks-istio::{type_}::{name}"


@pytest.fixture(scope="session")
def pack() -> Iterator[Pack]:
    with PolicyPackProcess(PACK_DIR, project="aks-istio", stack="test") as process:
        yield Pack(Analyzer(process.stub()))
