"""The package as users get it, built and installed once per test session (tests/packaging/*): the wheel built
from this checkout, installed into a fresh virtualenv outside it, and a user's folder that knows nothing of the
checkout.

The virtualenv gets the runtime from the same pinned requirement files as the checkout's (pip's cache already holds
them, so nothing is downloaded twice); the library itself comes only from the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from aks_istio.offline.stack_files import PROJECT_ROOT


class Installed:
    def __init__(self, venv: Path) -> None:
        self.venv = venv
        self.bin = venv / "bin"

    def command(self, *argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        """`aks-istio ARGV...`, the installed console script, run in `cwd`."""
        return self.run(str(self.bin / "aks-istio"), *argv, cwd=cwd)

    def run(self, *argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        # Nothing of the checkout's environment: no PYTHONPATH, no active virtualenv, another working folder.
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    root = tmp_path_factory.mktemp("installed")
    dist, venv = root / "dist", root / "venv"
    pip = ["--quiet", "--disable-pip-version-check"]
    # The README's way to build it: `make wheel` (DIST says where).
    subprocess.run(["make", "--silent", "-C", str(PROJECT_ROOT), "wheel", f"DIST={dist}"], check=True)
    (wheel,) = dist.glob("aks_istio-*.whl")
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    requirements = [
        f"--requirement={PROJECT_ROOT / 'requirements.txt'}",
        f"--requirement={PROJECT_ROOT / 'policy/requirements.txt'}",
    ]
    subprocess.run([venv / "bin" / "python", "-m", "pip", "install", *pip, *requirements, wheel], check=True)
    yield Installed(venv)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def user_folder(tmp_path: Path) -> Path:
    """A folder with its own `components/` package (a common Pulumi layout), which must not shadow the library."""
    (tmp_path / "components").mkdir()
    (tmp_path / "components" / "__init__.py").write_text("raise ImportError('the user\\'s own components/')\n")
    return tmp_path
