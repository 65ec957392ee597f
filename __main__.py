"""The aks-istio Pulumi program: read the stack's config, validate it whole, build the platform, export."""

import gc

from components import _sdk_imports

_sdk_imports.install()  # before any provider SDK loads: import only the resource modules we use

import pulumi  # noqa: E402

from components.config import ConfigError, load_stack_config  # noqa: E402

try:
    config = load_stack_config(pulumi.Config("aks-istio").get_object("platform"))
except ConfigError as error:
    # Nothing has been declared yet: a bad stack file stops here with every problem listed.
    raise pulumi.RunError(str(error)) from None

from components.platform import AksIstioPlatform, AksIstioPlatformArgs  # noqa: E402  (only once the config is valid)

# A Pulumi program is one short-lived process whose objects (provider SDK classes, outputs) live until it
# exits: the cyclic GC would rescan them again and again for nothing, which costs more than half the run.
gc.disable()

platform = AksIstioPlatform(config.cluster_name, AksIstioPlatformArgs(config=config))

pulumi.export("resourceGroupName", platform.cluster.resource_group_name)
pulumi.export("clusterName", platform.cluster.cluster_name)
pulumi.export("clusterId", platform.cluster.cluster_id)
pulumi.export("oidcIssuerUrl", platform.cluster.oidc_issuer_url)
pulumi.export("meshRevisions", platform.revisions)
pulumi.export("meshNamespaces", platform.namespaces)
pulumi.export("kubeconfig", platform.cluster.kubeconfig)
