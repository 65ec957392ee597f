"""A canary upgrade walked through the step fixtures (tests/fixtures/canary), as the engine would receive it."""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path

import pytest

from aks_istio.addon import support_matrix as sm
from aks_istio.config import load_stack_config
from aks_istio.mesh.canary import RESTART_ANNOTATION
from aks_istio.mesh.phases import revision_warnings, stable_revision
from aks_istio.offline.capture import Capture, CapturedResource, run_program
from aks_istio.offline.stack_files import resolve
from tests.support import CONFIG_MAP, MANAGED_CLUSTER, NAMESPACE, PLATFORM_KEY, merge, one

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "canary"
DEPLOYMENT_PATCH = "kubernetes:apps/v1:DeploymentPatch"
K8S_PROVIDER = "pulumi:providers:kubernetes"


def fixture_platform(step: str) -> dict[str, object]:
    platform = resolve(str(FIXTURES / f"{step}.yaml"))[1][PLATFORM_KEY]
    assert isinstance(platform, dict)
    return platform


@functools.cache
def step(name: str) -> Capture:
    stack, config = resolve(str(FIXTURES / f"{name}.yaml"))
    return run_program(stack, config, preview=False, computed=True)


def revisions(capture: Capture) -> list[str]:
    return one(capture, MANAGED_CLUSTER).inputs["serviceMeshProfile"]["istio"]["revisions"]


def shared_configmaps(capture: Capture) -> list[str]:
    return sorted(c.inputs["metadata"]["name"] for c in capture.of_type(CONFIG_MAP))


def namespace_labels(capture: Capture) -> dict[str, str]:
    return {
        n.inputs["metadata"]["name"]: n.inputs["metadata"]["labels"][sm.REVISION_LABEL]
        for n in capture.of_type(NAMESPACE)
    }


def restarts(capture: Capture) -> dict[str, str]:
    """`namespace/deployment` -> the pod-template annotation whose change rolls the pods."""
    return {
        f"{p.inputs['metadata']['namespace']}/{p.inputs['metadata']['name']}": p.inputs["spec"]["template"]["metadata"][
            "annotations"
        ][RESTART_ANNOTATION]
        for p in capture.of_type(DEPLOYMENT_PATCH)
    }


def urn_of(capture: Capture, type_: str, suffix: str) -> str:
    return one(capture, type_, suffix).urn


def provider_urn(resource: CapturedResource) -> str:
    return resource.provider.rsplit("::", 1)[0]


MIGRATE = "migrate asm-1-29->asm-1-30"
ROLLBACK = "rollback asm-1-29->asm-1-30"
CM_29, CM_30 = "istio-shared-configmap-asm-1-29", "istio-shared-configmap-asm-1-30"

# step -> (cluster revisions, shared ConfigMaps, namespace labels, restarts)
WALK = {
    "step0-before": (["asm-1-29"], [CM_29], {"apps": "asm-1-29", "legacy": "asm-1-29"}, {}),
    "step1-start": (["asm-1-29", "asm-1-30"], [CM_29, CM_30], {"apps": "asm-1-29", "legacy": "asm-1-29"}, {}),
    "step2-migrate-apps": (
        ["asm-1-29", "asm-1-30"],
        [CM_29, CM_30],
        {"apps": "asm-1-30", "legacy": "asm-1-29"},
        {"apps/frontend": MIGRATE, "apps/backend": MIGRATE},
    ),
    "step2-migrate-all": (
        ["asm-1-29", "asm-1-30"],
        [CM_29, CM_30],
        {"apps": "asm-1-30", "legacy": "asm-1-30"},
        {"apps/frontend": MIGRATE, "apps/backend": MIGRATE, "legacy/billing": MIGRATE},
    ),
    "step3-complete": (
        ["asm-1-30"],
        [CM_30],
        {"apps": "asm-1-30", "legacy": "asm-1-30"},
        # the same annotation values as the migrate step: complete restarts nothing
        {"apps/frontend": MIGRATE, "apps/backend": MIGRATE, "legacy/billing": MIGRATE},
    ),
    "step4-done": (["asm-1-30"], [CM_30], {"apps": "asm-1-30", "legacy": "asm-1-30"}, {}),
    "step2b-rollback": (
        ["asm-1-29"],
        [CM_29],
        {"apps": "asm-1-29", "legacy": "asm-1-29"},
        {"apps/frontend": ROLLBACK, "apps/backend": ROLLBACK},
    ),
}


@pytest.mark.parametrize("name", list(WALK))
def test_each_step_previews_the_phase(name: str) -> None:
    capture = step(name)
    expected_revisions, expected_configmaps, expected_labels, expected_restarts = WALK[name]
    assert revisions(capture) == expected_revisions
    assert shared_configmaps(capture) == expected_configmaps
    assert namespace_labels(capture) == expected_labels
    assert restarts(capture) == expected_restarts


def test_start_creates_the_new_revisions_mesh_config_before_the_cluster_adds_the_revision() -> None:
    capture = step("step1-start")
    cluster = one(capture, MANAGED_CLUSTER)
    configmap = one(capture, CONFIG_MAP, "asm-1-30")
    # The engine orders by these edges: the cluster update (revisions += asm-1-30) waits for the ConfigMap ...
    assert configmap.urn in cluster.dependencies
    # ... which goes through the mesh-side provider, whose credentials do not wait for the cluster (no cycle).
    mesh_provider = one(capture, K8S_PROVIDER, "-mesh-k8s")
    assert provider_urn(configmap) == mesh_provider.urn
    assert cluster.urn not in mesh_provider.dependencies


def test_outside_an_upgrade_the_mesh_side_waits_for_the_cluster() -> None:
    capture = step("step4-done")
    cluster = one(capture, MANAGED_CLUSTER)
    assert cluster.urn in one(capture, K8S_PROVIDER, "-mesh-k8s").dependencies
    assert one(capture, CONFIG_MAP, "asm-1-30").urn not in cluster.dependencies


def test_the_mesh_side_keeps_one_provider_through_the_whole_walk() -> None:
    # A resource that changed provider between steps could be replaced; none does.
    for name in WALK:
        capture = step(name)
        mesh_provider = one(capture, K8S_PROVIDER, "-mesh-k8s").urn
        for resource in capture.of_type(CONFIG_MAP) + capture.of_type(NAMESPACE) + capture.of_type(DEPLOYMENT_PATCH):
            assert provider_urn(resource) == mesh_provider, (name, resource.name)


def test_rollback_relabels_and_restarts_before_the_new_revision_is_removed() -> None:
    capture = step("step2b-rollback")
    cluster = one(capture, MANAGED_CLUSTER)
    assert urn_of(capture, NAMESPACE, "-apps") in cluster.dependencies
    for patch in capture.of_type(DEPLOYMENT_PATCH):
        assert patch.urn in cluster.dependencies


@pytest.mark.parametrize("name", ["step2-migrate-apps", "step2-migrate-all", "step3-complete"])
def test_namespaces_move_to_the_new_revision_only_after_the_cluster_lists_it(name: str) -> None:
    # A start that failed half-way leaves the cluster without asm-1-30: the relabel (and so the restarts, which
    # follow it) must wait for the cluster update, or pods would come up labelled for an injector that does not
    # exist (no sidecar, refused under STRICT mTLS).
    capture = step(name)
    cluster = one(capture, MANAGED_CLUSTER)
    for namespace in capture.of_type(NAMESPACE):
        assert cluster.urn in namespace.dependencies, namespace.name
        assert namespace.urn not in cluster.dependencies, namespace.name
    # The new revision's shared MeshConfig still comes first (start's ordering holds in every later phase).
    assert one(capture, CONFIG_MAP, "asm-1-30").urn in cluster.dependencies


@pytest.mark.parametrize("name", ["step2-migrate-apps", "step2b-rollback"])
def test_restarts_follow_the_relabel(name: str) -> None:
    capture = step(name)
    apps = urn_of(capture, NAMESPACE, "-apps")
    for patch in capture.of_type(DEPLOYMENT_PATCH):
        assert apps in patch.dependencies, patch.name


def test_restart_patch_touches_only_the_pod_template_annotation() -> None:
    patch = one(step("step2-migrate-apps"), DEPLOYMENT_PATCH, "-apps-frontend").inputs
    assert patch["metadata"]["name"] == "frontend"
    assert patch["metadata"]["namespace"] == "apps"
    assert patch["spec"] == {"template": {"metadata": {"annotations": {RESTART_ANNOTATION: MIGRATE}}}}


def test_platform_outputs_follow_the_phase() -> None:
    assert step("step1-start").outputs["meshRevisions"] == ["asm-1-29", "asm-1-30"]
    assert step("step3-complete").outputs["meshRevisions"] == ["asm-1-30"]


@pytest.mark.parametrize(
    ("upgrade", "stable"),
    [
        (None, "asm-1-29"),
        ({"to": "asm-1-30", "phase": "start"}, "asm-1-29"),
        ({"to": "asm-1-30", "phase": "migrate", "migrated": "all"}, "asm-1-29"),
        ({"to": "asm-1-30", "phase": "complete", "migrated": "all"}, "asm-1-30"),
        ({"to": "asm-1-30", "phase": "rollback", "migrated": "all"}, "asm-1-29"),
    ],
)
def test_gateway_hpa_settings_belong_to_the_stable_revision(upgrade: dict[str, object] | None, stable: str) -> None:
    # The add-on copies the stable revision's HPA to the canary's and reverts edits to the canary's.
    platform = merge(fixture_platform("step0-before"), {"mesh": {"upgrade": upgrade}})
    assert stable_revision(load_stack_config(platform).mesh) == stable


def test_a_revision_past_end_of_life_is_a_warning_on_the_injected_date() -> None:
    mesh = load_stack_config(merge(fixture_platform("step0-before"), {"mesh": {"revision": "asm-1-28"}})).mesh
    assert revision_warnings(mesh, date(2026, 8, 31)) == []
    [warning] = revision_warnings(mesh, date(2026, 9, 1))
    assert "asm-1-28 passed its end of life on 2026-08-31 (Microsoft's expected date" in warning
    assert "move to asm-1-30: canary upgrade asm-1-28 -> asm-1-30 with mesh.upgrade (first step to: asm-1-30, n+2)" in (
        warning
    )


def test_one_of_the_two_newest_revisions_outlives_its_expected_date() -> None:
    # asm-1-29's expected end of life is Sept 2026, but Microsoft keeps two revisions supported and no asm-1-31
    # is out: on 2027-01-01 the stack is not told to move (the catalog is only a month old then).
    mesh = load_stack_config(fixture_platform("step0-before")).mesh
    assert revision_warnings(mesh, date(2027, 1, 1)) == []
    [stale] = revision_warnings(mesh, date(2027, 3, 1))
    assert stale.startswith("the revision catalog is 91 days old (the shipped catalog, as of 2026-11-30")


def test_catalog_upgrades_are_n_plus_one_or_two_within_the_catalog() -> None:
    for revision in sm.REVISIONS:
        major, minor = sm.parse_revision(revision.name)
        for target in revision.upgrades:
            assert target in sm.REVISIONS_BY_NAME
            target_major, target_minor = sm.parse_revision(target)
            assert target_major == major
            assert 0 < target_minor - minor <= sm.MAX_UPGRADE_MINOR_DISTANCE
    assert sm.allowed_upgrades("asm-1-28") == ["asm-1-29", "asm-1-30"]
    assert sm.allowed_upgrades("asm-1-30") == []
