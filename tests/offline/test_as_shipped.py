"""The offline tool runs pulumi, the provider SDKs and pulumi-policy exactly as the Pulumi engine runs them: no
import hooks, no rewritten or patched third-party code, the pack started with the engine's command line."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from aks_istio.offline import verdict
from aks_istio.offline.stack_files import PROJECT_ROOT

# Runs the offline `check` in a fresh interpreter, then reports how the SDKs it used were loaded.
CHECK_PROBE = """
import importlib.machinery, json, sys
before = list(sys.meta_path)  # what the interpreter (and site's .pth files) installed before we run
from aks_istio import cli
code = cli.main(["check", "--stack", "prod"])
standard = (importlib.machinery.SourceFileLoader, importlib.machinery.SourcelessFileLoader,
            importlib.machinery.ExtensionFileLoader, importlib.machinery.NamespaceLoader)
sdks = ("pulumi", "pulumi_azure_native", "pulumi_kubernetes", "pulumi_tls", "pulumi_random")
loaders = [m.__spec__.loader for name, m in list(sys.modules.items())
           if name.split(".")[0] in sdks and getattr(m, "__spec__", None) is not None]
print(json.dumps({
    "code": code,
    "added_finders": [type(f).__qualname__ for f in sys.meta_path if f not in before],
    "other_loaders": sorted({type(loader).__qualname__ for loader in loaders if not isinstance(loader, standard)}),
    "network_modules": sum(1 for m in sys.modules if m.startswith("pulumi_azure_native.network.")),
}))
"""


def test_the_offline_check_loads_the_provider_sdks_as_they_ship() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK_PROBE], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.splitlines()[-1])
    assert found["code"] in (0, 1)  # a verdict was reached
    assert found["added_finders"] == []  # no import hook
    assert found["other_loaders"] == []  # every SDK module came from its own file, through Python's own loaders
    assert found["network_modules"] > 250  # the package's own __init__ ran: every resource module, as shipped


def test_the_pack_is_started_with_the_engines_command_line() -> None:
    with verdict.start("prod") as process:
        command = Path(f"/proc/{process.pid}/cmdline").read_bytes().split(b"\0")[:-1]
    assert [part.decode() for part in command] == [sys.executable, "-u", str(verdict.PACK_DIR)]


def test_no_module_of_ours_hooks_imports_or_runs_generated_code() -> None:
    """What rewriting third-party code needs: an import hook, exec/compile of source, a swapped function body."""
    ours = [*(PROJECT_ROOT / "components" / "aks_istio").rglob("*.py"), *(PROJECT_ROOT / "policy").rglob("*.py")]
    found = []
    for path in ours:
        # `check --program`'s harness starts another team's program with runpy.run_path(main, run_name="__main__"),
        # which is how Pulumi's Python language host starts every program (pulumi-language-python-exec): the
        # program runs unmodified. Its other constructs are held to the same rules as every other module.
        program_runner = path.name == "program_harness.py"
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if program_runner and (
                (isinstance(node, ast.Import) and [a.name for a in node.names] == ["runpy"])
                or (isinstance(node, ast.ImportFrom) and node.module == "runpy")
            ):
                continue
            if isinstance(node, ast.Attribute) and node.attr in {"meta_path", "path_hooks", "__code__"}:
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}: {node.attr}")
            if isinstance(node, ast.Name) and node.id in {"exec", "compile"}:
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}: {node.id}")
            if isinstance(node, ast.ImportFrom) and node.module in {"importlib.abc", "runpy"}:
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}: from {node.module}")
            if isinstance(node, ast.Import) and any(a.name in {"importlib.abc", "runpy"} for a in node.names):
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}: import")
    assert found == []
