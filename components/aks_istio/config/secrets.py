"""Config values documented as secrets must reach the program as Pulumi secrets, and be there at all.

`pulumi config set --secret KEY VALUE` stores a value in the stack file as `KEY: {secure: <ciphertext>}`; the
engine decrypts it and the program reads it with `require_secret`. A plain `KEY: VALUE` would be committed to the
repository in clear text, and a missing one fails only after resources have been declared. Read offline from the
stack file, a secret is recognised by its `secure:` form and never decrypted.
https://www.pulumi.com/docs/iac/concepts/secrets/#secrets-in-configuration
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from aks_istio.config.stack import StackConfig, stack_file_object
from aks_istio.observability.values import ObservabilitySettings

PROJECT: Final = "aks-istio"
SECURE: Final = "secure"


def secret_keys(config: StackConfig) -> dict[str, str]:
    """The config keys (`aks-istio:<key>`) the stack reads as secrets -> the platform key that names each."""
    return _observability_secret_keys(config.observability)


def _observability_secret_keys(observability: ObservabilitySettings) -> dict[str, str]:
    keys: dict[str, str] = {}
    token = observability.grafana.dashboards_token_config_key
    if observability.enabled and observability.grafana.enabled and token is not None:
        keys[f"{PROJECT}:{token}"] = "observability.grafana.dashboardsTokenConfigKey"
    return keys


def secret_keys_of_invalid(raw: Any) -> dict[str, str]:
    """`secret_keys` of an `aks-istio:platform` object that is invalid elsewhere: read from its `observability`
    section alone (over its tier's preset) when that section is valid by itself, so that a plain-text or missing
    secret is reported together with the file's other problems, not only once they are fixed. Nothing when the
    section itself is invalid (its own problems are reported instead)."""
    if not isinstance(raw, Mapping):
        return {}
    from pydantic import TypeAdapter, ValidationError

    from aks_istio.config.invalid import ConfigError

    section = stack_file_object(raw).get("observability", {})
    try:
        observability = TypeAdapter(ObservabilitySettings).validate_python(section)
    except (ValidationError, ConfigError, ValueError, TypeError):
        return {}
    return _observability_secret_keys(observability)


def is_secure(value: Any) -> bool:
    """True for the stack file's encrypted form `{secure: <ciphertext>}`."""
    return isinstance(value, Mapping) and set(value) == {SECURE} and isinstance(value[SECURE], str)


def missing_secret(key: str, named_by: str) -> str:
    """The problem line for a secret the stack names (at `named_by`) but does not set."""
    short = key.split(":", 1)[1]
    return (
        f"{key}: required secret is missing (named by aks-istio:platform.{named_by}); "
        f"set it with `pulumi config set --secret {short} <value>`"
    )


def plain_text_secret(key: str) -> str:
    """The problem line for a secret key set in plain text."""
    return (
        f"{key}: is plain text, so it would be committed and stored unencrypted; allowed: a Pulumi secret "
        f"(`{SECURE}: <ciphertext>` in the stack file); set it with `pulumi config set --secret "
        f"{key.split(':', 1)[1]} <value>`"
    )


def problems_of_secrets(
    config: StackConfig, *, is_set: Callable[[str], bool], is_secret: Callable[[str], bool]
) -> list[str]:
    """One line per secret key the stack reads that is missing or not a secret; `is_set` and `is_secret` answer for
    a config key (`aks-istio:<key>`) from wherever the config comes: the stack file offline, the engine's config and
    secret keys under `pulumi up`. One wording for both."""
    return problems_of_secret_keys(secret_keys(config), is_set=is_set, is_secret=is_secret)


def problems_of_secret_keys(
    keys: Mapping[str, str], *, is_set: Callable[[str], bool], is_secret: Callable[[str], bool]
) -> list[str]:
    """`problems_of_secrets` of the secret keys `keys` (config key -> the platform key naming it)."""
    problems = []
    for key, named_by in keys.items():
        if not is_set(key):
            problems.append(missing_secret(key, named_by))
        elif not is_secret(key):
            problems.append(plain_text_secret(key))
    return problems


def secret_problems(keys: Mapping[str, str], stack_config: Mapping[str, Any]) -> list[str]:
    """`problems_of_secret_keys` of a stack file's `config:` block (a secret is its `{secure: <ciphertext>}` form)."""
    return problems_of_secret_keys(
        keys, is_set=lambda key: key in stack_config, is_secret=lambda key: is_secure(stack_config[key])
    )
