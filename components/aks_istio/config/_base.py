"""The base of the fleet file's pydantic models (`aks_istio.fleet.model`), and the way their cross-field rules
report problems. (The stack file's values are dataclasses: `aks_istio.value_checks`.)"""

from __future__ import annotations

import ipaddress

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from aks_istio.value_checks import K8S_NAME, LOCATION, POOL_NAME, RESOURCE_GROUP

# A cross-field rule may find several problems; it raises one ValueError whose message holds them all,
# each as "<relative key path><PATH_SEP><message>", joined by PROBLEM_SEP. `errors.py` splits them again so
# every problem is reported on its own line with the full key path.
# Name rules several sections share.
K8S_NAME_PATTERN = K8S_NAME["pattern"]
POOL_NAME_PATTERN = POOL_NAME["pattern"]
RESOURCE_GROUP_PATTERN = RESOURCE_GROUP["pattern"]
LOCATION_PATTERN = LOCATION["pattern"]

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
