"""A verdict as SARIF 2.1.0, for CI code scanning (e.g. GitHub `upload-sarif`).

Every policy becomes a rule (description, remediation as help, Microsoft doc as helpUri); every violation a result
located at the line of the stack key that controls it, with the resource URN as its logical location. An invalid
stack (exit 2) still gets a SARIF file: one `stack-config-invalid` result per problem, at its line, so the upload
step of a CI job has a file to upload and shows where the stack file is wrong.
Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html; GitHub's reading of it (repository-relative
URIs, automationDetails.id per analysis, partialFingerprints):
https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from aks_istio.offline.stack_files import SOURCE_BASE_ID, SourceFile

if TYPE_CHECKING:  # an invalid stack's SARIF is written without loading the Pulumi SDKs
    from aks_istio.offline.verdict import Verdict

StackFile = SourceFile | str
"""The stack file the results point into; a plain string is repository-relative."""

SCHEMA: Final = "https://json.schemastore.org/sarif-2.1.0.json"
# mandatory blocks the deployment; advisory and applied remediations do not.
LEVELS: Final = {"mandatory": "error", "advisory": "warning", "remediate": "note"}
# GitHub ranks security alerts by `security-severity` (0-10): its documented bands for critical/high/medium/low.
SECURITY_SEVERITY: Final = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0"}


CONFIG_RULE_ID: Final = "stack-config-invalid"
CONFIG_RULE: Final[dict[str, Any]] = {
    "id": CONFIG_RULE_ID,
    "name": CONFIG_RULE_ID,
    "shortDescription": {"text": "The stack file is invalid: nothing is declared until it is fixed."},
    "fullDescription": {"text": "The stack file is invalid: nothing is declared until it is fixed."},
    "help": {"text": "Fix the key the message names; `aks-istio config-reference` lists every key."},
    "defaultConfiguration": {"level": "error"},
    "properties": {"tags": ["aks", "istio", "configuration"]},
}


def fingerprint(*parts: str | None) -> str:
    """Stable across runs and rewordings: code scanning keeps one alert per (rule, resource, key)."""
    return hashlib.sha256("|".join(p or "" for p in parts).encode()).hexdigest()


def _location(stack_file: StackFile, line: int | None) -> dict[str, Any]:
    """A repository-relative URI with its `uriBaseId` (%SRCROOT%, or the shipped samples' own base), so code
    scanning finds the same file whatever folder the command ran from."""
    uri, base = (stack_file.relative, stack_file.base_id) if isinstance(stack_file, SourceFile) else (stack_file, None)
    artifact = {"uri": uri, "uriBaseId": base or SOURCE_BASE_ID}
    return {"artifactLocation": artifact, "region": {"startLine": line or 1}}


def _base_ids(stack_file: StackFile) -> dict[str, Any]:
    """`originalUriBaseIds` for a sample stack (where the package put it); a repository's root needs none."""
    if not isinstance(stack_file, SourceFile) or not stack_file.sample:
        return {}
    where = {"uri": stack_file.root.as_uri() + "/", "description": {"text": "the sample stacks shipped with aks-istio"}}
    return {"originalUriBaseIds": {stack_file.base_id: where}}


def config_errors_sarif(
    problems: Sequence[tuple[str, str | None, int | None]],
    *,
    stack: str,
    stack_file: StackFile,
    tool_version: str = "0.1.0",
) -> dict[str, Any]:
    """An invalid stack as SARIF: `problems` are (message, key path or None, line or None)."""
    results = [
        {
            "ruleId": CONFIG_RULE_ID,
            "ruleIndex": 0,
            "level": "error",
            "message": {"text": message},
            "locations": [{"physicalLocation": _location(stack_file, line)}],
            "partialFingerprints": {"aksIstioFinding/v2": fingerprint(CONFIG_RULE_ID, stack, key or message)},
        }
        for message, key, line in problems
    ]
    return _document([CONFIG_RULE], results, stack=stack, tier=None, tool_version=tool_version, file=stack_file)


def to_sarif(
    verdict: Verdict,
    *,
    stack_file: StackFile,
    stack: str = "",
    tool_version: str = "0.1.0",
    platform_line: int | None = None,
    environment: str | None = None,
) -> dict[str, Any]:
    """`stack_file` is repository-relative (`stacks/Pulumi.prod.yaml`); a finding with no stack key sits at
    `platform_line` (the `aks-istio:platform:` line); `environment` is the stack's environment name (qa), the
    verdict's the tier whose policy config ran (prod)."""
    rules = [
        {
            "id": p.name,
            "name": p.name,
            "shortDescription": {"text": p.description},
            "fullDescription": {"text": p.description},
            "help": {"text": p.remediation or p.description},
            "helpUri": p.url or None,
            "defaultConfiguration": {"level": LEVELS.get(p.enforcement, "warning")},
            "properties": {
                "tags": ["aks", "istio", "pulumi-policy"],
                **({"security-severity": SECURITY_SEVERITY[p.severity]} if p.severity in SECURITY_SEVERITY else {}),
            },
        }
        for p in verdict.policies
    ]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = [
        {
            "ruleId": v.policy,
            **({"ruleIndex": index[v.policy]} if v.policy in index else {}),
            "level": LEVELS.get(v.enforcement, "warning"),
            "message": {"text": v.message},
            "locations": [
                {
                    "physicalLocation": _location(v.file or stack_file, v.line or platform_line),
                    "logicalLocations": [
                        {"name": v.resource or "(stack)", "fullyQualifiedName": v.urn or "", "kind": "resource"}
                    ],
                }
            ],
            "partialFingerprints": {"aksIstioFinding/v2": print_of},
            "properties": {
                "enforcementLevel": v.enforcement,
                "severity": v.severity,
                **({"stackKey": f"aks-istio:platform.{v.stack_key}"} if v.stack_key else {}),
            },
        }
        for v, print_of in zip(verdict.violations, _fingerprints(verdict), strict=True)
    ]
    return _document(
        rules,
        results,
        stack=stack,
        environment=environment,
        tier=verdict.environment,
        tool_version=tool_version,
        file=stack_file,
    )


def _fingerprints(verdict: Verdict) -> list[str]:
    """One per finding: rule, resource and stack key; a second finding with all three equal (one rule finding two
    properties of one resource) adds its rank among them, so code scanning keeps both alerts."""
    seen: dict[tuple[str, str | None, str | None], int] = {}
    prints = []
    for v in verdict.violations:
        identity = (v.policy, v.urn, v.stack_key)
        rank = seen.get(identity, 0)
        seen[identity] = rank + 1
        prints.append(fingerprint(*identity, str(rank) if rank else None))
    return prints


def _document(
    rules: list[dict[str, Any]],
    results: list[dict[str, Any]],
    *,
    stack: str,
    tier: str | None,
    tool_version: str,
    environment: str | None = None,
    file: StackFile,
) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "aks-istio-guardrails",
                        "version": tool_version,
                        "informationUri": "https://learn.microsoft.com/azure/aks/istio-about",
                        "rules": [{k: v for k, v in rule.items() if v is not None} for rule in rules],
                    }
                },
                **_base_ids(file),
                "results": results,
                # One category per stack: GitHub keeps the three stacks' uploads apart instead of replacing one
                # with the next.
                "automationDetails": {"id": f"aks-istio/{stack}/"},
                "properties": {"environment": environment, "tier": tier},
            }
        ],
    }
