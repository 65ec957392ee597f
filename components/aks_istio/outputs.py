"""Output helpers the SDK lacks."""

from __future__ import annotations

import asyncio
from typing import Any

import pulumi


def unknown_output() -> pulumi.Output[Any]:
    """An Output whose value is only known after apply, as the engine's own preview values are."""
    value: asyncio.Future[Any] = asyncio.get_event_loop().create_future()
    value.set_result(None)
    known: asyncio.Future[bool] = asyncio.get_event_loop().create_future()
    known.set_result(False)
    return pulumi.Output(set(), value, known)


def after_apply(value: Any, what: str) -> pulumi.Input[Any]:
    """`value`, which Azure computes on create: unknown at preview if still missing, an error after apply."""
    if value:
        return value
    if pulumi.runtime.is_dry_run():
        return unknown_output()
    raise ValueError(f"Azure returned no {what}")
