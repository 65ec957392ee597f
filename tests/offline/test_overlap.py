"""`check`/`preview --stack` as a command validate the stack file in one process while a forked one loads the program
(`aks_istio.offline.overlap`): the user sees exactly what the one-process command prints, the stack file is still
validated once, and no process outlives the command."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from aks_istio import cli
from aks_istio.config import load_stack_config
from aks_istio.config import stack as config_stack
from aks_istio.offline.capture import run_program
from aks_istio.offline.stack_files import PROJECT_ROOT, stack_config
from tests.support import merge, raw_platform


def command(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aks_istio", *argv], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=180
    )


@pytest.mark.parametrize("argv", [["check", "--stack", "prod"], ["preview", "--stack", "dev", "--json"]])
def test_the_command_prints_what_one_process_prints(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    forked = command(*argv)
    code = cli.main(argv)  # in-process: one process
    alone = capsys.readouterr()
    assert (forked.returncode, forked.stdout, forked.stderr) == (code, alone.out, alone.err)


def test_an_invalid_stack_is_reported_once_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = merge(raw_platform("prod"), {"cluster": {"tier": "Gold"}, "mesh": {"revision": "asm-9-99"}})
    path = tmp_path / "Pulumi.broken.yaml"
    path.write_text(yaml.safe_dump({"config": {"aks-istio:platform": raw}}))
    forked = command("check", "--stack", str(path), "--json")
    code = cli.main(["check", "--stack", str(path), "--json"])
    alone = capsys.readouterr()
    assert forked.returncode == code == cli.EXIT_INVALID_CONFIG
    assert json.loads(forked.stdout) == json.loads(alone.out)
    assert forked.stderr == alone.err == ""


def test_the_program_takes_the_config_the_command_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = stack_config("prod")
    config = load_stack_config(raw["aks-istio:platform"])
    expected = sorted(r.urn for r in run_program("prod", raw).resources)

    def validated_again() -> None:
        raise AssertionError("the program validated the stack file a second time")

    monkeypatch.setattr(config_stack, "stack_config_adapter", validated_again)
    assert sorted(r.urn for r in run_program("prod", raw, validated=config).resources) == expected


def test_only_the_object_the_command_validated_is_taken() -> None:
    prod, dev = stack_config("prod"), stack_config("dev")
    validated = load_stack_config(prod["aks-istio:platform"])
    loaded = []

    def program() -> None:
        loaded.append(load_stack_config(prod["aks-istio:platform"]))
        loaded.append(load_stack_config(dev["aks-istio:platform"]))

    run_program("prod", prod, program, validated=validated)
    assert loaded[0] is validated
    assert loaded[1] == load_stack_config(dev["aks-istio:platform"]) != validated


def _group(pgid: int) -> list[int]:
    """Processes of the process group `pgid` still running, zombies left out (Linux's /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def _until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.005)
    return condition()


def _check_with_its_pack_running() -> subprocess.Popen[bytes]:
    """`check --stack prod` in its own process group (what Ctrl-C signals as a whole), once its three processes
    run: this one, the runner, and the pack the runner started for the validated stack."""
    process = subprocess.Popen(
        [sys.executable, "-m", "aks_istio", "check", "--stack", "prod"],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert _until(lambda: len(_group(process.pid)) >= 3 or process.poll() is not None, 60)
    assert len(_group(process.pid)) >= 3, "the command forked no runner, or the runner started no pack"
    return process


def test_the_runner_and_its_pack_end_when_the_command_is_killed() -> None:
    process = _check_with_its_pack_running()
    os.kill(process.pid, signal.SIGKILL)  # this process alone, with no chance to stop the others
    out, _ = process.communicate(timeout=60)  # until the runner, which shares the pipe, has ended too
    assert out == b""  # it stopped at once instead of running the program and reporting
    assert _until(lambda: _group(process.pid) == [], 30)


def test_ctrl_c_ends_the_command_with_130_and_leaves_no_process() -> None:
    # Sent once the pack runs: both sides then hold something to stop (Ctrl-C while pydantic builds its validators
    # comes back from pydantic-core as a SchemaError, an internal error: noticed, not this module's).
    process = _check_with_its_pack_running()
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert _until(lambda: _group(process.pid) == [], 30)


def test_a_pack_interrupted_while_it_starts_is_the_users_ctrl_c_not_a_bug() -> None:
    # Ctrl-C signals the whole group; when the pack gets it first, the command must still end as interrupted (130).
    from aks_istio.offline.pack_process import PACK_DIR, PolicyPackProcess

    pack = PolicyPackProcess(PACK_DIR)
    try:
        os.kill(pack.pid, signal.SIGINT)
        with pytest.raises(KeyboardInterrupt):
            pack.stub()
    finally:
        pack.close()
