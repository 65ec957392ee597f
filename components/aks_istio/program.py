"""The aks-istio Pulumi program: read the stack's config, validate it whole, build the platform, export.

The repository's `__main__.py` (what `pulumi up` runs) calls `main()`; the offline preview runs the same function
under mocks, from a checkout or from the installed package alike.
"""

from __future__ import annotations

import pulumi

from aks_istio.config import ConfigError, load_stack_config
from aks_istio.config.presets import config_warnings
from aks_istio.config.secrets import problems_of_secrets, secret_keys


def main() -> None:
    """Declare the stack's platform from its `aks-istio:platform` config object, or stop before declaring anything."""
    settings = pulumi.Config("aks-istio")
    raw = settings.get_object("platform")
    try:
        config = load_stack_config(raw)
        # A secret the stack names but lacks, or holds in plain text, fails here, before any resource: the engine
        # says which config keys are secrets (`pulumi config set --secret`), so a plain value is refused as the
        # offline check refuses it, with the same words.
        problems = problems_of_secrets(
            config,
            is_set=lambda key: settings.get(key.split(":", 1)[1]) is not None,
            is_secret=pulumi.runtime.is_config_secret,
        )
        if problems:
            raise ConfigError(problems)
    except ConfigError as error:
        # Nothing has been declared yet: a bad stack file stops here with every problem listed.
        raise pulumi.RunError(str(error)) from None

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
