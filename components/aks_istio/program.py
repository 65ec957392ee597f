"""The aks-istio Pulumi program: read the stack's config, validate it whole, build the platform, export.

The repository's `__main__.py` (what `pulumi up` runs) calls `main()`; the offline preview runs the same function
under mocks, from a checkout or from the installed package alike.
"""

from __future__ import annotations

import pulumi

from aks_istio.config import ConfigError, load_stack_config
from aks_istio.config.secrets import missing_secret, secret_keys


def main() -> None:
    """Declare the stack's platform from its `aks-istio:platform` config object, or stop before declaring anything."""
    settings = pulumi.Config("aks-istio")
    raw = settings.get_object("platform")
    try:
        config = load_stack_config(raw)
        # A secret the stack names but lacks fails here, before any resource, not halfway through the program.
        secrets = secret_keys(config)
        missing = [
            missing_secret(key, named_by)
            for key, named_by in secrets.items()
            if settings.get(key.split(":", 1)[1]) is None
        ]
        if missing:
            raise ConfigError(missing)
    except ConfigError as error:
        # Nothing has been declared yet: a bad stack file stops here with every problem listed.
        raise pulumi.RunError(str(error)) from None

    from aks_istio.platform import AksIstioPlatform, AksIstioPlatformArgs  # only once the config is valid

    token_key = config.observability.grafana.dashboards_token_config_key
    token = settings.require_secret(token_key) if token_key and f"aks-istio:{token_key}" in secrets else None
    args = AksIstioPlatformArgs(platform=config, grafana_dashboards_token=token)  # validated once, above
    platform = AksIstioPlatform(config.cluster_name, args)

    pulumi.export("resourceGroupName", platform.cluster.resource_group_name)
    pulumi.export("clusterName", platform.cluster.cluster_name)
    pulumi.export("clusterId", platform.cluster.cluster_id)
    pulumi.export("oidcIssuerUrl", platform.cluster.oidc_issuer_url)
    pulumi.export("meshRevisions", platform.revisions)
    pulumi.export("meshNamespaces", platform.namespaces)
    pulumi.export("kubeconfig", platform.kubeconfig)
