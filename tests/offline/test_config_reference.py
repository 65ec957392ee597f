"""The config reference in docs/ is generated from the settings models and must not fall behind them."""

from __future__ import annotations

from aks_istio.offline.config_reference import reference
from aks_istio.offline.stack_files import PROJECT_ROOT


def test_committed_reference_matches_the_models() -> None:
    committed = (PROJECT_ROOT / "docs" / "config-reference.md").read_text()
    assert committed == reference(), "run: aks-istio config-reference > docs/config-reference.md"


def test_reference_documents_every_key_the_stacks_use() -> None:
    text = reference()
    for key in ("`mesh.revision`", "`cluster.kubernetesVersion`", "`mesh.pluginCa.keyVaultId`", "`protect`"):
        assert key in text
