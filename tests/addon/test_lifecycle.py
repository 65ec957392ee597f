"""The revision rules config validation and the policy pack share, judged on injected dates and catalogs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from aks_istio.addon import lifecycle
from aks_istio.addon.catalog import CatalogError, load_catalog, locate, shipped_catalog
from tests.addon.support import catalog_file, released

SHIPPED = shipped_catalog()


def test_shipped_catalog_is_dated_sourced_and_ends_at_asm_1_30() -> None:
    assert SHIPPED.as_of == date(2026, 11, 30)
    assert SHIPPED.sources[0] == "https://learn.microsoft.com/azure/aks/istio-support-policy"
    assert SHIPPED.newest.name == "asm-1-30" and SHIPPED.newest.kubernetes_range == "1.32-1.36"
    assert SHIPPED.by_name["asm-1-26"].end_of_life == date(2026, 4, 28)  # announced in the release notes


def test_announced_end_of_life_is_the_date_itself() -> None:
    [warning] = lifecycle.end_of_life_warnings(SHIPPED, ["asm-1-27"], date(2026, 5, 30), "1.34")
    assert warning.startswith("mesh revision asm-1-27 passed its end of life on 2026-05-29 (announced;")
    assert "canary upgrade asm-1-27 -> asm-1-29 -> asm-1-30 with mesh.upgrade (first step to: asm-1-29, n+2)" in (
        warning
    )
    assert lifecycle.end_of_life_warnings(SHIPPED, ["asm-1-27"], date(2026, 5, 29), "1.34") == []


def test_the_route_only_uses_revisions_that_run_on_the_clusters_kubernetes_version() -> None:
    # asm-1-24 on 1.33: asm-1-26 (1.29-1.34) is the furthest first step; asm-1-30 needs 1.32+, fine on 1.33.
    assert lifecycle.upgrade_route(SHIPPED, "asm-1-24", "1.33") == ["asm-1-26", "asm-1-28", "asm-1-30"]
    # On 1.29 nothing from asm-1-28 on runs: the route stops where the cluster must be upgraded first.
    assert lifecycle.upgrade_route(SHIPPED, "asm-1-24", "1.29") == ["asm-1-26", "asm-1-27"]


def test_two_revisions_stay_supported_until_six_weeks_after_the_newest_rolls_out(tmp_path: Path) -> None:
    # With asm-1-31 released 2027-01-10, asm-1-29 (expected Sept 2026) is n-2: supported until 2027-02-21.
    catalog = load_catalog(catalog_file(tmp_path, released("asm-1-31", "1.33", "1.37", "2027-01-10")))
    assert lifecycle.end_of_life(catalog, catalog.by_name["asm-1-29"]) == date(2027, 2, 21)
    assert lifecycle.end_of_life(SHIPPED, SHIPPED.by_name["asm-1-29"]) is None
    assert lifecycle.supported_revisions(catalog, date(2027, 2, 22)) == ["asm-1-30", "asm-1-31"]


def test_a_newer_revision_is_assumed_one_minor_up_unless_stated() -> None:
    assert lifecycle.resolve(SHIPPED, "asm-1-31") is not None
    assert lifecycle.assumed_revision(SHIPPED, "asm-1-31").kubernetes_range == "1.33-1.37"
    assert lifecycle.assumed_revision(SHIPPED, "asm-1-31", (32, 37)).kubernetes_range == "1.32-1.37"
    assert lifecycle.resolve(SHIPPED, "asm-1-16") is None
    assert lifecycle.unknown_revision_problem(SHIPPED, "asm-1-31") is None


def test_catalog_age_warns_after_90_days_only() -> None:
    assert lifecycle.catalog_age_warning(SHIPPED, date(2027, 2, 28)) is None
    warning = lifecycle.catalog_age_warning(SHIPPED, date(2027, 3, 1))
    assert warning is not None and "revisions refresh --location <region>" in warning


def test_a_catalog_file_beside_the_stacks_is_preferred_and_the_variable_over_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AKS_ISTIO_REVISION_CATALOG", raising=False)
    assert str(locate(tmp_path)) == SHIPPED.path
    beside = catalog_file(tmp_path, released("asm-1-31", "1.33", "1.37", "2027-01-10"))
    assert locate(tmp_path) == beside
    elsewhere = tmp_path / "pinned"
    elsewhere.mkdir()
    monkeypatch.setenv("AKS_ISTIO_REVISION_CATALOG", str(catalog_file(elsewhere)))
    assert locate(tmp_path) == elsewhere / "revisions.json"


def test_an_unreadable_catalog_names_the_file_and_entry(tmp_path: Path) -> None:
    bad = catalog_file(tmp_path, {"name": "asm-1-31", "kubernetes": [], "upgrades": []})
    with pytest.raises(CatalogError, match=r"revisions\[14\]\.kubernetes \(asm-1-31\): \[\] is not a"):
        load_catalog(bad)
