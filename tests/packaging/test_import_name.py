"""The library has one import name, `aks_istio`: the checkout's `components/` folder is its source root, never a
package of its own, so no module can load twice under two names (two copies of every class)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def run_in_checkout(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)


def test_components_is_not_a_second_name_for_the_library() -> None:
    result = run_in_checkout("import components.aks_istio")
    assert result.returncode != 0
    assert "components/ is a source root, not a package: import aks_istio" in result.stderr


def test_the_library_imports_as_aks_istio_from_the_checkout() -> None:
    result = run_in_checkout(
        "import aks_istio.config, sys; print(aks_istio.config.__name__, 'components' in sys.modules)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["aks_istio.config", "False"]
