"""Node pools on a mesh cluster: the add-on does not support Windows Server containers (AKSDOCS istio-about.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from pulumi_policy import Severity

from aks_istio.addon import support_matrix as sm

from ._common import (
    AGENT_POOL,
    DOCS,
    MANAGED_CLUSTER,
    NO_CONFIG,
    Config,
    Finding,
    Meta,
    Props,
    StackResource,
    decided,
    each,
    get_str,
    istio_enabled,
    linked,
    node_pools,
    of_kind,
    pool_label,
    resource_policy,
    stack_policy,
)

TAGS: Final = ("aks", "istio", "node-pools")
WINDOWS_REMEDIATION: Final = (
    "Keep Windows workloads on a separate cluster without the mesh, or drop the Windows pool; the add-on only "
    "injects and runs proxies on Linux nodes."
)


def _windows_problem(pool: object) -> list[str]:
    os_type = get_str(pool, "osType")
    if os_type is not None and os_type in sm.UNSUPPORTED_OS_TYPES:
        return [f"node pool {pool_label(pool)!r} has osType {os_type!r}: {WINDOWS_REMEDIATION}"]
    return []


def check_no_inline_windows_pools(props: Props, config: Config = NO_CONFIG) -> list[str]:
    if not istio_enabled(props):
        return []
    return [f"agentPoolProfiles: {m}" for m in each(node_pools(props, MANAGED_CLUSTER), _windows_problem)]


def check_no_windows_agent_pools(resources: Sequence[StackResource], config: Config = NO_CONFIG) -> list[Finding]:
    """A Windows AgentPool is stopped unless its cluster is in this program and provably runs no mesh."""
    clusters = of_kind(resources, (MANAGED_CLUSTER,))
    findings: list[Finding] = []
    for pool in of_kind(resources, (AGENT_POOL,)):
        owners = [c for c in clusters if linked(pool, c, clusters)]
        if owners and not any(decided(istio_enabled, c.props, True) for c in owners):
            continue
        findings.extend((pool.urn, message) for message in each([pool.props], _windows_problem))
    return findings


INLINE = resource_policy(
    Meta(
        "managedcluster-no-windows-pools-with-istio",
        "A cluster with the Istio add-on declares no Windows node pools inline.",
        Severity.HIGH,
        WINDOWS_REMEDIATION,
        DOCS + "istio-about",
        TAGS,
    ),
    (MANAGED_CLUSTER,),
    check_no_inline_windows_pools,
)
AGENT_POOLS = stack_policy(
    Meta(
        "agentpool-no-windows-with-istio",
        "An AgentPool on a cluster with the Istio add-on is not a Windows pool.",
        Severity.HIGH,
        WINDOWS_REMEDIATION + " Pools of clusters outside this program are assumed to be mesh clusters; waive "
        "the policy for a pool of a cluster without the mesh.",
        DOCS + "istio-about",
        TAGS,
    ),
    check_no_windows_agent_pools,
)

POLICIES: Final = (INLINE, AGENT_POOLS)
