"""Node pools on a mesh cluster: the add-on does not support Windows Server containers (https://learn.microsoft.com/azure/aks/istio-about).

Both providers: the inline pools of a ManagedCluster or KubernetesCluster (a resource rule: the cluster says itself
whether it runs the mesh), and AgentPool or KubernetesClusterNodePool resources (a stack rule: the pool's mesh is its
cluster's, found by dependency; a pool of a cluster outside the program follows `clusterRunsIstioAddon`,
pack-wide in `pack-settings` or this rule's own).
"""

from __future__ import annotations

from typing import Final

from pulumi_policy import Severity

from aks_istio.addon import support_matrix as sm

from ._common import DOCS, NO_CONFIG, RESOURCE_TYPE, Config, Props, decided
from .addon_target import OVERRIDE, Target, route, target
from .clusters import CLUSTER_KINDS, POOL_KINDS, Pool, istio_enabled, node_pools, shape_of
from .deferred import Finding
from .factories import Meta, StackRequest, resource_policy, stack_request_policy
from .stack import linked, of_kind

TAGS: Final = ("aks", "istio", "node-pools")
WINDOWS_REMEDIATION: Final = (
    "Keep Windows workloads on a separate cluster without the mesh, or drop the Windows pool; the add-on only "
    "injects and runs proxies on Linux nodes."
)


def _windows_problem(pool: Pool) -> list[str]:
    os_type = pool.os_type()
    if os_type is not None and os_type in sm.UNSUPPORTED_OS_TYPES:
        return [f"node pool {pool.label!r} has osType {os_type!r}: {WINDOWS_REMEDIATION}"]
    return []


def check_no_inline_windows_pools(props: Props, config: Config = NO_CONFIG) -> list[str]:
    if not istio_enabled(props):
        return []
    resource_type = str(config.get(RESOURCE_TYPE, ""))
    where = shape_of(resource_type).inline_pools
    return [f"{where}: {m}" for pool in node_pools(props, resource_type) for m in _windows_problem(pool)]


def check_no_windows_pools(request: StackRequest) -> list[Finding]:
    """A Windows pool is stopped when its cluster may run the mesh; a pool linked to no cluster of the program
    follows the add-on target setting."""
    clusters = of_kind(request.resources, CLUSTER_KINDS)
    findings: list[Finding] = []
    unowned: list[Finding] = []
    for pool in of_kind(request.resources, POOL_KINDS):
        owners = [c for c in clusters if linked(pool, c, clusters)]
        if owners and not any(decided(istio_enabled, c.props, True) for c in owners):
            continue
        found = request.each([pool], lambda p: [m for x in node_pools(p.props, p.type) for m in _windows_problem(x)])
        (findings if owners else unowned).extend(found)
    where = target([], request)  # the setting alone: these pools' cluster is not in the program
    if where is Target.UNCONFIRMED and clusters:
        where = Target.ADDON  # the program declares clusters, yet links the pool to none: never a false pass
    return findings + route(request, unowned, where)


INLINE = resource_policy(
    Meta(
        "managedcluster-no-windows-pools-with-istio",
        "A cluster with the Istio add-on declares no Windows node pools inline.",
        Severity.HIGH,
        WINDOWS_REMEDIATION,
        DOCS + "istio-about",
        TAGS,
    ),
    CLUSTER_KINDS,
    check_no_inline_windows_pools,
)
AGENT_POOLS = stack_request_policy(
    Meta(
        "agentpool-no-windows-with-istio",
        "An AgentPool or KubernetesClusterNodePool on a cluster with the Istio add-on is not a Windows pool.",
        Severity.HIGH,
        WINDOWS_REMEDIATION + " A pool of a cluster outside the program follows pack-settings' clusterRunsIstioAddon.",
        DOCS + "istio-about",
        TAGS,
        config=OVERRIDE,
    ),
    check_no_windows_pools,
)

POLICIES: Final = (INLINE, AGENT_POOLS)
