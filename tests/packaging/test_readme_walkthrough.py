"""What a platform engineer adopting aks-istio hits when walking the README with the installed command (the wheel
in a fresh virtualenv, conftest.py), from a folder of their own: each test is a step or a mistake that once
misbehaved there."""

from __future__ import annotations

from pathlib import Path

from tests.packaging.conftest import Installed


def test_commands_needing_the_refresh_extra_name_the_packages_and_the_extra_when_it_is_missing(
    installed: Installed, user_folder: Path
) -> None:
    # The README: `pip install 'aks-istio[refresh]' && az login`, once, for `revisions refresh` and
    # `upgrade-readiness --confirm`. The wheel alone (as installed here) lacks that extra.
    probe = installed.run(str(installed.bin / "python"), "-c", "import azure.identity", cwd=user_folder)
    assert probe.returncode != 0, "the installed virtualenv must lack the refresh extra for this test"
    runs = [
        ("revisions", "refresh", "--location", "westeurope", "--subscription", "00000000-0000-0000-0000-000000000000"),
        ("upgrade-readiness", "--stack", "prod", "--kubernetes", "1.36", "--confirm", "--subscription", "0000"),
    ]
    for argv in runs:
        result = installed.command(*argv, cwd=user_folder)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        # It names what to install, never the bare module `azure` (`pip install azure` is not the fix), and does not
        # claim ARM answered or was asked.
        assert "azure-identity and azure-mgmt-containerservice" in result.stderr, result.stderr
        assert "pip install 'aks-istio[refresh]'" in result.stderr
        assert "azure is not installed" not in result.stderr
        assert "ARM's answer" not in result.stderr and "failed" not in result.stderr, result.stderr


def test_fleet_help_states_the_fleets_exit_codes_not_the_policy_verdicts(
    installed: Installed, user_folder: Path
) -> None:
    # `fleet gate` exits 1 for a failed gate; its help once said 1 was "a mandatory policy finding" (the stack
    # commands' table) right under the fleet's own meanings.
    for argv in (("fleet",), ("fleet", "gate"), ("fleet", "plan"), ("fleet", "k8s-run", "approve")):
        result = installed.command(*argv, "--help", cwd=user_folder)
        assert result.returncode == 0, result.stderr
        assert "mandatory policy finding" not in result.stdout, argv
        assert "exit codes (fleet" in result.stdout and "unhealthy or inconclusive (gate" in result.stdout, argv
    top = installed.command("--help", cwd=user_folder).stdout
    assert "fleet has its own: aks-istio fleet --help" in top
