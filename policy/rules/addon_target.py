"""Add-on rules apply where the add-on runs: decided from the stack, or from the `clusterRunsIstioAddon` setting.

Self-managed Istio (Helm charts, istio.io CRDs, `istio-injection=enabled`, IstioOperator) is a legitimate setup on
a cluster without the add-on; it is only wrong beside it. A single Kubernetes resource does not say which cluster it
goes to, so the rules that judge such resources against the add-on are stack policies: they see the program's
clusters (azure-native or classic) and apply when one runs the add-on (`serviceMeshProfile.mode: Istio`, or a mode
unknown at preview, which never passes falsely).

Application teams often deploy Kubernetes resources from a program that declares no cluster. For them the pack-wide
setting `clusterRunsIstioAddon` of `pack-settings` (pack_settings.py) answers, once for every add-on rule: `yes`
(the target runs the add-on: findings at the rule's level), `no` (the rules do not apply) or `detect` (the default:
the findings are reported as advisory by `stack-istio-addon-target-declared`, naming the rule, until the setting
says yes or no). A rule's own `clusterRunsIstioAddon` overrides it for that rule. A cluster the program declares
always decides by itself: the setting describes a cluster outside the program, and an organisation-wide `no` must
not silence the rules on a program that declares an add-on cluster.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping, Sequence
from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity, StackValidationPolicy

from ._common import DOCS, RESOURCE_TYPE
from .clusters import CLUSTER_KINDS, mesh_clusters
from .deferred import UNCONFIRMED, Finding
from .factories import Meta, ResourceCheck, StackRequest, deferred_stack_policy, stack_request_policy
from .pack_settings import CLUSTER_RUNS_ADDON, CLUSTER_RUNS_ADDON_OVERRIDE_SCHEMA, cluster_runs_addon
from .pack_settings import NAME as PACK_SETTINGS
from .stack import StackResource, of_kind

OVERRIDE: Final[Mapping[str, Mapping[str, Any]]] = {CLUSTER_RUNS_ADDON: CLUSTER_RUNS_ADDON_OVERRIDE_SCHEMA}
"""The config every add-on rule takes: its own answer, overriding the pack-wide one."""


class Target(enum.Enum):
    """Whether an add-on rule applies to this stack."""

    ADDON = "the target runs the add-on"
    NO_ADDON = "the target runs no add-on"
    UNCONFIRMED = "the program declares no cluster"


def target(resources: Sequence[StackResource], request: StackRequest) -> Target:
    """The program's clusters (`resources`) decide; with none, the rule's or the pack-wide setting."""
    if of_kind(resources, CLUSTER_KINDS):
        return Target.ADDON if mesh_clusters(resources) else Target.NO_ADDON
    setting = cluster_runs_addon(request)
    if setting == "yes":
        return Target.ADDON
    return Target.NO_ADDON if setting == "no" else Target.UNCONFIRMED


def route(request: StackRequest, findings: list[Finding], where: Target) -> list[Finding]:
    """An add-on rule's findings as the target decides: reported, dropped, or handed on to be advisory."""
    if where is Target.NO_ADDON:
        return []
    if where is Target.UNCONFIRMED:
        for urn, message in request.unexempted(findings):
            UNCONFIRMED.add(request.scope, (urn, f"{request.rule}: {message}"))
        return []
    return findings


def addon_resource_policy(meta: Meta, kinds: Sequence[str] | None, check: ResourceCheck) -> StackValidationPolicy:
    """An add-on rule over single Kubernetes resources of `kinds` (None: every type), applied where the add-on runs."""
    meta = dataclasses.replace(meta, config={**OVERRIDE, **meta.config})

    def run(request: StackRequest) -> list[Finding]:
        where = target(request.resources, request)
        if where is Target.NO_ADDON:
            return []
        config = dict(request.config)

        def judge(resource: StackResource) -> list[str]:
            return check(resource.props, {**config, RESOURCE_TYPE: resource.type})

        return route(request, request.each(of_kind(request.resources, kinds), judge), where)

    return stack_request_policy(meta, run)


def _wording(message: str) -> str:
    return (
        f"{message} This program declares no AKS cluster, so the pack cannot tell whether its target runs the "
        f"Istio add-on: set {CLUSTER_RUNS_ADDON} to yes or no in the config of {PACK_SETTINGS}."
    )


TARGET_DECLARED: Final = deferred_stack_policy(
    Meta(
        "stack-istio-addon-target-declared",
        "A program that declares no cluster says whether its target cluster runs the Istio add-on.",
        Severity.MEDIUM,
        f"Set {CLUSTER_RUNS_ADDON} (yes or no) once in the config of {PACK_SETTINGS}; with yes the add-on rules named "
        "in the findings report at their own level.",
        DOCS + "istio-about",
        ("istio", "service-mesh", "pack"),
        EnforcementLevel.ADVISORY,
    ),
    UNCONFIRMED,
    _wording,
)
"""Reporter: it must come after every add-on rule in ALL_POLICIES (rules/__init__.py)."""
