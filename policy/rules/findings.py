"""How a finding reads: the property path, its value or that it is absent, and what to set instead."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence


def shown(value: object) -> str:
    """A set value as the program wrote it (JSON: true, "none", ["10.0.0.0/8"])."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        value = list(value)
    elif isinstance(value, Mapping):
        value = dict(value)
    return json.dumps(value, default=str)


def bad(path: str, value: object, want: str) -> list[str]:
    """`path is absent; want.` or `path is <value>; want.`: an absent field is never shown as a set value."""
    return [f"{path} is {'absent' if value is None else shown(value)}; {want}."]
