"""Every illegal canary step is refused before any resource, with the key path, the bad value and what is allowed."""

from __future__ import annotations

from typing import Any

import pytest

from aks_istio.addon import lifecycle
from aks_istio.addon.catalog import active_catalog
from aks_istio.config import ConfigError, load_stack_config
from tests.components.mesh.test_canary import WALK, fixture_platform
from tests.support import merge

UPGRADE = "aks-istio:platform.mesh.upgrade"


def problems_of(changes: dict[str, Any], base: str = "step0-before") -> list[str]:
    with pytest.raises(ConfigError) as raised:
        load_stack_config(merge(fixture_platform(base), changes))
    return raised.value.problems


def upgrade(**fields: Any) -> dict[str, Any]:
    return {"mesh": {"upgrade": {"to": "asm-1-30", **fields}}}


@pytest.mark.parametrize("name", list(WALK))
def test_every_step_fixture_is_valid(name: str) -> None:
    load_stack_config(fixture_platform(name))


def test_complete_is_refused_while_a_namespace_points_at_the_old_revision() -> None:
    [problem] = problems_of(upgrade(phase="complete", migrated=["apps"]))
    assert problem.startswith(f"{UPGRADE}.phase: 'complete' removes asm-1-29 while namespaces legacy still point")
    assert "allowed: phase migrate with them added to migrated" in problem


def test_complete_without_a_migrate_step_is_refused() -> None:
    [problem] = problems_of(upgrade(phase="complete"))
    assert "namespaces apps, legacy still point at it" in problem


def test_complete_with_all_namespaces_migrated_is_accepted() -> None:
    config = load_stack_config(merge(fixture_platform("step0-before"), upgrade(phase="complete", migrated="all")))
    assert config.mesh.upgrade is not None and config.mesh.upgrade.phase == "complete"


def test_rollback_after_complete_is_refused() -> None:
    # After complete the stack moves on to revision asm-1-30; a rollback to it can only come after complete.
    [problem] = problems_of(
        {"mesh": {"revision": "asm-1-30", "upgrade": {"to": "asm-1-30", "phase": "rollback", "migrated": "all"}}}
    )
    assert problem.startswith(f"{UPGRADE}.to: 'asm-1-30' is already mesh.revision, so this rollback would come after")
    assert "allowed: roll back only during start or migrate" in problem


def test_start_moves_no_namespace() -> None:
    [problem] = problems_of(upgrade(phase="start", migrated=["apps"]))
    assert problem.startswith(f"{UPGRADE}.migrated: ['apps']: start moves no namespace")
    assert "allowed: omit migrated in start, or set phase: migrate" in problem


def test_migrate_needs_the_namespaces_it_moves() -> None:
    [problem] = problems_of(upgrade(phase="migrate"))
    assert (
        problem == f"{UPGRADE}.migrated: migrate needs the namespaces to move to asm-1-30; "
        "allowed: a list of apps, legacy, or all"
    )


def test_a_downgrade_is_refused() -> None:
    [problem] = problems_of({"mesh": {"revision": "asm-1-30", "upgrade": {"to": "asm-1-29", "phase": "start"}}})
    assert problem.startswith(f"{UPGRADE}.to: 'asm-1-29' is older than mesh.revision: downgrades are refused")


def test_a_target_beyond_n_plus_two_is_refused_with_the_allowed_targets() -> None:
    changes = {"cluster": {"kubernetesVersion": "1.33"}, "mesh": {"revision": "asm-1-27"}}
    [problem] = problems_of(merge(changes, upgrade(phase="start")))
    assert problem == (
        f"{UPGRADE}.to: 'asm-1-30' is not an allowed upgrade of asm-1-27 (n+1, or n+2 skipping one); "
        "allowed: asm-1-28, asm-1-29"
    )


def test_the_target_must_run_on_the_clusters_kubernetes_version() -> None:
    problems = problems_of(merge({"cluster": {"kubernetesVersion": "1.31"}}, upgrade(phase="start")))
    [on_target] = [p for p in problems if p.startswith(f"{UPGRADE}.to:")]
    assert on_target.startswith(f"{UPGRADE}.to: 'asm-1-30' does not run on Kubernetes 1.31 (it supports 1.32-1.36)")
    assert "upgrade the cluster first" in on_target
    # The same conflict is reported on the key the user would change instead, with what works there.
    [on_version] = [p for p in problems if "cluster.kubernetesVersion" in p]
    assert (
        "'1.31' does not run mesh revision asm-1-30; allowed with asm-1-30: 1.32, 1.33, 1.34, 1.35, 1.36" in on_version
    )


def test_the_target_must_be_well_formed() -> None:
    [problem] = problems_of({"mesh": {"upgrade": {"to": "asm-130", "phase": "start"}}})
    assert problem == (
        f"{UPGRADE}.to: 'asm-130' is not valid: 'asm-130' is not a revision name; "
        "allowed: asm-<major>-<minor>, e.g. asm-1-30"
    )


def test_a_target_older_than_the_catalogs_newest_must_be_in_the_catalog() -> None:
    problem, *independent = problems_of(
        {"mesh": {"revision": "asm-1-17", "upgrade": {"to": "asm-1-16", "phase": "start"}}}
    )
    assert "'asm-1-16' is not in the add-on's revision catalog; allowed: " in problem
    newest = lifecycle.newest_plausible(active_catalog())
    newer = f"(or a newer revision up to {newest}; refresh the catalog for later ones)"
    assert f"{newer}; past end of life: " in problem  # the old ones apart, never as allowed
    # asm-1-17 does not run on the fixture's Kubernetes either: an independent problem, reported with it.
    assert [p.split(": ", 1)[0] for p in independent] == [
        "aks-istio:platform.mesh.revision",
        "aks-istio:platform.cluster.kubernetesVersion",
    ]


def test_a_target_newer_than_the_catalog_is_still_only_n_plus_one_or_two() -> None:
    farthest = lifecycle.newest_plausible(active_catalog())  # newer than the catalog, but not n+1 or n+2
    [problem] = problems_of({"mesh": {"upgrade": {"to": farthest, "phase": "start"}}})
    assert problem.startswith(f"{UPGRADE}.to: '{farthest}' is not an allowed upgrade of asm-1-29 (n+1, or n+2")


def test_a_target_newer_than_the_catalog_within_two_minors_is_accepted() -> None:
    # asm-1-31 is not catalogued (not confirmed on AKS as of the catalog's date): from asm-1-29 it is n+2.
    config = load_stack_config(merge(fixture_platform("step0-before"), upgrade(phase="start", to="asm-1-31")))
    assert config.mesh.upgrade is not None and config.mesh.upgrade.to == "asm-1-31"


def test_an_upgrade_to_the_current_revision_is_refused() -> None:
    [problem] = problems_of({"mesh": {"upgrade": {"to": "asm-1-29", "phase": "start"}}})
    assert problem == f"{UPGRADE}.to: 'asm-1-29' is mesh.revision already; allowed targets from asm-1-29: asm-1-30"


def test_an_unknown_phase_lists_the_phases() -> None:
    [problem] = problems_of(upgrade(phase="finish"))
    assert problem.startswith(f"{UPGRADE}.phase: 'finish' is not valid")
    assert "'start', 'migrate', 'complete' or 'rollback'" in problem


def test_migrated_is_a_list_or_all() -> None:
    [problem] = problems_of(upgrade(phase="migrate", migrated="some"))
    assert (
        problem == f"{UPGRADE}.migrated: 'some' is not valid: allowed: a list of mesh namespaces, e.g. [apps], or all"
    )


def test_an_unknown_key_in_the_upgrade_is_refused() -> None:
    [problem] = problems_of(upgrade(phase="start", restart={"apps": ["frontend"]}))
    assert (
        problem
        == f"{UPGRADE}.restart: unknown key (did you mean 'restarts'?); allowed keys: to, phase, migrated, restarts, "
        "gatewayRevision"
    )


def test_every_problem_of_a_bad_migrate_is_reported_at_once() -> None:
    problems = problems_of(
        upgrade(
            phase="migrate", migrated=["apps", "nope", "apps"], restarts={"legacy": ["billing"], "apps": ["Bad_Name"]}
        )
    )
    # The upgrade's own rules (a Deployment name) first, then those that need the mesh's namespaces.
    assert problems == [
        f"{UPGRADE}.restarts.apps[0]: 'Bad_Name' is not a Deployment name; "
        "allowed: lower-case DNS label, e.g. frontend",
        f"{UPGRADE}.migrated[1]: 'nope' is not a mesh namespace; allowed: apps, legacy",
        f"{UPGRADE}.migrated[2]: 'apps' is listed twice",
        f"{UPGRADE}.restarts.legacy: namespace 'legacy' is not migrated in this phase, so a restart would not change "
        "its revision; allowed: restarts for apps",
    ]
