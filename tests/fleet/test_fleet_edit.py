"""`fleet edit`: each wave's stack files one step further per run, comments and layout kept, every file it writes
passing `check`, until the whole fleet is at the target."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from aks_istio import cli
from aks_istio.offline.stack_files import read_config
from tests.fleet.support import example_copy, run

MAX_STEPS = 12  # the longest route in the example fleet has 11 steps


def test_edits_step_by_step_take_every_stack_to_the_target_and_each_file_passes_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fleet = example_copy(tmp_path)
    folder = fleet.parent
    for wave in ("canary", "europe", "americas"):
        for _ in range(MAX_STEPS):
            code, out, err = run(capsys, "edit", "--fleet", str(fleet), "--wave", wave)
            assert code == 0, err
            if "nothing changed" in out:
                break
            changed = [line.split(" (", 1)[0] for line in out.splitlines()]
            assert changed, out
            for stack in changed:
                verdict = cli.main(["check", "--stack", str(folder / stack)])
                check_out, check_err = capsys.readouterr()
                assert verdict == 0, f"{stack} after `{out.strip()}`:\n{check_out}{check_err}"
        else:
            pytest.fail(f"wave {wave} did not reach the target in {MAX_STEPS} edits")
    code, out, _ = run(capsys, "plan", "--fleet", str(fleet), "--json")
    assert code == 0
    assert all(c["atTarget"] for w in json.loads(out)["waves"] for c in w["clusters"])
    for path in sorted((folder / "stacks").glob("Pulumi.*.yaml")):
        platform = read_config(path)["aks-istio:platform"]
        assert platform["mesh"]["revision"] == "asm-1-30" and "upgrade" not in platform["mesh"], path.name
        if path.name != "Pulumi.cus-1.yaml":  # AKS's stable channel owns that one's version
            assert platform["cluster"]["kubernetesVersion"] == "1.35", path.name


def test_an_edit_changes_only_the_keys_of_its_step(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fleet = example_copy(tmp_path)
    stacks = fleet.parent / "stacks"
    # The canary wave first (a later wave waits for it): make it be at the target already.
    canary = stacks / "Pulumi.weu-canary.yaml"
    canary.write_text(canary.read_text().replace('"1.33"', '"1.35"').replace("asm-1-27", "asm-1-30"))
    before = {p.name: p.read_text() for p in stacks.glob("*.yaml")}
    code, out, err = run(capsys, "edit", "--fleet", str(fleet), "--wave", "europe")
    assert code == 0, err
    assert out.splitlines() == [
        'stacks/Pulumi.weu-1.yaml (aks-payments-weu-1): kubernetes-upgrade: cluster.kubernetesVersion: "1.35"',
        "stacks/Pulumi.neu-1.yaml (aks-payments-neu-1): mesh-upgrade-migrate: mesh.upgrade: "
        '{"to": "asm-1-29", "phase": "migrate", "migrated": "all"}',
    ]
    after = {p.name: p.read_text() for p in stacks.glob("*.yaml")}
    changes = {
        name: [
            line
            for line in difflib.unified_diff(before[name].splitlines(), after[name].splitlines(), n=0, lineterm="")
            if line[:1] in "+-" and not line.startswith(("+++", "---"))
        ]
        for name in before
        if before[name] != after[name]
    }
    assert changes == {
        "Pulumi.weu-1.yaml": ['-      kubernetesVersion: "1.34"', '+      kubernetesVersion: "1.35"'],
        "Pulumi.neu-1.yaml": ["-        migrated: [apps]", "+        migrated: all"],
    }
    # The comment on the edited mapping stays where it was.
    assert "upgrade:                  # a canary upgrade someone started by hand" in after["Pulumi.neu-1.yaml"]


def test_a_later_wave_waits_for_the_earlier_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fleet = example_copy(tmp_path)
    before = {p: p.read_text() for p in (fleet.parent / "stacks").glob("*.yaml")}
    code, _, err = run(capsys, "edit", "--fleet", str(fleet), "--wave", "americas")
    assert code == 1
    assert "wave canary comes first and is not at the target yet (aks-payments-weu-canary)" in err
    assert {p: p.read_text() for p in before} == before
    code, _, err = run(capsys, "edit", "--fleet", str(fleet), "--wave", "asia")
    assert code == 2 and "allowed: canary, europe, americas" in err
