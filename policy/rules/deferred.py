"""Findings a policy cannot report under its own name, handed to a policy that runs after it in the same request.

The SDK fixes each policy's enforcement level when it calls it, so a rule cannot report one finding as mandatory
and another as advisory. Two kinds of finding need a level of their own:

* a rule that raised: always mandatory, whatever the rule's level (fail closed, failures.py);
* an add-on rule on a program that declares no cluster: advisory while the target is unknown (addon_target.py).

The rule hands the finding to a `Deferred` store; a policy placed after every rule in `ALL_POLICIES` takes it and
reports it at its own level. The engine calls one request's policies one after another on one thread (the SDK's
`Analyze`/`AnalyzeStack` loop), so the store is per thread and per request: a request `scope` (the resource's
URN, or the stack's URNs) that differs from the stored one starts afresh, so a store never leaks findings into
another request, even when the reporting policy was disabled.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Final

Finding = tuple[str, str]
"""(urn of the offending resource, or "" for the whole stack; message)."""


class Deferred(threading.local):
    """Findings of the current request on this thread, taken once by the policy that reports them."""

    def __init__(self) -> None:
        self.scope: Hashable = None
        self.findings: list[Finding] = []

    def add(self, scope: Hashable, finding: Finding) -> None:
        if scope != self.scope:
            self.scope, self.findings = scope, []
        self.findings.append(finding)

    def take(self, scope: Hashable) -> list[Finding]:
        found = self.findings if scope == self.scope else []
        self.scope, self.findings = None, []
        return found


def resource_scope(urn: str) -> Hashable:
    return ("resource", urn)


def stack_scope(urns: tuple[str, ...]) -> Hashable:
    return ("stack", urns)


RAISED: Final = Deferred()
"""Rules that raised while judging (reported by failures.py's policies, always mandatory by default)."""
UNCONFIRMED: Final = Deferred()
"""Add-on findings on a program whose target cluster is unknown (reported by addon_target.py, advisory)."""
