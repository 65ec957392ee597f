"""What the gateway config tests share: the key root, and a stack file with changes that must be refused."""

from typing import Any

import pytest

from aks_istio.config import ConfigError, load_stack_config
from tests.support import merge, raw_platform

ROOT = "aks-istio:platform.gateways"


def problems_of(stack: str, changes: dict[str, Any]) -> list[str]:
    """The problems `stack`'s file with `changes` laid over it is refused with."""
    with pytest.raises(ConfigError) as caught:
        load_stack_config(merge(raw_platform(stack), changes))
    return caught.value.problems


def ingress(mode: str, **settings: Any) -> dict[str, Any]:
    return {"gateways": {"ingress": {mode: settings}}}


def egress(**changes: Any) -> dict[str, Any]:
    return {"gateways": {"egress": changes}}
