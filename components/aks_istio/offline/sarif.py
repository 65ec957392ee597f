"""A verdict as SARIF 2.1.0, for CI code scanning (e.g. GitHub `upload-sarif`).

Every policy becomes a rule (description, remediation as help, Microsoft doc as helpUri); every violation a result
located in the stack file, with the resource URN as its logical location.
Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
"""

from __future__ import annotations

import hashlib
from typing import Any, Final

from aks_istio.offline.verdict import Verdict

SCHEMA: Final = "https://json.schemastore.org/sarif-2.1.0.json"
# mandatory blocks the deployment; advisory and applied remediations do not.
LEVELS: Final = {"mandatory": "error", "advisory": "warning", "remediate": "note"}
# GitHub ranks security alerts by `security-severity` (0-10): its documented bands for critical/high/medium/low.
SECURITY_SEVERITY: Final = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0"}


def to_sarif(verdict: Verdict, *, stack_file: str, tool_version: str = "0.1.0") -> dict[str, Any]:
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
                    "physicalLocation": {"artifactLocation": {"uri": stack_file}, "region": {"startLine": 1}},
                    "logicalLocations": [
                        {"name": v.resource or "(stack)", "fullyQualifiedName": v.urn or "", "kind": "resource"}
                    ],
                }
            ],
            # Stable across runs, so code scanning tracks one alert per (policy, resource, finding).
            "partialFingerprints": {
                "aksIstioFinding/v1": hashlib.sha256(f"{v.policy}|{v.urn}|{v.message}".encode()).hexdigest()
            },
            "properties": {"enforcementLevel": v.enforcement, "severity": v.severity},
        }
        for v in verdict.violations
    ]
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
                "results": results,
                "properties": {"environment": verdict.environment},
            }
        ],
    }
