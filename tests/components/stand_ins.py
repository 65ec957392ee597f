"""Stand-ins for what Args construction checks but never uses: no Pulumi runtime needed to build them."""

from typing import Any

import pulumi

from aks_istio.kubernetes_provider import PACKAGE


def kubernetes_provider() -> Any:
    """A Kubernetes provider object that never reaches Pulumi's runtime (Args check its kind, nothing more)."""
    provider = object.__new__(pulumi.ProviderResource)
    provider.package = PACKAGE
    return provider
