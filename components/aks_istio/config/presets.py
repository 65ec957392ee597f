"""Environment presets: the defaults a stack file starts from. The stack file always wins.

dev is small and cheap; prod is zone-redundant, on the Standard tier (uptime SLA) and protected.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

PRESETS: Final[dict[str, dict[str, Any]]] = {
    "dev": {
        "protect": False,
        "cluster": {
            "tier": "Free",
            "systemPool": {"name": "system", "vmSize": "Standard_D4ds_v5", "minCount": 1, "maxCount": 2},
            "upgrade": {"channel": "patch", "nodeOsChannel": "NodeImage"},
        },
    },
    "staging": {
        "protect": False,
        "cluster": {
            "tier": "Standard",
            "systemPool": {
                "name": "system",
                "vmSize": "Standard_D4ds_v5",
                "minCount": 2,
                "maxCount": 3,
                "zones": ["1", "2", "3"],
            },
            "upgrade": {"channel": "patch", "nodeOsChannel": "NodeImage"},
        },
    },
    "prod": {
        "protect": True,
        "cluster": {
            "tier": "Standard",
            "systemPool": {
                "name": "system",
                "vmSize": "Standard_D4ds_v5",
                "minCount": 3,
                "maxCount": 5,
                "zones": ["1", "2", "3"],
            },
            "upgrade": {"channel": "stable", "nodeOsChannel": "SecurityPatch"},
        },
    },
}


def with_preset(raw: Mapping[str, Any]) -> dict[str, Any]:
    """`raw` laid over its environment's preset (mappings merge key by key; lists and scalars replace)."""
    preset = PRESETS.get(str(raw.get("environment")), {})
    return _merge(preset, raw)


def _merge(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = dict(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged
