"""The aks-istio Pulumi program: read the stack's config, validate it whole, build the platform, export.

The repository's `__main__.py` (what `pulumi up` runs) calls `main()`; the offline preview runs the same function
under mocks, from a checkout or from the installed package alike.
"""

from __future__ import annotations

import pulumi

from aks_istio.config import ConfigError, load_stack_config


def main() -> None:
    """Declare the stack's platform from its `aks-istio:platform` config object, or stop before declaring anything."""
    try:
        config = load_stack_config(pulumi.Config("aks-istio").get_object("platform"))
    except ConfigError as error:
        # Nothing has been declared yet: a bad stack file stops here with every problem listed.
        raise pulumi.RunError(str(error)) from None

    from aks_istio.platform import AksIstioPlatform, AksIstioPlatformArgs  # only once the config is valid

    stack_config = pulumi.Config("aks-istio")
    token_key = config.observability.grafana.dashboards_token_config_key
    token = stack_config.require_secret(token_key) if token_key is not None else None
    platform = AksIstioPlatform(
        config.cluster_name, AksIstioPlatformArgs(config=config, grafana_dashboards_token=token)
    )

    pulumi.export("resourceGroupName", platform.cluster.resource_group_name)
    pulumi.export("clusterName", platform.cluster.cluster_name)
    pulumi.export("clusterId", platform.cluster.cluster_id)
    pulumi.export("oidcIssuerUrl", platform.cluster.oidc_issuer_url)
    pulumi.export("meshRevisions", platform.revisions)
    pulumi.export("meshNamespaces", platform.namespaces)
    pulumi.export("kubeconfig", platform.cluster.kubeconfig)
