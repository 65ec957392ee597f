"""`revisions show|refresh` and `upgrade-readiness`, offline: ARM answers are recorded REST bodies fed through the
SDK's own models (azure-mgmt-containerservice), so the refresh reads exactly what the client would hand it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from azure.mgmt.containerservice import models

from aks_istio import cli
from aks_istio.addon.catalog import CATALOG_ENV, load_catalog
from aks_istio.offline import revision_catalog
from aks_istio.offline.stack_files import PROJECT_ROOT
from tests.components.mesh.test_canary import FIXTURES, fixture_platform
from tests.support import merge

ARM = Path(__file__).resolve().parents[1] / "fixtures" / "arm"
SCHEMA = json.loads((PROJECT_ROOT / "docs" / "preview-output.schema.json").read_text())


def recorded(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((ARM / name).read_text())
    return document


class RecordedRegion:
    """ManagedClustersOperations answering from recorded REST bodies; records what it was asked."""

    def __init__(self, revision_profile: str = "meshRevisionProfile-westeurope.json") -> None:
        self.revision_profile = revision_profile
        self.asked: list[tuple[str, ...]] = []

    def get_mesh_revision_profile(self, location: str, mode: str) -> models.MeshRevisionProfile:
        self.asked.append(("meshRevisionProfiles", location, mode))
        return models.MeshRevisionProfile(recorded(self.revision_profile))

    def list_kubernetes_versions(self, location: str) -> models.KubernetesVersionListResult:
        self.asked.append(("kubernetesVersions", location))
        return models.KubernetesVersionListResult(recorded("kubernetesVersions-westeurope.json"))

    def get_mesh_upgrade_profile(self, resource_group_name: str, resource_name: str, mode: str) -> Any:
        self.asked.append(("meshUpgradeProfiles", resource_group_name, resource_name, mode))
        return models.MeshUpgradeProfile(recorded("meshUpgradeProfile-aks-istio-dev.json"))


@pytest.fixture
def region(monkeypatch: pytest.MonkeyPatch) -> RecordedRegion:
    # The commands point the processes they start at the catalog beside the stack (os.environ): restore it after.
    monkeypatch.setenv(CATALOG_ENV, "")
    monkeypatch.delenv(CATALOG_ENV)
    recorded_region = RecordedRegion()
    monkeypatch.setattr(revision_catalog, "azure_client", lambda subscription: recorded_region)
    return recorded_region


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def refresh(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, str, str]:
    return run(
        capsys, "revisions", "refresh", "--location", "westeurope", "--subscription", "s", "--catalog", str(path),
        "--today", "2026-12-15",
    )  # fmt: skip


def test_refresh_writes_arms_revisions_and_keeps_the_curated_dates(
    capsys: pytest.CaptureFixture[str], region: RecordedRegion, tmp_path: Path
) -> None:
    code, out, _ = refresh(capsys, tmp_path / "revisions.json")
    assert code == cli.EXIT_OK
    assert "newest asm-1-31, as of 2026-12-15" in out and "new since the shipped catalog" in out
    assert ("meshRevisionProfiles", "westeurope", "istio") in region.asked
    catalog = load_catalog(tmp_path / "revisions.json")
    assert catalog.origin == "refresh westeurope" and catalog.as_of.isoformat() == "2026-12-15"
    new = catalog.by_name["asm-1-31"]
    assert (new.kubernetes_range, new.end_of_life) == ("1.33-1.37", None)
    kept = catalog.by_name["asm-1-30"]
    assert (
        kept.upgrades == ("asm-1-31",)
        and kept.end_of_life is not None
        and kept.end_of_life.isoformat() == ("2026-12-31")
    )
    assert kept.lts_kubernetes == (32, 36)
    # Revisions the region no longer lists stay, with their dates: end-of-life warnings need them.
    assert "asm-1-23" in catalog.by_name
    assert catalog.region_kubernetes == ("1.33", "1.34", "1.35", "1.36", "1.37")


def test_refresh_refuses_an_empty_or_unreadable_kubernetes_range_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], region: RecordedRegion, tmp_path: Path
) -> None:
    region.revision_profile = "meshRevisionProfile-unreadable.json"
    code, _, err = refresh(capsys, tmp_path / "revisions.json")
    assert code == cli.EXIT_INVALID_CONFIG
    assert "asm-1-30: no Kubernetes range in compatibleWith (names ['KubernetesPreview']" in err
    assert "asm-1-31 compatibleWith kubernetes: Kubernetes versions [] are empty" in err
    assert not (tmp_path / "revisions.json").exists()


def test_show_prints_the_catalog_in_use_and_warns_when_it_is_old(
    capsys: pytest.CaptureFixture[str], region: RecordedRegion
) -> None:
    code, out, _ = run(capsys, "revisions", "show", "--today", "2026-12-01")
    assert code == cli.EXIT_OK
    assert "as of 2026-11-30 (1 days old)" in out and "warning" not in out
    assert "asm-1-28   1.30-1.35" in out and "past end of life since 2026-08-31" in out
    _, out, _ = run(capsys, "revisions", "show", "--today", "2027-03-01")
    assert "warning: the revision catalog is 91 days old" in out


def test_show_json_lists_revisions_past_end_of_life_apart(
    capsys: pytest.CaptureFixture[str], region: RecordedRegion
) -> None:
    code, out, _ = run(capsys, "revisions", "show", "--today", "2026-12-01", "--json")
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA)
    assert code == cli.EXIT_OK and document["catalog"]["asOf"] == "2026-11-30"
    assert "asm-1-28" in document["pastEndOfLife"] and "asm-1-28" not in document["supported"]
    assert "asm-1-30" in document["supported"]
    [asm_1_28] = [r for r in document["revisions"] if r["name"] == "asm-1-28"]
    assert asm_1_28["kubernetes"] == ["1.30", "1.35"] and asm_1_28["pastEndOfLife"] is True


def stack_file(tmp_path: Path, changes: dict[str, Any]) -> str:
    import yaml

    platform = merge(fixture_platform("step0-before"), changes)
    path = tmp_path / "Pulumi.lifecycle.yaml"
    path.write_text(yaml.safe_dump({"config": {"aks-istio:platform": platform}}))
    return str(path)


def test_readiness_interleaves_canary_upgrades_with_one_minor_at_a_time(
    capsys: pytest.CaptureFixture[str], region: RecordedRegion, tmp_path: Path
) -> None:
    stack = stack_file(tmp_path, {"mesh": {"revision": "asm-1-28"}})
    code, out, _ = run(capsys, "upgrade-readiness", "--stack", stack, "--kubernetes", "1.36", "--today", "2026-11-30")
    assert code == cli.EXIT_OK
    steps = [line for line in out.splitlines() if line[:2] in ("1.", "2.", "3.")]
    assert steps == [
        "1. Kubernetes 1.34 -> 1.35 with asm-1-28   (AKS upgrades the control plane one minor at a time)",
        "2. canary upgrade asm-1-28 -> asm-1-30 on Kubernetes 1.35   (asm-1-28 runs on 1.30-1.35, not 1.36)",
        "3. Kubernetes 1.35 -> 1.36 with asm-1-30   (AKS upgrades the control plane one minor at a time)",
    ]
    assert "edit: mesh.upgrade: {to: asm-1-30, phase: start}" in out
    # The warning at the line of the key it concerns (mesh.revision), in the file named from its root.
    revision_line = Path(stack).read_text().splitlines().index("      revision: asm-1-28") + 1
    assert f"warning: Pulumi.lifecycle.yaml:{revision_line}: mesh revision asm-1-28 passed its end of life" in out
    code, out, _ = run(
        capsys, "upgrade-readiness", "--stack", stack, "--kubernetes", "1.36", "--today", "2026-11-30", "--json"
    )
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA)
    assert document["kubernetesVersion"] == "1.34" and document["outcome"] == "steps" and document["exitCode"] == 0
    [warning] = [w for w in document["warnings"] if "end of life" in w["message"]]
    assert warning["key"] == "aks-istio:platform.mesh.revision" and warning["line"] == revision_line


def test_readiness_is_blocked_past_the_catalog_until_a_refreshed_catalog_is_beside_the_stack(
    capsys: pytest.CaptureFixture[str], region: RecordedRegion, tmp_path: Path
) -> None:
    stack = stack_file(tmp_path, {"cluster": {"kubernetesVersion": "1.36"}, "mesh": {"revision": "asm-1-30"}})
    argv = ("upgrade-readiness", "--stack", stack, "--kubernetes", "1.37", "--today", "2026-12-15")
    code, out, _ = run(capsys, *argv)
    assert code == cli.EXIT_VIOLATION
    assert "blocked: no catalogued upgrade of asm-1-30 runs on both 1.36 and 1.37" in out
    refresh(capsys, tmp_path / "revisions.json")  # beside the stack file: preferred from now on
    code, out, _ = run(capsys, *argv, "--json")
    assert code == cli.EXIT_OK
    document = json.loads(out)
    assert [s["to"] for s in document["steps"]] == ["asm-1-31", "1.37"] and document["ready"] is False


def test_readiness_confirm_reads_the_clusters_own_mesh_upgrade_profile(
    capsys: pytest.CaptureFixture[str], region: RecordedRegion, tmp_path: Path
) -> None:
    stack = stack_file(tmp_path, {"cluster": {"kubernetesVersion": "1.36"}, "mesh": {"revision": "asm-1-30"}})
    refresh(capsys, tmp_path / "revisions.json")
    argv = ("upgrade-readiness", "--stack", stack, "--kubernetes", "1.37", "--confirm", "--subscription", "s")
    code, out, _ = run(capsys, *argv)
    assert code == cli.EXIT_OK
    assert ("meshUpgradeProfiles", "rg-aks-istio-dev", "aks-istio-dev", "istio") in region.asked
    assert "confirmed: the cluster's mesh upgrade profile allows asm-1-31 (it lists: asm-1-31)" in out
    assert "confirmed: asm-1-30 runs on kubernetes 1.32, 1.33, 1.34, 1.35, 1.36 on this cluster" in out


def test_readiness_refuses_a_downgrade(capsys: pytest.CaptureFixture[str], region: RecordedRegion) -> None:
    code, _, err = run(
        capsys, "upgrade-readiness", "--stack", str(FIXTURES / "step0-before.yaml"), "--kubernetes", "1.33"
    )
    assert code == cli.EXIT_INVALID_CONFIG
    assert "older than cluster.kubernetesVersion 1.34: AKS does not downgrade a cluster" in err
