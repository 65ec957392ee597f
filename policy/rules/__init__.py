"""Every policy of the aks-istio-guardrails pack, grouped by concern (one module each)."""

from __future__ import annotations

from collections import Counter
from typing import Final

from pulumi_policy import Policy

from . import baseline, gateways, istio_resources, mesh_addon, mesh_config, node_pools, observability, revisions

MODULES: Final = (mesh_addon, node_pools, istio_resources, gateways, mesh_config, observability, baseline, revisions)


def _all_policies() -> list[Policy]:
    policies: list[Policy] = [p for module in MODULES for p in module.POLICIES]
    duplicates = sorted(name for name, count in Counter(p.name for p in policies).items() if count > 1)
    if duplicates:
        raise ValueError(f"duplicate policy names: {', '.join(duplicates)}")
    return policies


ALL_POLICIES: Final = _all_policies()
