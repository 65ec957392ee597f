"""Helpers the tests share: stack configs to mutate, and running programs under recording mocks."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from aks_istio.config import StackConfig, load_stack_config
from aks_istio.offline.capture import Capture, CapturedResource, run_program
from aks_istio.offline.stack_files import stack_config

PLATFORM_KEY = "aks-istio:platform"


def raw_platform(stack: str) -> dict[str, Any]:
    """A deep copy of a stack file's `aks-istio:platform` object, free to mutate."""
    return copy.deepcopy(stack_config(stack)[PLATFORM_KEY])


def config_of(stack: str, **changes: Any) -> StackConfig:
    return load_stack_config(merge(raw_platform(stack), changes))


def merge(base: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """`changes` laid over `base` (mappings merge; anything else replaces; None deletes the key)."""
    for key, value in changes.items():
        if value is None:
            base.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def capture_stack(
    stack: str, platform: Mapping[str, Any] | None = None, *, preview: bool = False, computed: bool = True
) -> Capture:
    """Run the real __main__.py as `stack` (optionally with a replaced platform object) under mocks."""
    config = dict(stack_config(stack))
    if platform is not None:
        config[PLATFORM_KEY] = platform
    return run_program(stack, config, preview=preview, computed=computed)


def capture_program(program: Callable[[], None], *, stack: str = "test", preview: bool = False) -> Capture:
    """Run any program function (e.g. one component on its own) under the same mocks."""
    return run_program(stack, {}, program, preview=preview, computed=True)


def one(capture: Capture, type_: str, name_suffix: str = "") -> CapturedResource:
    matches = [r for r in capture.of_type(type_) if r.name.endswith(name_suffix)]
    assert len(matches) == 1, f"expected one {type_} ending {name_suffix!r}, got {[r.name for r in matches]}"
    return matches[0]


MANAGED_CLUSTER = "azure-native:containerservice:ManagedCluster"
AGENT_POOL = "azure-native:containerservice:AgentPool"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
NAMESPACE = "kubernetes:core/v1:Namespace"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
PEER_AUTHENTICATION = "kubernetes:security.istio.io/v1:PeerAuthentication"
