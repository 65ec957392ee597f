"""Deployment critical path: the longest chain of the declared resource graph, weighted by typical Azure
operation times, against the serial sum a CLI script (one `az` call after another) pays.

The graph is what the engine schedules from: each resource's dependencies (explicit and through its inputs) and
its provider. Target: the critical path stays within 10% of the cluster create itself — nothing slow waits on
something it does not need.

"The cluster create itself" is the cluster plus its node pools: AKS refuses new pools through the cluster
resource ("A new agent pool was introduced. Adding agent pools to an existing cluster is not allowed through
managed cluster operations", pulumi/pulumi-azure-native#579, #2719), so user pools are separate AgentPool
resources, and one pool create necessarily follows the cluster create. Both ratios are printed. Writes
benchmarks/results/critical_path_<stack>.json.

    python benchmarks/critical_path.py [--stack prod]
"""

from __future__ import annotations

import argparse
from typing import Final

from _common import write

# Typical create times in seconds. These are planning estimates, not measurements of ours: where Microsoft
# states a duration it is cited; the rest are the order of magnitude ARM long-running operations usually take
# (role assignments include the propagation wait that makes a fresh grant usable).
WEIGHTS_S: Final[dict[str, float]] = {
    # "It takes a few minutes to create the cluster" (Microsoft Learn, AKS quickstarts); 5-10 min is typical.
    "azure-native:containerservice:ManagedCluster": 420,
    # Adding a node pool provisions a VM scale set: minutes (AKS docs, "Create node pools").
    "azure-native:containerservice:AgentPool": 240,
    "azure-native:containerservice:MaintenanceConfiguration": 5,
    # Managed Grafana workspace provisioning: several minutes (Azure Managed Grafana quickstart).
    "azure-native:dashboard:Grafana": 300,
    "azure-native:monitor:AzureMonitorWorkspace": 60,
    "azure-native:monitor:DataCollectionEndpoint": 10,
    "azure-native:monitor:DataCollectionRule": 10,
    "azure-native:monitor:DataCollectionRuleAssociation": 5,
    "azure-native:monitor:ActionGroup": 10,
    "azure-native:alertsmanagement:PrometheusRuleGroup": 10,
    "azure-native:keyvault:Vault": 30,
    "azure-native:keyvault:Secret": 3,
    "azure-native:authorization:RoleAssignment": 20,
    "azure-native:managedidentity:UserAssignedIdentity": 5,
    "azure-native:network:VirtualNetwork": 10,
    "azure-native:network:Subnet": 5,
    "azure-native:network:PublicIPAddress": 10,
    "azure-native:resources:ResourceGroup": 3,
    # A private endpoint provisions a NIC and its private-link connection: about a minute; private DNS zones and
    # VNet links are global resources that take tens of seconds (order of magnitude, as above).
    "azure-native:network:PrivateEndpoint": 60,
    "azure-native:network:PrivateDnsZoneGroup": 10,
    "azure-native:privatedns:PrivateZone": 30,
    "azure-native:privatedns:VirtualNetworkLink": 30,
}
KUBERNETES_OBJECT_S: Final = 2.0
OTHER_S: Final = 0.0  # components, providers, tls/random: local work
CLUSTER = "azure-native:containerservice:ManagedCluster"
POOL = "azure-native:containerservice:AgentPool"


def weight(type_: str) -> float:
    if type_ in WEIGHTS_S:
        return WEIGHTS_S[type_]
    if type_.startswith("kubernetes:"):
        return KUBERNETES_OBJECT_S
    if type_.startswith("azure-native:"):
        return 10.0
    return OTHER_S


def analyse(stack: str) -> dict[str, object]:
    from aks_istio.offline.capture import run_program
    from aks_istio.offline.stack_files import stack_config

    capture = run_program(stack, stack_config(stack), preview=False, computed=True)
    resources = {r.urn: r for r in capture.resources}
    edges: dict[str, set[str]] = {}
    for r in capture.resources:
        deps = {d for d in r.dependencies if d in resources}
        provider = r.provider.rsplit("::", 1)[0] if r.provider else ""
        if provider in resources:
            deps.add(provider)
        edges[r.urn] = deps

    finish: dict[str, float] = {}
    via: dict[str, str | None] = {}

    def earliest_finish(urn: str) -> float:
        if urn not in finish:
            start, before = 0.0, None
            for dep in edges[urn]:
                if earliest_finish(dep) > start:
                    start, before = finish[dep], dep
            finish[urn] = start + weight(resources[urn].type)
            via[urn] = before
        return finish[urn]

    for urn in resources:
        earliest_finish(urn)
    end = max(finish, key=lambda u: finish[u])
    path: list[str] = []
    cursor: str | None = end
    while cursor is not None:
        path.append(cursor)
        cursor = via[cursor]
    path.reverse()
    clusters = [r for r in capture.resources if r.type == CLUSTER]
    cluster_s = weight(CLUSTER) if clusters else 0.0
    pools = [r for r in capture.resources if r.type == POOL]
    floor_s = cluster_s + (weight(POOL) if pools else 0.0)
    serial = sum(weight(r.type) for r in capture.resources)
    critical = finish[end]
    return {
        "stack": stack,
        "resources": len(resources),
        "cluster_create_s": cluster_s,
        "critical_path_s": critical,
        "serial_sum_s": serial,
        "critical_over_cluster": round(critical / cluster_s, 3) if cluster_s else None,
        "cluster_with_pools_s": floor_s,
        "critical_over_cluster_with_pools": round(critical / floor_s, 3) if floor_s else None,
        "path": [f"{resources[u].type} {resources[u].name} (+{weight(resources[u].type):g}s)" for u in path],
        "weights_s": WEIGHTS_S,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="prod")
    args = parser.parse_args()
    result = analyse(args.stack)
    ratio = result["critical_over_cluster_with_pools"]
    print(f"stack {result['stack']}: {result['resources']} resources")
    print(f"  cluster create      {result['cluster_create_s']:7.0f} s")
    print(f"  cluster + its pools {result['cluster_with_pools_s']:7.0f} s  (a pool can only follow the cluster)")
    print(
        f"  critical path       {result['critical_path_s']:7.0f} s  ({ratio}x cluster + pools, "
        f"{result['critical_over_cluster']}x the cluster alone)"
    )
    print(f"  serial sum (a CLI)  {result['serial_sum_s']:7.0f} s")
    print("  path:")
    for step in result["path"]:  # type: ignore[attr-defined]
        print(f"    {step}")
    met = isinstance(ratio, float) and ratio <= 1.10
    print(f"target (critical path <= 1.10x the cluster create with its pools): {'met' if met else 'NOT met'}")
    print("wrote", write(f"critical_path_{args.stack}", {**result, "target_met": met}))


if __name__ == "__main__":
    main()
