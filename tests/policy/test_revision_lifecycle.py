"""managedcluster-istio-revision-lifecycle through the pack's real Analyzer interface: the same catalog and rules
as config validation, advisory, judged on the `today` the policy config pins."""

from __future__ import annotations

import json
import os
import site
from datetime import date
from pathlib import Path

import pytest

from aks_istio import cli
from aks_istio.addon.catalog import active_catalog
from aks_istio.addon.lifecycle import supported_revisions
from aks_istio.offline.analyzer_client import Analyzer, PolicyPackProcess, Resource, resolve_config, struct
from aks_istio.offline.verdict import PACK_DIR
from tests.addon.support import catalog_file, released
from tests.policy.conftest import Pack
from tests.policy.fixtures import CLUSTER, MANAGED_CLUSTER, mutate

POLICY = "managedcluster-istio-revision-lifecycle"
REVISIONS = "serviceMeshProfile.istio.revisions"
COMPATIBLE = "managedcluster-istio-revision-kubernetes-compatible"


def lifecycle(pack: Pack, revisions: list[str], **settings: str) -> list[str]:
    found = pack.analyze(MANAGED_CLUSTER, mutate(CLUSTER, REVISIONS, revisions), config={POLICY: settings})
    return [message for policy, message in found if policy == POLICY]


def test_a_revision_past_end_of_life_is_flagged_on_the_pinned_date(pack: Pack) -> None:
    assert lifecycle(pack, ["asm-1-28"], today="2026-08-31") == []
    [message] = lifecycle(pack, ["asm-1-28"], today="2026-09-01")
    assert f"{REVISIONS}: mesh revision asm-1-28 passed its end of life on 2026-08-31" in message
    assert f"canary upgrade asm-1-28 -> asm-1-30 with {REVISIONS} [current, target]" in message


def test_another_teams_cluster_pinning_asm_1_23_is_flagged(pack: Pack) -> None:
    [message] = lifecycle(pack, ["asm-1-23"], today="2026-11-30")
    assert "asm-1-23 passed its end of life on 2025-06-30 (announced;" in message


def test_a_revision_newer_than_the_catalog_is_one_finding_that_says_how_to_confirm(pack: Pack) -> None:
    [message] = lifecycle(pack, ["asm-1-31"], today="2026-11-30")
    assert "asm-1-31 is newer than the revision catalog" in message
    assert "az aks mesh get-revisions --location <region>" in message


def test_a_typo_far_above_the_catalog_is_not_taken_for_a_newer_release(pack: Pack) -> None:
    # asm-1-300 was "newer than the catalog", assumed to run on Kubernetes 1.302-1.306.
    [message] = lifecycle(pack, ["asm-1-300"], today="2026-11-30")
    assert "'asm-1-300' is not in the add-on's revision catalog; allowed: " in message
    assert "newer than the revision catalog" not in message and "1.302" not in message


def test_the_finding_is_advisory_under_every_environment_config(pack: Pack) -> None:
    cluster = mutate(CLUSTER, REVISIONS, ["asm-1-31"])
    resource = Resource(type=MANAGED_CLUSTER, name="aks", urn="urn:x::aks", properties=struct(cluster))
    for environment in ("dev", "staging", "prod"):
        pack.configure(json.loads((PACK_DIR / "config" / f"{environment}.json").read_text()))
        levels = {d.enforcementLevel for d in pack.analyzer.analyze(resource) if d.policyName == POLICY}
        assert levels == {0}, environment  # 0 = ADVISORY in pulumi's analyzer.proto


def test_a_refreshed_catalog_given_in_the_policy_config_is_used(pack: Pack, tmp_path: Path) -> None:
    # The user's catalog knows asm-1-31 and asm-1-32 (released 2027-04-01): asm-1-30, expected Dec 2026, is n-2
    # and supported until six weeks later.
    path = catalog_file(
        tmp_path,
        released("asm-1-31", "1.33", "1.37", "2027-01-10"),
        released("asm-1-32", "1.34", "1.38", "2027-04-01"),
    )
    assert lifecycle(pack, ["asm-1-31"], catalogPath=str(path), today="2027-04-01") == []
    assert lifecycle(pack, ["asm-1-30"], catalogPath=str(path), today="2027-05-13") == []
    [message] = lifecycle(pack, ["asm-1-30"], catalogPath=str(path), today="2027-05-14")
    assert "asm-1-30 passed its end of life on 2027-05-13 (Microsoft's expected date" in message


def test_an_unreadable_catalog_is_a_finding_never_a_pass(pack: Pack, tmp_path: Path) -> None:
    [message] = lifecycle(pack, ["asm-1-30"], catalogPath=str(tmp_path / "missing.json"))
    assert "cannot be judged" in message and "missing.json" in message


def test_a_policy_bundle_carries_the_users_catalog_in_place_of_the_shipped_one(
    pack: Pack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = catalog_file(tmp_path, released("asm-1-31", "1.33", "1.37", "2027-01-10"))
    bundle = tmp_path / "bundle"
    monkeypatch.setenv("AKS_ISTIO_REVISION_CATALOG", str(user))
    assert cli.main(["policy-bundle", str(bundle)]) == cli.EXIT_OK
    assert (bundle / "aks_istio" / "addon" / "revisions.json").read_text() == user.read_text()
    # Published, the bundle has no environment variable and no stacks/ beside it: its own file is the catalog.
    monkeypatch.delenv("AKS_ISTIO_REVISION_CATALOG")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(site.getsitepackages()))
    with PolicyPackProcess(bundle, project="aks-istio", stack="dev", python_options=["-S"]) as process:
        bundled = Analyzer(process.stub())
        bundled.configure(resolve_config(bundled.info(), None))
        known = mutate(CLUSTER, REVISIONS, ["asm-1-31"])
        found = bundled.analyze(Resource(type=MANAGED_CLUSTER, name="aks", urn="urn:x::aks", properties=struct(known)))
        assert POLICY not in {d.policyName for d in found}
    assert POLICY in {p for p, _ in pack.analyze(MANAGED_CLUSTER, known)}  # the shipped catalog does not know it


def test_a_newer_revision_is_one_advisory_finding_never_a_mandatory_refusal(pack: Pack) -> None:
    # Alone, or as the target of a canary upgrade from the newest catalogued revision (n+1).
    for revisions in (["asm-1-31"], ["asm-1-30", "asm-1-31"]):
        cluster = mutate(mutate(CLUSTER, REVISIONS, revisions), "kubernetesVersion", "1.36")
        found = [p for p, _ in pack.analyze(MANAGED_CLUSTER, cluster) if "revision" in p]
        assert found == [POLICY], (revisions, found)


def test_the_kubernetes_compatibility_finding_offers_no_revision_past_end_of_life(pack: Pack) -> None:
    """asm-1-26 on Kubernetes 1.35: the revisions that run there include some past end of life today (asm-1-27,
    asm-1-28); they are never offered as "use one of", but apart, as stack validation lists them."""
    today = date.today()
    catalog = active_catalog()
    fits = catalog.supporting("1.35")
    current = supported_revisions(catalog, today)
    retired = [name for name in fits if name not in current]
    assert retired and len(retired) < len(fits), (fits, current)  # the case needs both kinds
    cluster = mutate(mutate(CLUSTER, REVISIONS, ["asm-1-26"]), "kubernetesVersion", "1.35")
    [message] = [m for p, m in pack.analyze(MANAGED_CLUSTER, cluster) if p == COMPATIBLE]
    offered = message.split("use one of: ", 1)[1].split(";", 1)[0].rstrip(".").split(", ")
    assert offered == [name for name in fits if name in current], message
    assert f"past end of life: {', '.join(retired)}" in message
