"""Settings of a canary revision upgrade (asm-1-X -> asm-1-Y), and the rules that keep its phases in order.

The stack file is all the program knows (there is no state to ask), so the settings are shaped to make an
illegal step *visible* in the file itself (docs/canary-upgrades.md, "Why the stack file can gate phases"):

- `migrate` names the namespaces it moves (`migrated`), and later phases keep that list;
- `complete` is refused unless `migrated` covers every managed namespace (nothing may still point at the
  revision being removed);
- `start` moves nothing;
- a `rollback` whose `to` is already `mesh.revision` can only mean "after complete", and is refused;
- a target that is not an allowed upgrade of `mesh.revision` (n+1 or n+2, never older) is refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from pydantic import Field, field_validator

from aks_istio import value_checks
from aks_istio.addon import lifecycle
from aks_istio.addon import support_matrix as sm
from aks_istio.addon.catalog import Catalog, active_catalog
from aks_istio.config._base import K8S_NAME_PATTERN, Problems, Settings, allowed

UpgradePhase = Literal["start", "migrate", "complete", "rollback"]
UPGRADE_PHASES: tuple[UpgradePhase, ...] = ("start", "migrate", "complete", "rollback")
ALL_NAMESPACES = "all"


def check_revision_name(revision: str, catalog: Catalog | None = None) -> str:
    """A well-formed `asm-1-N` that is catalogued or newer than the catalog (accepted with a warning, see
    mesh/canary.py `revision_warnings`), or a ValueError saying what is allowed."""
    if not sm.REVISION_PATTERN.match(revision):
        raise ValueError(f"{revision!r} is not a revision name; allowed: asm-<major>-<minor>, e.g. asm-1-30")
    problem = lifecycle.unknown_revision_problem(catalog or active_catalog(), revision)
    if problem is not None:
        raise ValueError(problem)
    return revision


class RevisionUpgradeSettings(Settings):
    """An upgrade in progress: the target revision and how far the procedure has gone."""

    to: str = Field(description="Target revision, `asm-1-N`: an allowed upgrade of `mesh.revision` (n+1 or n+2).")
    phase: UpgradePhase = Field(
        description="start: both control planes, workloads stay; migrate: move `migrated` namespaces and restart "
        "their workloads; complete: remove the old revision; rollback: remove the new one, namespaces go back."
    )
    migrated: list[str] | Literal["all"] = Field(
        default_factory=list,
        description="Namespaces (of mesh.namespaces) relabelled to `to`, or `all`. Set in migrate; keep it in "
        "complete (which needs every namespace) and rollback (whose restarts it selects).",
    )
    restarts: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Deployments to restart per migrated namespace, so their pods get the sidecar of the "
        "revision the namespace now points at (once on migrate, once more on rollback).",
    )
    gateway_revision: str | None = Field(
        default=None,
        description="Revision that owns the Gateway API Gateways during the upgrade (their `istio.io/rev` label): "
        "mesh.revision keeps them on the old control plane, `to` moves them. Unset: AKS's default, the higher "
        "revision owns them from start on. Move them as an edit of its own before complete (to `to`) or rollback "
        "(to mesh.revision).",
    )

    @field_validator("to")
    @classmethod
    def _known_target(cls, to: str) -> str:
        return check_revision_name(to)

    @field_validator("migrated", mode="before")
    @classmethod
    def _list_or_all(cls, migrated: object) -> object:
        if isinstance(migrated, str) and migrated != ALL_NAMESPACES:
            raise ValueError(f"allowed: a list of mesh namespaces, e.g. [apps], or {ALL_NAMESPACES}")
        return migrated

    def migrated_namespaces(self, managed: Sequence[str]) -> list[str]:
        """The managed namespaces this upgrade has moved to `to`, in `managed` order."""
        if self.migrated == ALL_NAMESPACES:
            return list(managed)
        return [ns for ns in managed if ns in self.migrated]


def upgrade_problems(
    upgrade: RevisionUpgradeSettings, *, revision: str, managed: Sequence[str], problems: Problems
) -> None:
    """Rules that need `mesh.revision` and the managed namespaces; paths are relative to `mesh`."""
    _target_problems(upgrade, revision, problems)
    _gateway_revision_problems(upgrade, revision, problems)
    _migrated_problems(upgrade, revision, managed, problems)
    _restart_problems(upgrade, managed, problems)


def upgrade_kubernetes_problems(
    upgrade: RevisionUpgradeSettings | None,
    *,
    revision: str,
    kubernetes_version: str,
    problems: value_checks.Problems,
    catalog: Catalog | None = None,
    assumed_kubernetes: tuple[int, int] | None = None,
) -> None:
    """Both revisions run side by side, so the target must run on the cluster's Kubernetes version too."""
    if upgrade is None:
        return
    catalog = catalog or active_catalog()
    target = lifecycle.resolve(catalog, upgrade.to, assumed_kubernetes)
    if target is None:
        return  # refused by check_revision_name already
    for key, message in lifecycle.kubernetes_problems(
        catalog, target, kubernetes_version, revision_key="mesh.upgrade.to", kubernetes_key="cluster.kubernetesVersion"
    ):
        if key == "mesh.upgrade.to":
            fits = [t for t in allowed_targets(catalog, revision) if t in catalog.supporting(kubernetes_version)]
            message += f"; upgrade the cluster first; allowed targets from {revision} on {kubernetes_version}: "
            message += allowed(fits)
        problems.add(key, message)


def allowed_targets(catalog: Catalog, revision: str) -> list[str]:
    """Catalogued canary targets of `revision` (n+1, n+2)."""
    return catalog.upgrades_of(revision)


def _target_problems(upgrade: RevisionUpgradeSettings, revision: str, problems: Problems) -> None:
    catalog = active_catalog()
    targets = allowed_targets(catalog, revision) or [
        f"none in the catalog ({revision} is the newest catalogued revision; a newer one is accepted with a warning)"
    ]
    if upgrade.to == revision:
        if upgrade.phase == "rollback":
            problems.add(
                "upgrade.to",
                f"{upgrade.to!r} is already mesh.revision, so this rollback would come after complete, which "
                f"removed the old control plane: refused; allowed: roll back only during start or migrate "
                f"(mesh.revision is still the revision you upgrade from), or start a new upgrade to "
                f"{allowed(targets)}",
            )
        else:
            problems.add(
                "upgrade.to",
                f"{upgrade.to!r} is mesh.revision already; allowed targets from {revision}: {allowed(targets)}",
            )
    elif not lifecycle.is_allowed_target(catalog, revision, upgrade.to):
        older = sm.parse_revision(upgrade.to) < sm.parse_revision(revision)
        why = (
            "is older than mesh.revision: downgrades are refused (going back is only a rollback of an upgrade "
            "in progress)"
            if older
            else f"is not an allowed upgrade of {revision} (n+1, or n+2 skipping one)"
        )
        problems.add("upgrade.to", f"{upgrade.to!r} {why}; allowed: {allowed(targets)}")


def _gateway_revision_problems(upgrade: RevisionUpgradeSettings, revision: str, problems: Problems) -> None:
    pinned = upgrade.gateway_revision
    if pinned is None:
        return
    # complete removes mesh.revision and rollback removes `to`: Gateways must already be on the one that stays.
    staying = {"complete": [upgrade.to], "rollback": [revision]}.get(upgrade.phase, [revision, upgrade.to])
    if pinned not in staying:
        why = f" ({upgrade.phase} removes {pinned})" if pinned in (revision, upgrade.to) else ""
        problems.add("upgrade.gatewayRevision", f"{pinned!r}{why}; allowed in {upgrade.phase}: {allowed(staying)}")


def _migrated_problems(
    upgrade: RevisionUpgradeSettings, revision: str, managed: Sequence[str], problems: Problems
) -> None:
    listed = [] if upgrade.migrated == ALL_NAMESPACES else upgrade.migrated
    for index, ns in enumerate(listed):
        if ns not in managed:
            problems.add(f"upgrade.migrated[{index}]", f"{ns!r} is not a mesh namespace; allowed: {allowed(managed)}")
        elif listed.index(ns) != index:
            problems.add(f"upgrade.migrated[{index}]", f"{ns!r} is listed twice")
    moved = upgrade.migrated_namespaces(managed)
    if upgrade.phase == "start" and upgrade.migrated:
        problems.add(
            "upgrade.migrated",
            f"{upgrade.migrated!r}: start moves no namespace (check both control planes first); allowed: "
            "omit migrated in start, or set phase: migrate",
        )
    elif upgrade.phase == "migrate" and not moved and managed:
        problems.add(
            "upgrade.migrated",
            f"migrate needs the namespaces to move to {upgrade.to}; allowed: a list of {allowed(managed)}, or all",
        )
    elif upgrade.phase == "complete":
        left = [ns for ns in managed if ns not in moved]
        if left:
            problems.add(
                "upgrade.phase",
                f"'complete' removes {revision} while namespaces {allowed(left)} still point at it (not in "
                f"upgrade.migrated); allowed: phase migrate with them added to migrated, apply and check, "
                f"then complete",
            )


def _restart_problems(upgrade: RevisionUpgradeSettings, managed: Sequence[str], problems: Problems) -> None:
    moved = upgrade.migrated_namespaces(managed)
    for ns, deployments in upgrade.restarts.items():
        if ns not in moved:
            problems.add(
                f"upgrade.restarts.{ns}",
                f"namespace {ns!r} is not migrated in this phase, so a restart would not change its revision; "
                f"allowed: restarts for {allowed(moved)}",
            )
        for index, deployment in enumerate(deployments):
            if not re.match(K8S_NAME_PATTERN, deployment):
                problems.add(
                    f"upgrade.restarts.{ns}[{index}]",
                    f"{deployment!r} is not a Deployment name; allowed: lower-case DNS label, e.g. frontend",
                )
            elif deployments.index(deployment) != index:
                problems.add(f"upgrade.restarts.{ns}[{index}]", f"{deployment!r} is listed twice")
