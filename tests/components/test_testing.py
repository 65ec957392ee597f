"""aks_istio.testing: the README's library unit test runs as written, on its own, in seconds."""

import re
import subprocess
import sys
from pathlib import Path

import pulumi
import pytest

from aks_istio.testing import AksIstioMocks

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_test_module() -> str:
    """The Python block that follows "Put this in `test_mesh.py`" in README.md."""
    text = README.read_text()
    start = text.index("Put this in `test_mesh.py`")
    match = re.compile(r"```python\n(.*?)```", re.DOTALL).search(text, start)
    assert match is not None, "README.md lost its library test example"
    return match.group(1)


def run_as_user_test(module: str, folder: Path) -> subprocess.CompletedProcess[str]:
    """pytest on `module` saved as test_mesh.py in a folder of its own (no conftest of ours), in a fresh process."""
    (folder / "test_mesh.py").write_text(module)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_mesh.py"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_readme_library_test_passes_as_written(tmp_path: Path) -> None:
    result = run_as_user_test(readme_test_module(), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_the_readme_library_test_fails_when_its_assertion_is_wrong(tmp_path: Path) -> None:
    """The example really checks the payload: a wrong expected revision fails it."""
    module = readme_test_module().replace('["istio.io/rev"] == "asm-1-27"', '["istio.io/rev"] == "asm-1-26"')
    result = run_as_user_test(module, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr


def test_an_unmocked_provider_function_is_named() -> None:
    mocks = AksIstioMocks()
    call = pulumi.runtime.MockCallArgs("azure-native:network:getVirtualNetwork", {}, "")
    with pytest.raises(NotImplementedError, match="azure-native:network:getVirtualNetwork"):
        mocks.call(call)
