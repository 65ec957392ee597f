"""What a platform engineer adopting aks-istio hits when walking the README with the installed command (the wheel
in a fresh virtualenv, conftest.py), from a folder of their own: each test is a step or a mistake that once
misbehaved there."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from aks_istio.offline.stack_files import PROJECT_ROOT
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


def test_a_policy_config_with_a_misspelt_level_is_invalid_input_naming_every_bad_entry(
    installed: Installed, user_folder: Path
) -> None:
    # The README's `aks-istio preview --program ../payments-infra --policy-config security.json --json`, with the
    # mistakes a hand-written policy config has; a misspelt level was once an internal error (exit 3, KeyError).
    program = user_folder / "storefront"
    shutil.copytree(PROJECT_ROOT / "tests" / "fixtures" / "programs" / "k8s-istio-yaml", program)
    settings = {"all": "mandatry", "managedcluster-paid-sku": {"enforcementLevel": "blocking"}, "pack-settings": 5}
    (user_folder / "security.json").write_text(json.dumps(settings))
    for output in ((), ("--json",)):
        argv = ["preview", "--program", "storefront", "--policy-config", "security.json", *output]
        result = installed.command(*argv, cwd=user_folder)
        assert result.returncode == 2, (result.returncode, result.stderr)
        assert "internal error" not in result.stderr and "Traceback" not in result.stderr
        said = result.stderr if not output else json.loads(result.stdout)["configErrors"][0]["message"]
        assert 'security.json: all: "mandatry" is not an enforcement level; allowed: advisory, mandatory' in said
        assert "(did you mean 'mandatory'?)" in said
        assert 'managedcluster-paid-sku.enforcementLevel: "blocking" is not an enforcement level' in said
        assert "pack-settings: 5 is not a policy setting" in said


def test_an_output_path_the_user_cannot_write_is_invalid_input_not_an_internal_error(
    installed: Installed, user_folder: Path
) -> None:
    # The README's CI step, writing into a folder the job has not created yet; and a bundle where a file stands.
    # Both were "internal error (a bug in aks-istio)", exit 3; the SARIF one after the whole verdict had run.
    sarif = installed.command("check", "--stack", "prod", "--sarif", "reports/prod.sarif", cwd=user_folder)
    assert sarif.returncode == 2, sarif.stderr
    assert "--sarif: reports/prod.sarif: there is no folder reports; create it first" in sarif.stderr
    (user_folder / "dist").write_text("a file, not a folder")
    bundle = installed.command("policy-bundle", "dist/policy", cwd=user_folder)
    assert bundle.returncode == 2, bundle.stderr
    assert "error: cannot write the bundle to dist/policy: Not a directory" in bundle.stderr
    for result in (sarif, bundle):
        assert "internal error" not in result.stderr and "Traceback" not in result.stderr
