"""`aks-istio upgrade-plan --stack dev [--to asm-1-Y]`: the canary upgrade of a stack, phase by phase.

For each phase it prints the stack-file edit, what the preview will change (cluster revisions, shared
MeshConfigs, namespace labels, restarts, which revision's gateway HPAs are editable) and the checks to run
before the next edit. Pure: it reads the stack config and computes, it deploys and contacts nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import yaml

from aks_istio.addon import lifecycle
from aks_istio.addon import support_matrix as sm
from aks_istio.addon.catalog import active_catalog
from aks_istio.config import StackConfig, load_stack_config
from aks_istio.config.stack import dump_stack_config
from aks_istio.mesh.mesh_config import shared_configmap_name
from aks_istio.mesh.phases import (
    cluster_revisions,
    gateway_api_owner,
    namespace_revision,
    restarts,
    shared_configmap_revisions,
    stable_revision,
)
from aks_istio.mesh.values import MeshSettings

ISTIOCTL = "istioctl -i aks-istio-system"
PROXY_IMAGES = (
    'kubectl get pods -n {ns} -o jsonpath=\'{{range .items[*]}}{{.metadata.name}}{{"\\t"}}'
    '{{range .spec.containers[*]}}{{.image}}{{" "}}{{end}}{{"\\n"}}{{end}}\' | grep proxyv2'
)


@dataclass
class PhasePlan:
    """One stack-file edit of the walk and what it does."""

    phase: str
    edit: str
    revisions: list[str]
    configmaps: list[str]
    labels: dict[str, str]
    restarts: list[str]
    gateway_hpa_owner: str
    gateway_api_owner: str = ""
    """The revision that programs the Gateway API Gateways (empty: the stack has none)."""
    changes: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    current: bool = False


@dataclass
class UpgradePlan:
    stack: str
    revision: str
    to: str
    kubernetes_version: str
    walk: list[PhasePlan]
    rollback: PhasePlan
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class PlanError(ValueError):
    """No upgrade can be planned (no target given or allowed)."""


def target_of(config: StackConfig, to: str | None) -> str:
    """The upgrade in the stack file, else `--to`, else the newest allowed target on the cluster's version."""
    if config.mesh.upgrade is not None:
        if to is not None and to != config.mesh.upgrade.to:
            raise PlanError(f"the stack file already upgrades to {config.mesh.upgrade.to}; drop --to {to}")
        return config.mesh.upgrade.to
    if to is not None:
        return to
    version = config.cluster.kubernetes_version
    catalog = active_catalog()
    targets = catalog.upgrades_of(config.mesh.revision)
    if not targets:
        raise PlanError(
            f"{config.mesh.revision} is the newest revision in the catalog ({catalog.source_note()}): nothing to "
            f"upgrade to yet; when AKS releases the next one, {lifecycle.CONFIRM_HINT}, or pass --to"
        )
    fits = [t for t in targets if t in catalog.by_name and catalog.by_name[t].supports_kubernetes(version)]
    if not fits:
        raise PlanError(
            f"no catalogued upgrade of {config.mesh.revision} runs on Kubernetes {version} "
            f"(allowed targets: {', '.join(targets)}); upgrade the cluster first "
            f"(aks-istio upgrade-readiness) or pass --to"
        )
    return fits[-1]


def plan(stack: str, config: StackConfig, to: str | None = None) -> UpgradePlan:
    """Every phase of the upgrade of `config` to `to`; raises ConfigError if the target is refused."""
    target = target_of(config, to)
    managed = [ns.name for ns in config.mesh.namespaces]
    declared = config.mesh.upgrade.restarts if config.mesh.upgrade is not None else {}
    settings: dict[str, dict[str, Any]] = {
        "start": {"to": target, "phase": "start"},
        "migrate": {"to": target, "phase": "migrate", "migrated": "all", "restarts": declared},
        "complete": {"to": target, "phase": "complete", "migrated": "all", "restarts": declared},
        "rollback": {"to": target, "phase": "rollback", "migrated": "all", "restarts": declared},
    }
    meshes = {phase: _with_upgrade(config, upgrade) for phase, upgrade in settings.items()}
    done = _with_revision(config, target)
    before = _phase("before", "", _with_revision(config, config.mesh.revision), config)
    walk = [
        _phase("start", _edit(settings["start"]), meshes["start"], config),
        _phase(
            "migrate", _edit(settings["migrate"]) + "  (or in waves: migrated: [ns, ...])", meshes["migrate"], config
        ),
        _phase("complete", _edit(settings["complete"]), meshes["complete"], config),
        _phase("done", f"mesh.revision: {target}, and delete mesh.upgrade", done, config),
    ]
    rollback = _phase("rollback", _edit(settings["rollback"]), meshes["rollback"], config)
    previous = before
    for step in walk:
        step.changes = _changes(previous, step)
        previous = step
    rollback.changes = _changes(walk[1], rollback)
    current = config.mesh.upgrade.phase if config.mesh.upgrade is not None else None
    for step in [*walk, rollback]:
        step.current = step.phase == current
        step.checks = _checks(step.phase, config.mesh.revision, target, managed, config, stack)
    warnings = [] if declared or not managed else [_no_restarts_warning(managed)]
    return UpgradePlan(stack, config.mesh.revision, target, config.cluster.kubernetes_version, walk, rollback, warnings)


def render(upgrade: UpgradePlan) -> str:
    lines = [
        f"Stack {upgrade.stack}: canary upgrade {upgrade.revision} -> {upgrade.to} on Kubernetes "
        f"{upgrade.kubernetes_version} (runbook: docs/canary-upgrades.md)",
        "Each step is one edit of the stack file; preview it, apply it, run its checks, then make the next edit.",
    ]
    lines += [f"warning: {w}" for w in upgrade.warnings]
    for index, step in enumerate(upgrade.walk, start=1):
        lines += _render_phase(f"{index}.", step)
    lines += _render_phase("2b.", upgrade.rollback, note="instead of complete, at any point before it")
    return "\n".join(lines)


def _render_phase(number: str, step: PhasePlan, note: str = "") -> list[str]:
    here = "   <- the stack file is here" if step.current else ""
    lines = ["", f"{number} {step.phase}{f' ({note})' if note else ''}{here}", f"   edit: {step.edit}"]
    lines += ["   changes:"] + [f"     {c}" for c in step.changes or ["(none)"]]
    lines += ["   checks before the next step:"] + [f"     {c}" for c in step.checks]
    return lines


def _with_upgrade(config: StackConfig, upgrade: dict[str, Any]) -> MeshSettings:
    return _with_mesh(config, upgrade=upgrade)


def _with_revision(config: StackConfig, revision: str) -> MeshSettings:
    return _with_mesh(config, revision=revision, upgrade=None)


def _with_mesh(config: StackConfig, **mesh: Any) -> MeshSettings:
    """The stack's config with `mesh` fields replaced, validated whole (the same rules as the stack file)."""
    raw = dump_stack_config(config)
    raw["mesh"] = {k: v for k, v in {**raw["mesh"], **mesh}.items() if v is not None}
    return load_stack_config(raw).mesh


def _phase(phase: str, edit: str, mesh: MeshSettings, config: StackConfig) -> PhasePlan:
    configmaps = shared_configmap_revisions(mesh) if config.mesh.mesh_config.fields else []
    return PhasePlan(
        phase=phase,
        edit=edit,
        revisions=cluster_revisions(mesh),
        configmaps=[shared_configmap_name(r) for r in configmaps],
        labels={ns.name: namespace_revision(mesh, ns.name) for ns in mesh.namespaces},
        restarts=[f"{r.namespace}/{r.deployment} ({r.key})" for r in restarts(mesh)],
        gateway_hpa_owner=stable_revision(mesh),
        gateway_api_owner=gateway_api_owner(mesh) if config.gateways.gateway_api.gateways else "",
    )


def _edit(upgrade: dict[str, Any]) -> str:
    fields = {k: v for k, v in upgrade.items() if v not in ({}, [])}
    return "mesh.upgrade: " + yaml.safe_dump(fields, default_flow_style=True, sort_keys=False, width=1000).strip()


def _changes(before: PhasePlan, after: PhasePlan) -> list[str]:
    changes: list[str] = []
    if before.revisions != after.revisions:
        changes.append(f"cluster serviceMeshProfile.istio.revisions: {before.revisions} -> {after.revisions}")
    for name in after.configmaps:
        if name not in before.configmaps:
            changes.append(f"+ ConfigMap aks-istio-system/{name} (created before the revisions change)")
    for name in before.configmaps:
        if name not in after.configmaps:
            changes.append(f"- ConfigMap aks-istio-system/{name} (deleted after the revision is removed)")
    for ns, revision in after.labels.items():
        if before.labels.get(ns) != revision:
            changes.append(f"namespace {ns}: {sm.REVISION_LABEL}={before.labels.get(ns)} -> {revision}")
    changes += [f"restart Deployment {r}" for r in after.restarts if r not in before.restarts]
    if before.gateway_api_owner != after.gateway_api_owner:
        changes.append(
            f"Gateway API Gateways move to {after.gateway_api_owner} (were on {before.gateway_api_owner}; pin them "
            "with mesh.upgrade.gatewayRevision, and move them as an edit of its own before complete or rollback)"
        )
    if before.gateway_hpa_owner != after.gateway_hpa_owner:
        changes.append(
            f"gateway HPA settings now apply to the {after.gateway_hpa_owner} gateways "
            f"(were {before.gateway_hpa_owner}; the add-on copies the stable revision's HPA to the canary's)"
        )
    return changes


def _checks(phase: str, old: str, new: str, managed: list[str], config: StackConfig, stack: str) -> list[str]:
    gateways = [
        sm.INGRESS_GATEWAY_SERVICES[mode]
        for mode, gateway in (
            ("Internal", config.gateways.ingress.internal),
            ("External", config.gateways.ingress.external),
        )
        if gateway.enabled
    ]

    def gateway_health(revision: str) -> list[str]:
        return [f"$ kubectl rollout status deployment/{g}-{revision} -n {sm.ADDON_INGRESS_NAMESPACE}" for g in gateways]

    if phase == "start":
        return [
            f"$ kubectl get pods -n {sm.ADDON_SYSTEM_NAMESPACE} -L {sm.REVISION_LABEL}   # istiod-{old}-* and "
            f"istiod-{new}-* Running",
            *(
                [f"$ kubectl get configmap {shared_configmap_name(new)} -n {sm.ADDON_SYSTEM_NAMESPACE}"]
                if config.mesh.mesh_config.fields
                else []
            ),
            *gateway_health(old),
            *gateway_health(new),
        ]
    if phase in ("migrate", "rollback"):
        expected = new if phase == "migrate" else old
        return [
            f"$ kubectl get pods -A -L {sm.REVISION_LABEL}   # pods in {', '.join(managed)} on {expected}",
            f"$ {ISTIOCTL} proxy-status   # every proxy SYNCED, connected to istiod-{expected}",
            *[f"$ {PROXY_IMAGES.format(ns=ns)}   # proxyv2 of {expected}" for ns in managed],
            *gateway_health(expected),
            f"$ kubectl get pods -A -l {sm.REVISION_LABEL}={old if phase == 'migrate' else new}   # no application "
            f"pod left on {old if phase == 'migrate' else new}",
        ]
    if phase == "complete":
        return [
            f"$ kubectl get pods -n {sm.ADDON_SYSTEM_NAMESPACE} -L {sm.REVISION_LABEL}   # only istiod-{new}-*",
            f"$ {ISTIOCTL} proxy-status   # every proxy on istiod-{new}",
            *gateway_health(new),
        ]
    return [f"$ aks-istio preview --stack {stack}   # no change: the upgrade is finished"]


def _no_restarts_warning(managed: list[str]) -> str:
    return (
        "mesh.upgrade.restarts lists no Deployments: relabelled namespaces keep their old sidecars until "
        f"their pods restart; list them per namespace, or run `kubectl rollout restart deployment -n <ns>` for "
        f"{', '.join(managed)} after the migrate and rollback steps"
    )
