"""Fail closed: a rule that raised is a mandatory finding naming the rule, the resource and the error.

OPA/Gatekeeper and checkov report evaluation errors instead of passing; so does this pack. The factories hand what
a rule raised to `deferred.RAISED`; these two policies, last in `ALL_POLICIES`, report it: one per resource
(Analyze) and one for the stack (AnalyzeStack). Their level is mandatory unless a config lowers it on purpose.
"""

from __future__ import annotations

from typing import Final

from pulumi_policy import Severity

from .deferred import RAISED
from .factories import Meta, deferred_resource_policy, deferred_stack_policy

TAGS: Final = ("pack", "fail-closed")
URL: Final = "https://www.pulumi.com/docs/iac/using-pulumi/crossguard/core-concepts/"
REMEDIATION: Final = (
    "Read the error in the message: a value of a type the rule did not expect, or a bug in the rule. Report it "
    "with the resource's properties; until it is fixed, waive this policy for the resource with the reason."
)

RESOURCE_RULE_RAISED: Final = deferred_resource_policy(
    Meta(
        "pack-resource-rule-raised",
        "Every resource rule of the pack judged the resource without raising an error.",
        Severity.CRITICAL,
        REMEDIATION,
        URL,
        TAGS,
    ),
    RAISED,
)
STACK_RULE_RAISED: Final = deferred_stack_policy(
    Meta(
        "pack-stack-rule-raised",
        "Every stack rule of the pack judged the stack without raising an error.",
        Severity.CRITICAL,
        REMEDIATION,
        URL,
        TAGS,
    ),
    RAISED,
)

POLICIES: Final = (RESOURCE_RULE_RAISED, STACK_RULE_RAISED)
"""Reporters: they must come after every rule in ALL_POLICIES (rules/__init__.py)."""
