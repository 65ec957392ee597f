"""Node-pool security baselines (checkov/trivy/KICS): inline pools of a cluster and pool resources alike.

Each check takes one `Pool` (clusters.py), so the same body reads azure-native `agentPoolProfiles[]`/`AgentPool`
and classic `defaultNodePool`/`KubernetesClusterNodePool` in their own spelling.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from ._common import (
    MANAGED_CLUSTER,
    NO_CONFIG,
    RESOURCE_TYPE,
    Config,
    Props,
    each,
    get_bool,
    get_int,
    get_list,
    get_str,
)
from .clusters import CRITICAL_ADDONS_ONLY, Pool, node_pools
from .findings import bad

PoolCheck = Callable[[Pool, Config], list[str]]
DEFAULT_MIN_PODS: Final = 50


def encryption_at_host(pool: Pool, config: Config) -> list[str]:
    path = pool.shape.encryption_at_host
    value = get_bool(pool.props, path)
    return [] if value is True else bad(path, value, "set it to true")


def no_public_ip(pool: Pool, config: Config) -> list[str]:
    path = pool.shape.node_public_ip
    value = get_bool(pool.props, path)
    return bad(path, value, "set it to false; reach nodes through the VNet") if value is True else []


def system_taint(pool: Pool, config: Config) -> list[str]:
    if (pool.mode() or "").lower() != "system":
        return []
    taints = pool.taints()
    if CRITICAL_ADDONS_ONLY in taints:
        return []
    if pool.shape.critical_addons_only:
        path = pool.shape.critical_addons_only
        return bad(path, get_bool(pool.props, path), "set it to true so only critical pods land on the system pool")
    path = pool.shape.taints or "nodeTaints"
    listed = get_list(pool.props, path) if pool.shape.taints else None
    want = f"system pools carry {CRITICAL_ADDONS_ONLY} so only critical pods land there"
    return bad(path, None if listed is None else taints, want)


def ephemeral_os(pool: Pool, config: Config) -> list[str]:
    value = get_str(pool.props, "osDiskType")
    return [] if value == "Ephemeral" else bad("osDiskType", value, "use Ephemeral OS disks")


def max_pods(pool: Pool, config: Config) -> list[str]:
    value, minimum = get_int(pool.props, "maxPods"), int(config.get("minimum", DEFAULT_MIN_PODS))
    if value is not None and value < minimum:
        return bad("maxPods", value, f"allow at least {minimum} pods per node")
    return []


def scale_set(pool: Pool, config: Config) -> list[str]:
    if pool.shape.vm_set_type is None:
        return []  # the provider only makes scale sets
    value = get_str(pool.props, pool.shape.vm_set_type)
    return [] if value in (None, "VirtualMachineScaleSets") else bad("type", value, "use VirtualMachineScaleSets")


def for_pools(check: PoolCheck) -> Callable[[Props, Config], list[str]]:
    """A resource check running `check` on every pool the resource declares, naming the pool."""

    def run(props: Props, config: Config = NO_CONFIG) -> list[str]:
        pools = node_pools(props, str(config.get(RESOURCE_TYPE, MANAGED_CLUSTER)))
        return each(pools, lambda pool: [f"node pool {pool.label!r}: {m}" for m in check(pool, config)])

    return run
