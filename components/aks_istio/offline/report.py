"""The `--json` output contract of `preview`, `check` and `validate` (docs/preview-output.schema.json describes it).

Every run prints the same top-level keys whatever the outcome, so a CI step reads `exitCode`, `counts` and
`policy.violations` without first testing which keys exist. `version` changes only when a key is removed or its
meaning changes; keys may be added. `warnings` holds every warning the text output shows, each at the stack key
it concerns and that key's line, like `configErrors`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from aks_istio.config.invalid import CONFIG_ROOT, key_of
from aks_istio.offline.stack_files import line_of

if TYPE_CHECKING:  # a config error is reported without loading the capture's Pulumi SDKs
    from aks_istio.config import StackConfig
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
    """One input problem as JSON: the config key path it starts with (`aks-istio:platform.cluster.tier`,
    `aks-istio:grafanaToken`; None for a problem of the file itself, such as its YAML), its line, the whole message."""
    key = key_of(problem)
    named = key != problem and ":" in key and not any(character.isspace() for character in key)
    return {"key": key if named else None, "line": line, "message": problem}


_REVISION_WARNING = re.compile(r"^mesh revision (?P<revision>asm-\d+-\d+) ")


def warning_key(message: str, config: StackConfig | None) -> str | None:
    """The stack key (under `aks-istio:platform`, without that prefix) a warning is about: the key it starts with,
    or the mesh revision setting a revision notice names; None for notices about no key (the catalog's age)."""
    if message.startswith(f"{CONFIG_ROOT}."):
        return key_of(message).removeprefix(f"{CONFIG_ROOT}.")
    match = _REVISION_WARNING.match(message)
    if match is None or config is None:
        return None
    upgrade = config.mesh.upgrade
    return "mesh.upgrade.to" if upgrade is not None and upgrade.to == match["revision"] else "mesh.revision"


def placed_warnings(
    messages: Sequence[str], config: StackConfig | None, lines: Mapping[str, int]
) -> list[dict[str, Any]]:
    """Warnings as JSON: `{key, line, message}`, the key in full (`aks-istio:platform.mesh.revision`) at its line."""
    placed = []
    for message in dict.fromkeys(messages):  # a notice logged twice (a component per revision) is one warning
        key = warning_key(message, config)
        placed.append(
            {
                "key": f"{CONFIG_ROOT}.{key}" if key is not None else None,
                "line": line_of(lines, key) if key is not None else None,
                "message": message,
            }
        )
    return placed


def warning_lines(warnings: Sequence[Mapping[str, Any]], file: str) -> list[str]:
    """The text output's form of placed warnings: `warning: file:line: message`."""
    return [f"warning: {file}{':' + str(w['line']) if w['line'] else ''}: {w['message']}" for w in warnings]


def document(
    *,
    command: str,
    stack: str,
    file: str,
    exit_code: int,
    capture: Capture | None = None,
    verdict: Verdict | None = None,
    config_errors: Sequence[dict[str, Any]] = (),
    warnings: Sequence[Mapping[str, Any]] = (),
    program: str | None = None,
    config: StackConfig | None = None,
) -> dict[str, Any]:
    """The whole JSON output of one run; `program` is the folder of another team's program (`--program`); `config`
    the stack's valid config (None: invalid input, or `--program`), which names its environment and tier."""
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
        "program": program,
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
            # The environment is the team's name for the stack (qa, eu-prod); the tier its preset (dev, staging,
            # prod), which also picks the policy config (policy/config/<tier>.json) the pack runs with.
            "environment": config.environment if config is not None else None,
            "tier": config.preset_tier.value if config is not None else verdict.environment if verdict else None,
            "policies": len(verdict.policies) if verdict else 0,
            "configFile": verdict.config_file if verdict else None,
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
        "file": violation.file,
    }
