"""Which cluster a component's Kubernetes objects go to: the provider its Args name, never an ambient one.

Left to itself, Pulumi sends a Kubernetes object through whatever provider the parent's options happen to carry,
else through the default provider, which deploys to the cluster the current kubeconfig context names: a mesh
ConfigMap meant for one cluster lands on another and nothing says so. So every component that declares Kubernetes
objects takes the provider as a required Args field (`kubernetes_provider`; a resource reference in the component
package's schema, so every language passes one) and refuses to run without one, before anything is declared.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Final

import pulumi

from aks_istio.value_checks import InvalidValueError, Problem

FIELD: Final = "kubernetes_provider"
"""The Args field of every Kubernetes-declaring component."""
PACKAGE: Final = "kubernetes"
"""`ProviderResource.package` of a Kubernetes provider (pulumi_kubernetes.Provider, or another language's)."""
REQUIRED: Final = "required"
"""Field metadata key: the schema keeps the field required although Python gives it a default (so that leaving it
out is our error naming what to pass, not the dataclass's bare "missing argument")."""
WHAT_TO_PASS: Final = (
    "the pulumi_kubernetes.Provider of the cluster these objects go to: AksIstioCluster.k8s_provider, or a Provider "
    "of your own built from that cluster's kubeconfig (aks-istio never falls back to the default provider, which "
    "deploys to whatever cluster the local kubeconfig's current context names)"
)


def kubernetes_provider_field() -> Any:
    """The `kubernetes_provider` field of an Args dataclass: required in every language's schema; in Python its
    absence is refused by `kubernetes_provider_problem` with what to pass."""
    return dataclasses.field(default=None, metadata={REQUIRED: True})


def kubernetes_provider_problem(value: object) -> str | None:
    """Why `value` cannot be a component's Kubernetes provider, or None when it can."""
    if value is None:
        return f"{FIELD}: missing; pass {WHAT_TO_PASS}"
    if isinstance(value, pulumi.ProviderResource) and getattr(value, "package", None) == PACKAGE:
        return None
    if isinstance(value, pulumi.Output):
        return f"{FIELD}: an Output cannot choose where resources go; pass the Provider resource itself: {WHAT_TO_PASS}"
    found = f"a provider for {value.package}" if isinstance(value, pulumi.ProviderResource) else type(value).__name__
    return f"{FIELD}: {found} is not a Kubernetes provider; pass {WHAT_TO_PASS}"


def check_kubernetes_provider(args: object) -> None:
    """Raise InvalidValueError (a ValueError naming the Args class and the field) unless `args.kubernetes_provider`
    is a Kubernetes provider; Args call it from `__post_init__`, so a component never starts without one."""
    problem = kubernetes_provider_problem(getattr(args, FIELD, None))
    if problem is not None:
        raise InvalidValueError(type(args).__name__, [Problem((FIELD,), problem.removeprefix(f"{FIELD}: "))])


def with_kubernetes_provider(
    opts: pulumi.ResourceOptions | None, provider: pulumi.Input[pulumi.ProviderResource]
) -> pulumi.ResourceOptions:
    """A component's own options with `provider` for all its Kubernetes children (it wins over any Kubernetes
    provider the caller's options carry)."""
    assert isinstance(provider, pulumi.ProviderResource)  # the Args checked it
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(providers=[provider]))
