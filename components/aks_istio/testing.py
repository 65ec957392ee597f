"""Unit-test helpers for programs built on aks_istio: Pulumi mocks that answer what the components ask Azure.

The components call provider functions while they are declared (azure-native `getClientConfig` for the
subscription and tenant, `listManagedClusterUserCredentials` for the kubeconfig behind the Kubernetes provider,
`getGrafana` for an existing Grafana). Pulumi's own mocks answer none of them, so a library user's test would
fail or hang. `AksIstioMocks` answers them with fixed, fake values, gives resources ARM-shaped ids and the few
computed outputs the components read (principal ids, the Grafana endpoint, the OIDC issuer), and records what
was declared, so a test runs in about a second with no Azure and no Pulumi CLI. README.md, "Use as a library",
shows a whole test (and tests/components/test_testing.py runs exactly that text).

An unmocked provider function raises (NotImplementedError naming it) rather than returning nothing.
"""

from collections.abc import Sequence
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks

from aks_istio.offline.capture import AzureMocks
from aks_istio.offline.program_harness import FAKE_KUBECONFIG, FAKE_SUBSCRIPTION, FAKE_TENANT

__all__ = ["FAKE_KUBECONFIG", "FAKE_SUBSCRIPTION", "FAKE_TENANT", "AksIstioMocks"]


class AksIstioMocks(AzureMocks):
    """Pulumi mocks for aks_istio components: answers their provider-function calls and records every resource.

    `preview=True` in `install` runs as `pulumi preview` does (computed outputs unknown); the default runs as
    `pulumi up` would, with ids and computed fields filled in.
    """

    def __init__(self) -> None:
        super().__init__(computed=True)
        self.resources: list[pulumi_mocks.MockResourceArgs] = []
        """Every resource declared so far, in order (type `typ`, logical `name`, `inputs`)."""

    @classmethod
    def install(cls, *, project: str = "test", stack: str = "test", preview: bool = False) -> "AksIstioMocks":
        """Create the mocks and make them Pulumi's (`pulumi.runtime.set_mocks`); returns them."""
        mocks = cls()
        pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=preview)
        return mocks

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.resources.append(args)
        return super().new_resource(args)

    def declared(self, type_token: str) -> Sequence[pulumi_mocks.MockResourceArgs]:
        """The resources declared so far of one type, e.g. `azure-native:containerservice:ManagedCluster`."""
        return [resource for resource in self.resources if resource.typ == type_token]
