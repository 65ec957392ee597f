"""The package as users get it: the wheel built from this checkout, installed into a fresh virtualenv outside it,
used from folders that know nothing of the checkout (issue #11: "the installed CLI works anywhere").

The virtualenv gets the runtime from the same pinned requirement files as the checkout's (pip's cache already holds
them, so nothing is downloaded twice); the library itself comes only from the wheel.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from aks_istio.offline.stack_files import PROJECT_ROOT
from tests.packaging.conftest import Installed

LIBRARY_PROGRAM = Path(__file__).with_name("library_program.py")


def pack_policy_count() -> int:
    """How many policies the checkout's pack has, as its own package lists them."""
    probe = "import sys; sys.path[:0] = sys.argv[1:]; from rules import ALL_POLICIES; print(len(ALL_POLICIES))"
    out = subprocess.run(
        [sys.executable, "-c", probe, str(PROJECT_ROOT / "policy"), str(PROJECT_ROOT / "components")],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout)


def test_check_runs_on_a_copied_stack_file_from_any_folder(installed: Installed, user_folder: Path) -> None:
    shutil.copy(PROJECT_ROOT / "stacks" / "Pulumi.prod.yaml", user_folder / "my.yaml")
    result = installed.run(str(installed.bin / "aks-istio"), "check", "--stack", "my.yaml", cwd=user_folder)
    assert result.returncode == 0, result.stderr
    # The whole pack ran (every policy the checkout's pack has), with prod's policy config.
    assert f"Policy aks-istio-guardrails ({pack_policy_count()} policies, config: prod)" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_stack_name_resolves_to_the_shipped_sample_stacks(installed: Installed, user_folder: Path) -> None:
    result = installed.run(str(installed.bin / "aks-istio"), "preview", "--stack", "dev", cwd=user_folder)
    assert result.returncode == 0, result.stderr
    assert "Stack dev:" in result.stdout and "azure-native:containerservice:ManagedCluster" in result.stdout


def test_a_stack_name_resolves_in_the_current_pulumi_project_first(installed: Installed, user_folder: Path) -> None:
    (user_folder / "Pulumi.yaml").write_text("name: payments\nruntime: python\nstackConfigDir: envs\n")
    (user_folder / "envs").mkdir()
    dev = yaml.safe_load((PROJECT_ROOT / "stacks" / "Pulumi.dev.yaml").read_text())
    dev["config"]["aks-istio:platform"]["environment"] = "qa"  # not allowed: this file, not the sample, is read
    (user_folder / "envs" / "Pulumi.dev.yaml").write_text(yaml.safe_dump(dev))
    nested = user_folder / "app"
    nested.mkdir()  # run from a subfolder, as the Pulumi CLI finds its project upwards
    result = installed.run(str(installed.bin / "aks-istio"), "check", "--stack", "dev", cwd=nested)
    assert result.returncode == 2
    assert "aks-istio:platform.environment: 'qa'" in result.stderr
    unknown = installed.run(str(installed.bin / "aks-istio"), "check", "--stack", "uat", cwd=nested)
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr
    assert "known stacks: dev)" in unknown.stderr and "known stacks: dev, prod, staging" not in unknown.stderr


def test_in_a_teams_project_a_stack_it_lacks_is_refused_not_checked_on_the_sample(
    installed: Installed, user_folder: Path
) -> None:
    """A team's project without `stackConfigDir` and without a prod stack: `check --stack prod` in CI must fail
    (exit 2, where it looked, how to name a file), not pass on the shipped sample prod."""
    (user_folder / "Pulumi.yaml").write_text("name: payments\nruntime: python\n")
    result = installed.run(str(installed.bin / "aks-istio"), "check", "--stack", "prod", cwd=user_folder)
    assert result.returncode == 2, result.stdout
    assert f"no stack of that name in the Pulumi project {user_folder.resolve() / 'Pulumi.yaml'}" in result.stderr
    assert f"looked for {user_folder.resolve() / 'Pulumi.prod.yaml'} (known stacks: (none))" in result.stderr
    assert "--stack path/to/Pulumi.prod.yaml" in result.stderr
    assert "aks-istio-sample:" not in result.stderr + result.stdout and "Traceback" not in result.stderr


def test_outside_any_project_the_shipped_sample_is_checked_with_a_warning_saying_so(
    installed: Installed, user_folder: Path
) -> None:
    said = "warning: aks-istio-sample:stacks/Pulumi.prod.yaml: checked the sample stack shipped with aks-istio"
    text = installed.run(str(installed.bin / "aks-istio"), "check", "--stack", "prod", cwd=user_folder)
    assert text.returncode == 0, text.stderr
    assert said in text.stderr and "--stack path/to/Pulumi.prod.yaml" in text.stderr
    document = json.loads(
        installed.run(str(installed.bin / "aks-istio"), "check", "--stack", "prod", "--json", cwd=user_folder).stdout
    )
    [warning] = [w for w in document["warnings"] if "checked the sample stack shipped with aks-istio" in w["message"]]
    assert warning["key"] is None and "(aks-istio-sample:stacks/Pulumi.prod.yaml)" in warning["message"]
    # A stack file named by its path is the user's own: no such warning.
    shutil.copy(PROJECT_ROOT / "stacks" / "Pulumi.prod.yaml", user_folder / "Pulumi.prod.yaml")
    own = installed.run(str(installed.bin / "aks-istio"), "check", "--stack", "Pulumi.prod.yaml", cwd=user_folder)
    assert own.returncode == 0 and "sample" not in own.stderr


def test_the_library_is_the_installed_one_next_to_a_components_folder(installed: Installed, user_folder: Path) -> None:
    probe = "import aks_istio, aks_istio.config; print(aks_istio.__file__)"
    result = installed.run(str(installed.bin / "python"), "-c", probe, cwd=user_folder)
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).is_relative_to(installed.venv)


def test_a_library_program_runs_under_mocks(installed: Installed, user_folder: Path) -> None:
    stack = PROJECT_ROOT / "stacks" / "Pulumi.dev.yaml"
    result = installed.run(str(installed.bin / "python"), str(LIBRARY_PROGRAM), str(stack), cwd=user_folder)
    assert result.returncode == 0, result.stderr
    declared: dict[str, Any] = json.loads(result.stdout)
    assert Path(declared["library"]).is_relative_to(installed.venv)
    (cluster,) = [r for r in declared["resources"] if r["type"] == "azure-native:containerservice:ManagedCluster"]
    revision = yaml.safe_load(stack.read_text())["config"]["aks-istio:platform"]["mesh"]["revision"]
    assert cluster["inputs"]["serviceMeshProfile"]["istio"]["revisions"] == [revision]


def test_another_teams_program_is_judged_by_the_installed_command(installed: Installed, user_folder: Path) -> None:
    """The security team's CI step: the installed command on a program copied from elsewhere, its YAML expanded."""
    program = user_folder / "storefront"
    shutil.copytree(PROJECT_ROOT / "tests" / "fixtures" / "programs" / "k8s-istio-yaml", program)
    argv = ["check", "--program", "storefront", "--policy-config", "storefront/addon-target.json", "--json"]
    result = installed.run(str(installed.bin / "aks-istio"), *argv, cwd=user_folder)
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    wasm = next(v for v in document["policy"]["violations"] if v["resource"] == "mesh-storefront/metrics")
    assert (wasm["enforcement"], wasm["line"]) == ("mandatory", 27)
    assert wasm["file"].endswith("manifests/mesh.yaml") and not Path(wasm["file"]).is_absolute()
    assert any("Helm chart 'redis'" in w["message"] for w in document["warnings"])
    assert "Traceback" not in result.stderr
