"""`fleet plan`: every step legal under the revision catalog, the canary wave first, the target reached, and a
cluster with no route named with why (exit 1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from aks_istio.addon.catalog import Catalog, kubernetes_minor, shipped_catalog
from aks_istio.config import load_stack_config
from aks_istio.fleet.model import FleetTarget
from aks_istio.fleet.planner import plan_cluster
from tests.fleet.support import ROOT, example_copy, run
from tests.support import merge, raw_platform

PLAN_SCHEMA = json.loads((ROOT / "docs" / "fleet-plan.schema.json").read_text())
MESH_STEPS = ("mesh-upgrade-start", "mesh-upgrade-migrate", "mesh-upgrade-complete", "mesh-upgrade-finish")


def assert_legal(cluster: dict[str, Any], catalog: Catalog, target: dict[str, str]) -> None:
    """Replays the steps: Kubernetes one minor at a time, canary targets the catalog allows, no revision ever on a
    Kubernetes version it does not run on, and the target reached at the end."""
    minor = kubernetes_minor(cluster["kubernetesVersion"])
    revisions = list(cluster["revisions"])
    assert minor is not None
    for step in cluster["steps"]:
        after = kubernetes_minor(step["kubernetesVersion"])
        assert after is not None
        if step["kind"] == "kubernetes-upgrade":
            assert cluster["kubernetesOwner"] == "fleet", "an auto-upgraded cluster got a kubernetes-upgrade step"
            assert after == minor + 1 and step["revisions"] == revisions
            assert step["edit"] == {"cluster.kubernetesVersion": f"1.{after}"}
        else:
            assert after == minor, f"{step['kind']} changed the Kubernetes version"
        if step["kind"] == "mesh-upgrade-start":
            (old,) = revisions
            new = step["revisions"][1]
            assert step["revisions"] == [old, new] and new in catalog.upgrades_of(old), step
        if step["kind"] == "mesh-upgrade-complete":
            assert step["revisions"] == [revisions[-1]]
        if step["kind"] in ("mesh-upgrade-migrate", "mesh-upgrade-gateways", "mesh-upgrade-finish"):
            assert step["revisions"] == revisions[-1:] if len(revisions) == 1 else step["revisions"] == revisions
        for name in step["revisions"]:
            assert catalog.by_name[name].supports_kubernetes(step["kubernetesVersion"]), (name, step)
        minor, revisions = after, list(step["revisions"])
    if not cluster["blocked"]:
        assert revisions == [target["meshRevision"]]
        if cluster["kubernetesOwner"] == "fleet":
            assert f"1.{minor}" == target["kubernetesVersion"]


def test_example_fleet_plan_is_legal_canary_first_and_reaches_the_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "plan", "--fleet", str(example_copy(tmp_path)), "--json")
    assert code == 0, err
    plan = json.loads(out)
    jsonschema.validate(plan, PLAN_SCHEMA)
    assert plan["routable"] is True
    assert [w["name"] for w in plan["waves"]] == ["canary", "europe", "americas"]
    clusters = {c["cluster"]: c for w in plan["waves"] for c in w["clusters"]}
    for cluster in clusters.values():
        assert_legal(cluster, shipped_catalog(), plan["target"])
    # The canary goes through every kind of step: Kubernetes and two canary upgrades.
    kinds = [s["kind"] for s in clusters["aks-payments-weu-canary"]["steps"]]
    assert kinds == ["kubernetes-upgrade"] * 2 + list(MESH_STEPS) * 2
    # An upgrade left half-done (migrate, one namespace moved) is finished first, all namespaces moved.
    neu = clusters["aks-payments-neu-1"]["steps"]
    assert [s["kind"] for s in neu[:3]] == ["mesh-upgrade-migrate", "mesh-upgrade-complete", "mesh-upgrade-finish"]
    assert neu[0]["edit"]["mesh.upgrade"]["migrated"] == "all"
    # The auto-upgraded cluster: mesh steps only, and the plan says who moves its Kubernetes version.
    cus = clusters["aks-payments-cus-1"]
    assert cus["kubernetesOwner"] == "aks-auto-upgrade (stable channel)"
    assert [s["kind"] for s in cus["steps"]] == list(MESH_STEPS)
    assert clusters["aks-payments-wus-1"]["atTarget"] and clusters["aks-payments-wus-1"]["steps"] == []


def test_text_plan_names_waves_in_order_and_who_upgrades_auto_clusters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "plan", "--fleet", str(example_copy(tmp_path)))
    assert code == 0
    assert out.index("Wave 1/3 canary") < out.index("Wave 2/3 europe") < out.index("Wave 3/3 americas")
    assert "Kubernetes is upgraded by aks-auto-upgrade (stable channel): no kubernetes-upgrade step" in out
    assert "aks-payments-wus-1 (stacks/Pulumi.wus-1.yaml): Kubernetes 1.35, asm-1-30: at the target" in out


def _config(kubernetes: str, revision: str) -> Any:
    return load_stack_config(
        merge(raw_platform("dev"), {"cluster": {"kubernetesVersion": kubernetes}, "mesh": {"revision": revision}})
    )


@pytest.mark.parametrize("target", [("1.35", "asm-1-30"), ("1.34", "asm-1-28"), ("1.36", "asm-1-29")])
def test_every_catalogued_start_gets_a_legal_route_or_says_why(target: tuple[str, str]) -> None:
    catalog = shipped_catalog()
    goal = FleetTarget(kubernetes_version=target[0], mesh_revision=target[1])
    routed = 0
    for minor in range(29, 37):
        for revision in catalog.supporting(f"1.{minor}"):
            plan = plan_cluster("s", _config(f"1.{minor}", revision), goal, catalog).as_json()
            assert_legal(
                plan, catalog, {"kubernetesVersion": goal.kubernetes_version, "meshRevision": goal.mesh_revision}
            )
            if plan["blocked"]:
                assert "downgrade" in plan["blocked"] or "no catalogued upgrade" in plan["blocked"], plan["blocked"]
            else:
                routed += 1
    assert routed > 10


def test_no_route_exits_1_and_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fleet = example_copy(tmp_path)
    fleet.write_text(fleet.read_text().replace("meshRevision: asm-1-30", "meshRevision: asm-1-29"))
    code, out, _ = run(capsys, "plan", "--fleet", str(fleet))
    assert code == 1
    assert "no route: the cluster runs asm-1-30, newer than the target asm-1-29: the add-on does not downgrade" in out
    assert "no route for 1 cluster(s): aks-payments-wus-1" in out
    code, out, _ = run(capsys, "plan", "--fleet", str(fleet), "--json")
    assert code == 1 and json.loads(out)["routable"] is False
