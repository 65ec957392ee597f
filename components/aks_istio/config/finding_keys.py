"""Which stack key controls each policy finding: the pack speaks ARM and Kubernetes property paths (it judges
foreign programs too); a user of our stacks edits `aks-istio:platform`. One table, beside the config models it
names, so the text, JSON and SARIF outputs all place a finding on the same key and line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from aks_istio.config.stack import StackConfig

# policy name -> the key path under aks-istio:platform that turns the finding off (or on); None for policies on
# resources our stacks never declare (another program's Istio resources), whose findings have no stack key.
FINDING_KEYS: Final[Mapping[str, str | None]] = {
    "envoyfilter-supported-types-only": None,
    "istio-no-blocked-custom-resources": None,
    "istio-no-self-managed-install": None,
    # The pack's own policies: its settings (never a finding), and its reporters: a program without a cluster, a
    # rule that raised (a pack bug, not a stack key).
    "pack-settings": None,
    "stack-istio-addon-target-declared": None,
    "pack-resource-rule-raised": None,
    "pack-stack-rule-raised": None,
    # Traffic analysis: our stacks declare Istio traffic objects for egress (gateways.egress) and mesh policies
    # (mesh.namespaces); Services, selectors and TLS origination belong to application programs.
    "gateway-serves-traffic": "gateways.egress",
    "route-attaches-to-gateway": "gateways.egress",
    "mesh-policy-applies": "mesh.namespaces",
    "traffic-references-declared": "gateways.egress",
    "traffic-config-explicit": None,
    "managedcluster-no-osm-with-istio": "cluster",
    "managedcluster-no-virtual-nodes-with-istio": "cluster",
    "managedcluster-istio-revision-pinned": "mesh.revision",
    "managedcluster-istio-revision-lifecycle": "mesh.revision",
    "managedcluster-istio-revision-upgrade-distance": "mesh.upgrade",
    "managedcluster-istio-revision-kubernetes-compatible": "mesh.revision",
    "managedcluster-ingress-gateway-count": "gateways.ingress",
    "managedcluster-plugin-ca-complete": "mesh.pluginCa",
    "managedcluster-egress-gateway-prerequisites": "gateways.egress",
    "managedcluster-egress-gateway-resources": "gateways.egress",
    "managedcluster-gateway-api-prerequisites": "gateways",
    "gateway-istio-class-requires-managed-gateway-api": "gateways",
    "managedcluster-no-windows-pools-with-istio": "cluster.userPools",
    "agentpool-no-windows-with-istio": "cluster.userPools",
    "namespace-no-istio-injection-label": "mesh.namespaces",
    "namespace-revision-runs-on-cluster": "mesh.namespaces",
    "peerauthentication-no-permissive-mtls": "mesh.namespaces",
    "peerauthentication-mesh-wide-strict": "mesh.namespaces",
    "gateway-service-allowed-annotations-only": "gateways.ingress",
    "gateway-service-no-port-protocol-changes": "gateways.ingress",
    "gateway-hpa-min-replicas": "gateways.ingress",
    "ingressgateway-external-source-restricted": "gateways.ingress.external.allowedServiceTags",
    "gateway-api-customization-allowlisted-fields": "gateways",
    "meshconfig-allowed-fields-only": "mesh.meshConfig.fields",
    "meshconfig-supported-fields-only": "mesh.meshConfig.fields",
    "meshconfig-no-default-configmap-edits": "mesh.meshConfig",
    "managedcluster-prometheus-has-dcr-association": "observability.enabled",
    "managedcluster-rbac-enabled": "cluster.entra",
    "managedcluster-local-accounts-disabled": "cluster.entra",
    "managedcluster-private-api-server": "cluster.apiServer.privateCluster",
    "managedcluster-api-authorized-ip-ranges": "cluster.apiServer.authorizedIpRanges",
    "managedcluster-network-policy": "cluster.network.networkPolicy",
    "managedcluster-azure-policy-addon": "cluster.azurePolicy",
    "managedcluster-disk-encryption-set": "cluster.diskEncryptionSetId",
    "agentpool-encryption-at-host": "cluster.userPools",
    "managedcluster-azure-monitor": "observability.enabled",
    "managedcluster-defender-enabled": "cluster.defenderWorkspaceId",
    "agentpool-no-node-public-ip": "cluster.userPools",
    "managedcluster-upgrade-channel": "cluster.upgrade.channel",
    "managedcluster-paid-sku": "cluster.tier",
    "agentpool-system-pool-critical-addons-only": "cluster.systemPool",
    "agentpool-ephemeral-os-disk": "cluster.userPools",
    "agentpool-max-pods": "cluster.userPools",
    "agentpool-scale-set": "cluster.userPools",
    "managedcluster-azure-cni": "cluster.network",
    # Set by the cluster component whatever the stack says (no key turns them off): the finding points at the
    # cluster section, and one on our stacks means a component bug.
    "managedcluster-managed-identity": "cluster",
    "managedcluster-http-application-routing-disabled": "cluster",
    "managedcluster-kube-dashboard-disabled": "cluster",
    "managedcluster-secret-rotation": "mesh.pluginCa.rotationPollInterval",
}


def stack_key(policy: str, resource: str, config: StackConfig | None = None) -> str | None:
    """The key path (under aks-istio:platform) controlling `policy`'s finding on the resource named `resource`;
    narrowed to one list item (`cluster.userPools[1]`, `mesh.namespaces[0]`) when the resource is named after it.
    None for a policy the table does not know (a finding on a resource our stacks do not declare)."""
    key = FINDING_KEYS.get(policy)
    if key is None or config is None:
        return key
    items = _named_items(config).get(key, ())
    segments = resource.split("-")
    for index, name in enumerate(items):
        parts = name.split("-")
        if any(segments[i : i + len(parts)] == parts for i in range(len(segments))):
            return f"{key}[{index}]"
    if key == "cluster.userPools" and config.cluster.system_pool and config.cluster.system_pool.name in segments:
        return "cluster.systemPool"
    return key


def _named_items(config: StackConfig) -> dict[str, Sequence[str]]:
    return {
        "cluster.userPools": [p.name for p in config.cluster.user_pools],
        "mesh.namespaces": [n.name for n in config.mesh.namespaces],
    }
