"""The aks-istio Pulumi program: read the stack's config, validate it whole, build the platform, export.

The repository's `__main__.py` (what `pulumi up` runs) calls `main()`; the offline preview runs the same function
under mocks, from a checkout or from the installed package alike.
"""

from __future__ import annotations

import pulumi

from aks_istio.config import ConfigError, load_stack_config
from aks_istio.config.secrets import secret_keys


def main() -> None:
    """Declare the stack's platform from its `aks-istio:platform` config object, or stop before declaring anything."""
    settings = pulumi.Config("aks-istio")
    try:
        config = load_stack_config(settings.get_object("platform"))
        # A secret the stack names but lacks fails here, before any resource, not halfway through the program.
        missing = [key for key in secret_keys(config) if settings.get(key.split(":", 1)[1]) is None]
        if missing:
            raise ConfigError(
                [f"{key}: required secret is missing; set it with `pulumi config set --secret`" for key in missing]
            )
    except ConfigError as error:
        # Nothing has been declared yet: a bad stack file stops here with every problem listed.
        raise pulumi.RunError(str(error)) from None

    from aks_istio.platform import AksIstioPlatform, AksIstioPlatformArgs  # only once the config is valid

    platform = AksIstioPlatform(config.cluster_name, AksIstioPlatformArgs(config=config))

    pulumi.export("resourceGroupName", platform.cluster.resource_group_name)
    pulumi.export("clusterName", platform.cluster.cluster_name)
    pulumi.export("clusterId", platform.cluster.cluster_id)
    pulumi.export("oidcIssuerUrl", platform.cluster.oidc_issuer_url)
    pulumi.export("meshRevisions", platform.revisions)
    pulumi.export("meshNamespaces", platform.namespaces)
    pulumi.export("kubeconfig", platform.cluster.kubeconfig)
