"""The policy pack's verdict over a capture.

Seam for the policy issue: `check(capture)` will start `policy/` as the Pulumi engine does (a gRPC Analyzer
server), call Configure/Analyze/AnalyzeStack over the captured resources and return its violations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .capture import Capture


@dataclass(frozen=True)
class Violation:
    policy: str
    enforcement: str
    """advisory, mandatory or remediate."""
    message: str
    urn: str | None = None


@dataclass
class Verdict:
    violations: list[Violation] = field(default_factory=list)
    ran: bool = False
    """False while no policy pack is wired in."""

    @property
    def blocking(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement == "mandatory"]


def check(capture: Capture, stack: str) -> Verdict:
    return Verdict(ran=False)
