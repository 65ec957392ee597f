"""The `--json` output contract of `preview` and `check` (docs/preview-output.schema.json describes it).

Every run prints the same top-level keys whatever the outcome, so a CI step reads `exitCode`, `counts` and
`policy.violations` without first testing which keys exist. `version` changes only when a key is removed or its
meaning changes; keys may be added (other work adds e.g. `warnings`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from aks_istio.config.errors import key_of

if TYPE_CHECKING:  # a config error is reported without loading the capture's Pulumi SDKs
    from aks_istio.offline.capture import Capture
    from aks_istio.offline.verdict import Verdict, Violation

VERSION: Final = 1
EXIT_OK, EXIT_VIOLATION, EXIT_INVALID_INPUT, EXIT_INTERNAL_ERROR = 0, 1, 2, 3
OUTCOMES: Final = {
    EXIT_OK: "clean",
    EXIT_VIOLATION: "mandatory-violations",
    EXIT_INVALID_INPUT: "invalid-input",
    EXIT_INTERNAL_ERROR: "internal-error",
}


def config_error(problem: str, line: int | None) -> dict[str, Any]:
    """One input problem as JSON: the key path it names, the stack file's line, the whole message."""
    key = key_of(problem)
    return {"key": key if key != problem else None, "line": line, "message": problem}


def document(
    *,
    command: str,
    stack: str,
    file: str,
    exit_code: int,
    capture: Capture | None = None,
    verdict: Verdict | None = None,
    config_errors: Sequence[dict[str, Any]] = (),
    warnings: Sequence[str] = (),
) -> dict[str, Any]:
    """The whole JSON output of one run."""
    rendered = None
    if capture is not None and command == "preview":
        from aks_istio.offline.render import capture_json

        rendered = capture_json(capture)
    resources = capture.resources if capture is not None else []
    types = {r.urn: r.type for r in resources}
    return {
        "version": VERSION,
        "command": command,
        "stack": stack,
        "file": file,
        "exitCode": exit_code,
        "outcome": OUTCOMES[exit_code],
        "counts": {
            # The text header's figure: resources a deployment would create; components group them.
            "resources": sum(1 for r in resources if r.custom),
            "components": sum(1 for r in resources if not r.custom),
            "findings": len(verdict.violations) if verdict else 0,
            "mandatory": len(verdict.blocking) if verdict else 0,
            "configErrors": len(config_errors),
        },
        "configErrors": list(config_errors),
        "warnings": list(warnings),
        "resources": rendered["resources"] if rendered else [],
        "outputs": rendered["outputs"] if rendered else {},
        "policy": {
            "ran": verdict.ran if verdict else False,
            "environment": verdict.environment if verdict else None,
            "policies": len(verdict.policies) if verdict else 0,
            "violations": [_violation(v, types) for v in verdict.violations] if verdict else [],
        },
    }


def _violation(violation: Violation, types: Mapping[str, str]) -> dict[str, Any]:
    return {
        "policy": violation.policy,
        "enforcement": violation.enforcement,
        "severity": violation.severity or None,
        "message": violation.message,
        "resource": violation.resource or None,
        "resourceType": types.get(violation.urn or ""),
        "urn": violation.urn,
        "stackKey": None if violation.stack_key is None else f"aks-istio:platform.{violation.stack_key}",
        "line": violation.line,
    }
