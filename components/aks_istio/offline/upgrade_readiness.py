"""`aks-istio upgrade-readiness --stack prod --kubernetes 1.37`: can this cluster move to that Kubernetes
version with its mesh revision, and if not, what must be upgraded first, in order.

AKS upgrades the control plane one Kubernetes minor at a time (https://learn.microsoft.com/azure/aks/upgrade-cluster)
and refuses a cluster version the mesh revision does not run on ("Service mesh revision %s is not compatible
with cluster version %s",
https://learn.microsoft.com/troubleshoot/azure/azure-kubernetes/extensions/istio-add-on-general-troubleshooting), while
a canary upgrade runs both
revisions on the current version (https://learn.microsoft.com/azure/aks/istio-upgrade). So the two interleave:
before each minor the revision must run on both the current and the next minor, else a canary upgrade to one that
does comes first. Offline from the revision catalog; `--confirm` checks the first steps against the cluster's own
mesh upgrade profile (ARM `meshUpgradeProfiles/istio`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from aks_istio.addon import lifecycle
from aks_istio.addon.catalog import Catalog, Revision, kubernetes_minor, parse_revision
from aks_istio.config import StackConfig


class ReadinessError(ValueError):
    """The question cannot be answered (a downgrade, an upgrade in progress, a malformed version)."""


@dataclass
class Step:
    """One stack edit: a canary revision upgrade or one Kubernetes minor."""

    kind: str
    """`revision` or `kubernetes`."""
    change: str
    edits: list[str]
    why: str
    to: str
    """The revision (revision step) or Kubernetes minor (kubernetes step) the step moves to."""


@dataclass
class Readiness:
    stack: str
    revision: str
    kubernetes_version: str
    target: str
    ready: bool
    """The cluster can move to `target` with its current revision (no revision upgrade needed)."""
    steps: list[Step]
    blocked: str = ""
    """Why no path exists in the catalog (empty when one does)."""
    warnings: list[str] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The answer's part of `upgrade-readiness --json` (camelCase, as every --json output; the command adds the
        envelope and the placed warnings: docs/preview-output.schema.json, `upgradeReadiness`)."""
        return {
            "revision": self.revision,
            "kubernetesVersion": self.kubernetes_version,
            "target": self.target,
            "ready": self.ready,
            "blocked": self.blocked or None,
            "steps": [asdict(step) for step in self.steps],
            "confirmed": list(self.confirmed),
        }


def _canary(stack: str, frm: Revision, to: str, minor: int, nxt: int) -> Step:
    return Step(
        "revision",
        f"canary upgrade {frm.name} -> {to} on Kubernetes 1.{minor}",
        [
            f"mesh.upgrade: {{to: {to}, phase: start}}, then migrate and complete "
            f"(aks-istio upgrade-plan --stack {stack} --to {to})",
            f"mesh.revision: {to}, and delete mesh.upgrade",
        ],
        f"{frm.name} runs on {frm.kubernetes_range}, not 1.{nxt}",
        to,
    )


@dataclass(frozen=True)
class Move:
    """One step of a route: a canary upgrade of `revision` to `to_revision` on Kubernetes 1.`minor`, or the
    cluster from 1.`minor` to the next minor with `revision` (then `to_revision` is `revision`)."""

    kind: str
    """`revision` or `kubernetes`."""
    minor: int
    revision: Revision
    to_revision: Revision


def route(
    catalog: Catalog, revision: Revision, minor: int, wanted: int, *, newest: str | None = None
) -> tuple[list[Move], str]:
    """The moves from (`revision`, 1.`minor`) to Kubernetes 1.`wanted`, and why no route exists (empty when one
    does). Before each minor the revision must run on both minors, else a canary upgrade to one that does comes
    first; no target above `newest` (a revision) is chosen."""
    moves: list[Move] = []
    ceiling = parse_revision(newest) if newest is not None else None
    while minor < wanted:
        nxt = minor + 1
        if revision.supports_kubernetes(f"1.{nxt}"):
            moves.append(Move("kubernetes", minor, revision, revision))
            minor = nxt
            continue
        targets = [
            catalog.by_name[t]
            for t in catalog.upgrades_of(revision.name)
            if t in catalog.by_name
            and catalog.by_name[t].supports_kubernetes(f"1.{minor}")
            and (ceiling is None or parse_revision(t) <= ceiling)
        ]
        fits = [t for t in targets if t.supports_kubernetes(f"1.{nxt}")]
        # The furthest target that runs on both minors; else a step on the way that runs on this one.
        chosen = max(fits or targets, key=lambda r: parse_revision(r.name), default=None)
        if chosen is None:
            upto = f" up to {newest}" if newest is not None else ""
            return moves, (
                f"no catalogued upgrade of {revision.name}{upto} runs on both 1.{minor} and 1.{nxt} "
                f"({catalog.source_note()}); {lifecycle.CONFIRM_HINT}"
            )
        moves.append(Move("revision", minor, revision, chosen))
        revision = chosen
    return moves, ""


def assess(stack: str, config: StackConfig, target: str, catalog: Catalog, today: date, region: str = "") -> Readiness:
    """The ordered steps from the stack's Kubernetes version and revision to `target`."""
    if config.mesh.upgrade is not None:
        raise ReadinessError(
            f"mesh.upgrade is in progress ({config.mesh.revision} -> {config.mesh.upgrade.to}, "
            f"{config.mesh.upgrade.phase}): complete or roll it back first; AKS reads no upgrade profile meanwhile"
        )
    current = kubernetes_minor(config.cluster.kubernetes_version)
    wanted = kubernetes_minor(target)
    if wanted is None or current is None:
        raise ReadinessError(f"--kubernetes {target!r} is not a Kubernetes version; allowed: 1.N, e.g. 1.36")
    if wanted < current:
        raise ReadinessError(
            f"--kubernetes {target} is older than cluster.kubernetesVersion {config.cluster.kubernetes_version}: "
            "AKS does not downgrade a cluster"
        )
    revision = lifecycle.resolve(catalog, config.mesh.revision, config.mesh.assumed_kubernetes)
    if revision is None:
        raise ReadinessError(f"mesh.revision {config.mesh.revision} is not in the revision catalog")
    moves, blocked = route(catalog, revision, current, wanted)
    steps = [
        _canary(stack, move.revision, move.to_revision.name, move.minor, move.minor + 1)
        if move.kind == "revision"
        else Step(
            "kubernetes",
            f"Kubernetes 1.{move.minor} -> 1.{move.minor + 1} with {move.revision.name}",
            [f'cluster.kubernetesVersion: "1.{move.minor + 1}"'],
            "AKS upgrades the control plane one minor at a time",
            f"1.{move.minor + 1}",
        )
        for move in moves
    ]
    warnings = lifecycle.end_of_life_warnings(catalog, [config.mesh.revision], today, config.cluster.kubernetes_version)
    stale = lifecycle.catalog_age_warning(catalog, today)
    warnings += [stale] if stale else []
    if catalog.region_kubernetes and f"1.{wanted}" not in catalog.region_kubernetes:
        warnings.append(
            f"Kubernetes 1.{wanted} is not generally available in {region or 'the refreshed region'} "
            f"(ARM lists {', '.join(catalog.region_kubernetes)})"
        )
    ready = not blocked and all(s.kind == "kubernetes" for s in steps)
    return Readiness(
        stack, config.mesh.revision, config.cluster.kubernetes_version, target, ready, steps, blocked, warnings
    )


def confirm(readiness: Readiness, profile: Mapping[str, Any]) -> list[str]:
    """Notes from the cluster's own mesh upgrade profile (REST body of `meshUpgradeProfiles/istio`): the revision
    it runs, the targets it allows and the Kubernetes versions its revision runs on."""
    properties = profile.get("properties") or {}
    notes: list[str] = []
    running = properties.get("revision")
    if running != readiness.revision:
        notes.append(f"the cluster runs {running}, the stack file says {readiness.revision}: align mesh.revision first")
    allowed = [str(u) for u in properties.get("upgrades") or []]
    first = next((s for s in readiness.steps if s.kind == "revision"), None)
    if first is not None:
        verdict = "allows" if first.to in allowed else "does NOT allow"
        notes.append(
            f"the cluster's mesh upgrade profile {verdict} {first.to} (it lists: {', '.join(allowed) or 'none'})"
        )
    for compatible in properties.get("compatibleWith") or []:
        versions = ", ".join(str(v) for v in compatible.get("versions") or [])
        notes.append(f"{running} runs on {compatible.get('name')} {versions or '(none listed)'} on this cluster")
    return notes


def render(readiness: Readiness) -> str:
    head = (
        f"Stack {readiness.stack}: Kubernetes {readiness.kubernetes_version} -> {readiness.target} "
        f"with mesh revision {readiness.revision}"
    )
    if readiness.blocked:
        verdict = f"blocked: {readiness.blocked}"
    elif readiness.ready:
        verdict = f"ready: {readiness.revision} runs on every minor on the way"
    else:
        verdict = "not ready with the current revision: upgrade the mesh revision where the steps say, in order"
    lines = [head, verdict]
    lines += [f"warning: {w}" for w in readiness.warnings]
    for number, step in enumerate(readiness.steps, start=1):
        lines += ["", f"{number}. {step.change}   ({step.why})"]
        lines += [f"   edit: {edit}" for edit in step.edits]
    if readiness.steps:
        lines += ["", "Preview and apply each edit before the next (aks-istio preview --stack ...)."]
    lines += [f"confirmed: {note}" for note in readiness.confirmed]
    return "\n".join(lines)
