"""What the Pulumi engine runs (the program's `__main__.py`, the pack's `policy/__main__.py`) loads pulumi, the
provider SDKs and pulumi-policy as they ship, garbage collector on; only the offline tool switches its fast path on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from aks_istio.offline import fast_path
from aks_istio.offline.stack_files import PROJECT_ROOT
from aks_istio.offline.verdict import PACK_DIR

PROGRAM_PROBE = """
import gc, json, runpy, sys
from aks_istio.offline.capture import run_program
from aks_istio.offline.stack_files import PROJECT_ROOT, stack_config
capture = run_program("prod", stack_config("prod"), program=lambda: runpy.run_path(str(PROJECT_ROOT / "__main__.py")))
print(json.dumps({
    "resources": len(capture.resources),
    "gc": gc.isenabled(),
    "frozen": gc.get_freeze_count(),
    "hooks": [type(f).__module__ for f in sys.meta_path if type(f).__module__.startswith("aks_istio")],
    "network_modules": sum(1 for m in sys.modules if m.startswith("pulumi_azure_native.network.")),
}))
"""

PACK_PROBE = """
import gc, json, runpy, sys
import pulumi_policy
import pulumi_policy.policy as sdk

def served(*args, **kwargs):  # stands in for PolicyPack(), which would serve until killed
    print(json.dumps({{
        "gc": gc.isenabled(),
        "frozen": gc.get_freeze_count(),
        "analyze": sdk._PolicyAnalyzerServicer.Analyze.__module__,
        "policies": len(kwargs["policies"]),
    }}))
    raise SystemExit(0)

pulumi_policy.PolicyPack = served
{start}
"""
AS_THE_ENGINE_STARTS_IT = f"runpy.run_path({str(PACK_DIR)!r}, run_name='__main__')"
AS_THE_OFFLINE_TOOL_STARTS_IT = f"from aks_istio.offline import pack_launcher; pack_launcher.main([{str(PACK_DIR)!r}])"


def run(code: str, **env: str) -> Any:
    clean = {k: v for k, v in os.environ.items() if k != fast_path.VARIABLE}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, env={**clean, **env}
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_the_program_loads_the_sdks_as_shipped_with_the_gc_on() -> None:
    found = run(PROGRAM_PROBE)
    assert found["resources"] > 50  # the prod stack was declared
    assert found["gc"] and found["frozen"] == 0
    assert found["hooks"] == []
    assert found["network_modules"] > 250  # the package's own __init__ ran: every resource module


def test_the_pack_runs_pulumi_policy_as_shipped_with_the_gc_on() -> None:
    found = run(PACK_PROBE.format(start=AS_THE_ENGINE_STARTS_IT))
    assert found == {"gc": True, "frozen": 0, "analyze": "pulumi_policy.policy", "policies": found["policies"]}
    assert found["policies"] > 40


def test_only_the_offline_tool_starts_the_pack_with_its_analyze() -> None:
    found = run(PACK_PROBE.format(start=AS_THE_OFFLINE_TOOL_STARTS_IT))
    assert found["analyze"] == "analyze_once"  # policy/analyze_once.py


def test_the_cli_switches_the_fast_path_on_unless_told_not_to() -> None:
    probe = (
        "import json, os, sys; from aks_istio.offline import fast_path; on = fast_path.enable(); "
        "print(json.dumps([on, fast_path.requested(), [type(f).__name__ for f in sys.meta_path]]))"
    )
    on, requested, finders = run(probe)
    assert on and requested and "SharedModuleFinder" in finders
    off, requested, finders = run(probe, AKS_ISTIO_SDK_AS_IS="1")
    assert not off and not requested and "SharedModuleFinder" not in finders
