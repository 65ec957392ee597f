"""The base every settings model shares, and the way cross-field rules report problems."""

from __future__ import annotations

import difflib
import ipaddress
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

# A cross-field rule may find several problems; it raises one ValueError whose message holds them all,
# each as "<relative key path><PATH_SEP><message>", joined by PROBLEM_SEP. `errors.py` splits them again so
# every problem is reported on its own line with the full key path.
# Name rules several sections share.
K8S_NAME_PATTERN = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"  # a DNS-1123 label: namespaces, Kubernetes names
POOL_NAME_PATTERN = r"^[a-z][a-z0-9]{0,11}$"  # AKS: Linux pool names are 1-12 lowercase alphanumerics
RESOURCE_GROUP_PATTERN = r"^[-\w\.\(\)]{1,89}[-\w\(\)]$"  # ARM naming rules for resource groups
LOCATION_PATTERN = r"^[a-z][a-z0-9]+$"  # an Azure region's name, e.g. westeurope

PROBLEM_SEP = "\x1e"
PATH_SEP = "\x1f"


class Settings(BaseModel):
    """Frozen, typo-proof settings: unknown keys are errors, YAML keys are camelCase."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=True,
        validate_default=True,
    )


class Problems:
    """Collects the problems one cross-field rule finds, then raises them together."""

    def __init__(self) -> None:
        self._items: list[tuple[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self._items.append((path, message))

    def raise_if_any(self) -> None:
        if self._items:
            raise ValueError(PROBLEM_SEP.join(f"{path}{PATH_SEP}{message}" for path, message in self._items))


def valid_cidrs(values: list[str], *, ipv4_only: bool = False) -> list[str]:
    """`values` unchanged if each is a CIDR (IPv4 only where Azure takes no IPv6), else the first bad one named."""
    for cidr in values:
        try:
            (ipaddress.IPv4Network if ipv4_only else ipaddress.ip_network)(cidr)
        except ValueError as exc:
            kind = f"an IPv4 CIDR ({exc})" if ipv4_only else "a CIDR"
            raise ValueError(f"{cidr!r} is not {kind}; allowed: e.g. 203.0.113.0/24") from None
    return values


def allowed(values: object) -> str:
    """Render the allowed values the same way in every message."""
    if isinstance(values, str):
        return values
    items = list(values)  # type: ignore[call-overload]
    return ", ".join(str(v) for v in items) if items else "(none)"


LONG_LIST = 8
"""An allowed-list longer than this is shortened in messages to the nearest matches (see `nearest`)."""


def nearest(value: str, choices: Sequence[str], *, documented_at: str) -> str:
    """What is allowed instead of `value`: the whole list when it is short; else the nearest few and where the
    full list is documented (a message of 26 names on one line hides the one the user meant)."""
    items = list(choices)
    if len(items) <= LONG_LIST:
        return allowed(items)
    close = difflib.get_close_matches(value, items, n=3, cutoff=0.0)
    return f"{allowed(close)} (the nearest of {len(items)}; all of them: {documented_at})"
