"""The aks-istio Pulumi program: read the stack's config, validate it whole, build the platform, export.

The repository's `__main__.py` (what `pulumi up` runs) calls `main()`; the offline preview runs the same function
under mocks, from a checkout or from the installed package alike.
"""

from __future__ import annotations

import pulumi

from aks_istio.config import ConfigError, load_stack_config
from aks_istio.config.presets import config_warnings
from aks_istio.config.secrets import problems_of_secret_keys, problems_of_secrets, secret_keys, secret_keys_of_invalid


def main() -> None:
    """Declare the stack's platform from its `aks-istio:platform` config object, or stop before declaring anything."""
    settings = pulumi.Config("aks-istio")
    raw = settings.get_object("platform")

    def is_set(key: str) -> bool:
        return settings.get(key.split(":", 1)[1]) is not None

    # Nothing is declared before the config is valid: a bad stack file stops here with every problem listed. A
    # secret the stack names but lacks, or holds in plain text, is among them (even beside other mistakes): the
    # engine says which config keys are secrets (`pulumi config set --secret`), so a plain value is refused as the
    # offline check refuses it, with the same words.
    try:
        config = load_stack_config(raw)
    except ConfigError as error:
        keys = secret_keys_of_invalid(raw)
        secrets = problems_of_secret_keys(keys, is_set=is_set, is_secret=pulumi.runtime.is_config_secret)
        raise pulumi.RunError(str(ConfigError(error.problems + secrets))) from None
    problems = problems_of_secrets(config, is_set=is_set, is_secret=pulumi.runtime.is_config_secret)
    if problems:
        raise pulumi.RunError(str(ConfigError(problems)))

    for warning in config_warnings(config):
        pulumi.log.warn(warning)
    from aks_istio.platform import AksIstioPlatform, AksIstioPlatformArgs  # only once the config is valid

    token_key = config.observability.grafana.dashboards_token_config_key
    token = (
        settings.require_secret(token_key) if token_key and f"aks-istio:{token_key}" in secret_keys(config) else None
    )
    args = AksIstioPlatformArgs(platform=config, grafana_dashboards_token=token)  # validated once, above
    platform = AksIstioPlatform(config.cluster_name, args)

    pulumi.export("resourceGroupName", platform.cluster.resource_group_name)
    pulumi.export("clusterName", platform.cluster.cluster_name)
    pulumi.export("clusterId", platform.cluster.cluster_id)
    pulumi.export("oidcIssuerUrl", platform.cluster.oidc_issuer_url)
    pulumi.export("meshRevisions", platform.revisions)
    pulumi.export("meshNamespaces", platform.namespaces)
    pulumi.export("kubeconfig", platform.kubeconfig)
