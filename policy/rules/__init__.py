"""Every policy of the aks-istio-guardrails pack, grouped by concern (one module each)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Final

from pulumi_policy import Policy

from . import (
    addon_target,
    baseline,
    egress,
    failures,
    gateway_api,
    gateways,
    istio_resources,
    mesh_addon,
    mesh_config,
    node_pools,
    observability,
    pack_settings,
    revisions,
    traffic,
)

MODULES: Final = (
    mesh_addon,
    revisions,
    egress,
    gateway_api,
    node_pools,
    istio_resources,
    gateways,
    mesh_config,
    observability,
    baseline,
    traffic,
)
SETTINGS: Final = (pack_settings.PACK_SETTINGS,)
"""Policies that publish the pack-wide settings (pack_settings.py): they run before every rule of a request."""
REPORTERS: Final = (addon_target.TARGET_DECLARED, *failures.POLICIES)
"""Policies that report what the rules handed on (deferred.py): they run after every rule of a request."""


def pack_policies(rules: Iterable[Policy]) -> list[Policy]:
    """The settings, `rules`, then the reporters, with every name unique."""
    policies: list[Policy] = [*SETTINGS, *rules, *REPORTERS]
    duplicates = sorted(name for name, count in Counter(p.name for p in policies).items() if count > 1)
    if duplicates:
        raise ValueError(f"duplicate policy names: {', '.join(duplicates)}")
    return policies


ALL_POLICIES: Final = pack_policies(p for module in MODULES for p in module.POLICIES)
