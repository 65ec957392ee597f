"""Every policy's finding can be placed in a stack file: the table names a key the config models have."""

from __future__ import annotations

import re
from typing import Any

from rules import ALL_POLICIES

from aks_istio.config.errors import is_section, stack_fields
from aks_istio.config.finding_keys import FINDING_KEYS, stack_key
from aks_istio.config.stack import StackConfig
from tests.support import config_of


def known_key(model: type, path: str) -> bool:
    """True if `path` (camelCase, dotted) walks through the models' fields."""
    current: Any = model
    for part in re.sub(r"\[\d+\]", "", path).split("."):
        fields = stack_fields(current) if is_section(current) else {}
        if part not in fields:
            return False
        annotation = fields[part].annotation
        inner = [a for a in (getattr(annotation, "__args__", None) or (annotation,)) if is_section(a)]
        current = inner[0] if inner else type(None)
    return True


def test_every_policy_has_a_stack_key() -> None:
    assert sorted(p.name for p in ALL_POLICIES if p.name not in FINDING_KEYS) == []


def test_every_stack_key_exists_in_the_config_models() -> None:
    assert [key for key in FINDING_KEYS.values() if key is not None and not known_key(StackConfig, key)] == []


def test_a_pool_finding_points_at_that_pool() -> None:
    config = config_of("prod")
    assert stack_key("agentpool-max-pods", "aks-istio-prod-pool-apps", config) == "cluster.userPools[0]"
    assert stack_key("peerauthentication-no-permissive-mtls", "x-mesh-payments-mtls", config) == "mesh.namespaces[1]"
    assert stack_key("no-such-policy", "aks-istio-prod-aks", config) is None
