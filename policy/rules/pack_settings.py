"""`pack-settings`: the pack-wide settings, set once instead of once per rule, published to the rules of each request.

CrossGuard hands each policy only its own config (the `all` key carries an enforcement level, nothing else), so a
setting several rules need would have to be repeated in each rule's config. Instead one policy holds it: its config
schema is the pack-wide settings, it reports nothing, and it runs first in `ALL_POLICIES` (rules/__init__.py), so
the engine's one-thread, in-order loop over a request's policies (the SDK's `AnalyzeStack`) calls it before every
rule that reads what it published. What it publishes lives in a context variable, scoped to the request: gRPC
runs every call in a fresh `contextvars.Context` (grpc/_server.py's `_RPCState`), so a request never sees
another's settings, even on a reused thread or with `pack-settings` disabled by a later Configure (then it never
runs and the rules fall back to the default); in-process callers that share a context are kept apart by the
request scope, as deferred.py's stores are.

Today every reader is a stack policy (the add-on rules of addon_target.py and node_pools.py, and the traffic
analysis, which also reads the add-on model of a cluster outside the program: `addonIngressGateways`,
`addonEgressGateways`, `addonRevisions`, `keyVaultSecretsProvider`), so `pack-settings` is a stack policy: Analyze
has no reader to serve.
"""

from __future__ import annotations

import contextvars
from collections.abc import Hashable, Mapping
from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity

from aks_istio.addon import support_matrix as sm

from .deferred import Finding
from .factories import Meta, StackRequest, stack_request_policy

NAME: Final = "pack-settings"
CLUSTER_RUNS_ADDON: Final = "clusterRunsIstioAddon"
CLUSTER_RUNS_ADDON_VALUES: Final = ("detect", "yes", "no")
CLUSTER_RUNS_ADDON_DEFAULT: Final = "detect"
CLUSTER_RUNS_ADDON_SCHEMA: Final[dict[str, Any]] = {
    "type": "string",
    "enum": list(CLUSTER_RUNS_ADDON_VALUES),
    "default": CLUSTER_RUNS_ADDON_DEFAULT,
    "description": "Does the cluster this program deploys to run the Istio add-on, when the program does not declare "
    "it? detect: the program's clusters decide, and with none the add-on rules report as advisory; yes: they "
    "report at their own level; no: they do not apply. A cluster the program declares always decides itself.",
}
CLUSTER_RUNS_ADDON_OVERRIDE_SCHEMA: Final[dict[str, Any]] = {
    # No default: an absent key must leave the pack-wide value in force (the engine fills schema defaults in).
    "type": "string",
    "enum": list(CLUSTER_RUNS_ADDON_VALUES),
    "description": f"This rule's own answer to {NAME}' {CLUSTER_RUNS_ADDON}, which it overrides; absent: the "
    "pack-wide value.",
}


# What the add-on on a cluster outside the program runs, for the traffic analysis (rules/traffic/model.py); absent:
# unknown, and the rules that need it do not judge. No defaults: the engine would fill them in.
ADDON_INGRESS_GATEWAYS: Final = "addonIngressGateways"
ADDON_EGRESS_GATEWAYS: Final = "addonEgressGateways"
ADDON_REVISIONS: Final = "addonRevisions"
KEY_VAULT_SECRETS_PROVIDER: Final = "keyVaultSecretsProvider"
ADDON_MODEL_SCHEMA: Final[dict[str, dict[str, Any]]] = {
    ADDON_INGRESS_GATEWAYS: {
        "type": "array",
        "items": {"type": "string", "enum": list(sm.INGRESS_GATEWAY_MODES)},
        "description": "The add-on ingress gateways the target cluster enables (External, Internal), when the "
        "program does not declare the cluster.",
    },
    ADDON_EGRESS_GATEWAYS: {
        "type": "array",
        "items": {"type": "string"},
        "description": "The add-on egress gateways the target cluster enables, as name or namespace/name (default "
        f"namespace {sm.ADDON_EGRESS_NAMESPACE}).",
    },
    ADDON_REVISIONS: {
        "type": "array",
        "items": {"type": "string", "pattern": sm.REVISION_PATTERN.pattern},
        "description": "The mesh revisions the target cluster runs (asm-1-NN).",
    },
    KEY_VAULT_SECRETS_PROVIDER: {
        "type": "boolean",
        "description": "Does the target cluster run the Azure Key Vault secrets provider add-on?",
    },
}


class Published:
    """The settings `pack-settings` published for the current request; read by any number of rules."""

    def __init__(self, name: str) -> None:
        self.current: contextvars.ContextVar[tuple[Hashable, Mapping[str, Any]]] = contextvars.ContextVar(
            name, default=(None, {})
        )

    def publish(self, scope: Hashable, values: Mapping[str, Any]) -> None:
        self.current.set((scope, dict(values)))

    def read(self, scope: Hashable) -> Mapping[str, Any]:
        published, values = self.current.get()
        return values if scope == published else {}


PUBLISHED: Final = Published("aks_istio_pack_settings")


def publish(request: StackRequest) -> list[Finding]:
    keys = (CLUSTER_RUNS_ADDON, *ADDON_MODEL_SCHEMA)
    PUBLISHED.publish(request.scope, {key: request.config.get(key) for key in keys})
    return []


def published(request: StackRequest) -> Mapping[str, Any]:
    """The pack-wide settings of this request (empty when pack-settings did not run)."""
    return PUBLISHED.read(request.scope)


def cluster_runs_addon(request: StackRequest) -> str:
    """The rule's own `clusterRunsIstioAddon` if it sets one, else the pack-wide one, else `detect`."""
    for value in (request.config.get(CLUSTER_RUNS_ADDON), PUBLISHED.read(request.scope).get(CLUSTER_RUNS_ADDON)):
        if value in CLUSTER_RUNS_ADDON_VALUES:
            return str(value)
    return CLUSTER_RUNS_ADDON_DEFAULT


PACK_SETTINGS: Final = stack_request_policy(
    Meta(
        NAME,
        "Holds the pack-wide settings the add-on rules read, and reports nothing itself.",
        Severity.LOW,
        f"Set {CLUSTER_RUNS_ADDON} (yes, no or detect) in this policy's config, once for the whole pack; keep this "
        "policy enabled, or the rules fall back to the defaults.",
        "https://www.pulumi.com/docs/iac/using-pulumi/crossguard/configuration/",
        ("pack",),
        EnforcementLevel.ADVISORY,
        config={CLUSTER_RUNS_ADDON: CLUSTER_RUNS_ADDON_SCHEMA, **ADDON_MODEL_SCHEMA},
    ),
    publish,
)
"""Settings: it must come before every rule that reads them in ALL_POLICIES (rules/__init__.py)."""
