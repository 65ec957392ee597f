"""A component written the way the redesign (issue #11) writes every Args, served by the package's own host.

It exercises what the host adds to Pulumi's (dataclass Args rebuilt from Construct's dict, nested dataclasses,
enums, lists and maps of them, `__post_init__` checks) and what a caller must get back (a secret kubeconfig from
the library's own `user_kubeconfig`), through the real protocol, while the library's components still wait for
that redesign to be served themselves.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

import pulumi
from pulumi_azure_native import resources

from aks_istio.cluster.cluster import user_kubeconfig
from aks_istio.tokens import type_token


class Tier(Enum):
    """The cluster's SKU tier."""

    FREE = "Free"
    """No uptime SLA."""
    STANDARD = "Standard"
    """Uptime SLA."""


@dataclass(frozen=True, kw_only=True)
class PoolArgs:
    """One user node pool."""

    name: str
    """Pool name (lower-case letters and digits)."""
    max_count: int
    """Upper bound of the autoscaler."""
    min_count: int = 1
    """Lower bound of the autoscaler."""


@dataclass(frozen=True, kw_only=True)
class ProbeArgs:
    cluster_name: str
    """Name of the managed cluster."""
    resource_group_name: pulumi.Input[str]
    """Group the cluster lives in (another program's output may feed it)."""
    tier: Tier
    """SKU tier."""
    pools: Sequence[PoolArgs]
    """User node pools."""
    tags: Mapping[str, str] | None = None
    """Tags for every Azure resource; default none."""

    def __post_init__(self) -> None:
        for pool in self.pools:
            if pool.max_count < 1:
                raise ValueError(f"pools[{pool.name}].max_count: {pool.max_count} is below 1")


class Probe(pulumi.ComponentResource):
    """A resource group and the kubeconfig of the cluster named in it."""

    pool_names: pulumi.Output[list[str]]
    """Names of the pools, in order."""
    tier: pulumi.Output[str]
    """The SKU tier as given."""
    kubeconfig: pulumi.Output[str]
    """User kubeconfig, always secret."""

    def __init__(self, name: str, args: ProbeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("Probe"), name, None, opts)
        if not isinstance(args, ProbeArgs) or not isinstance(args.pools[0], PoolArgs):
            raise TypeError(f"expected ProbeArgs of PoolArgs, got {args!r}")
        group = resources.ResourceGroup(
            f"{name}-rg",
            resource_group_name=args.resource_group_name,
            tags=dict(args.tags or {}),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.pool_names = pulumi.Output.from_input([pool.name for pool in args.pools])
        self.tier = pulumi.Output.from_input(args.tier.value)
        self.kubeconfig = user_kubeconfig(args.resource_group_name, args.cluster_name, parent=group)
        self.register_outputs({"pool_names": self.pool_names, "tier": self.tier, "kubeconfig": self.kubeconfig})


@dataclass(frozen=True, kw_only=True)
class RefusedArgs:
    size: int | str
    """A union: Pulumi's schema inference refuses it."""


class Refused(pulumi.ComponentResource):
    """Args the inference refuses: the host names it on stderr and serves the others."""

    def __init__(self, name: str, args: RefusedArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("Refused"), name, None, opts)
