"""Walking a Pulumi SDK's input-type annotations (the tests that check our property paths against the SDKs)."""

from __future__ import annotations

import collections.abc
import typing
from typing import Any

from pulumi import _types

CONTAINERS: tuple[Any, ...] = (collections.abc.Sequence, collections.abc.Mapping, list, dict)
"""Origins of list and map annotations, whose element types `input_types` can look through."""


def input_types(typ: Any, through: tuple[Any, ...] = ()) -> list[type]:
    """The SDK input-type classes a value of `typ` may be, through Optional/Input/Awaitable/Union and the element
    types of the container origins in `through` (e.g. `CONTAINERS`)."""
    found: list[type] = []
    pending = [typ]
    while pending:
        current = pending.pop()
        if isinstance(current, type) and _types.is_input_type(current):
            found.append(current)
        elif typing.get_origin(current) in (typing.Union, collections.abc.Awaitable, *through):
            pending.extend(typing.get_args(current))
    return found
