"""One known-good fixture per resource kind (compliance-policies `resource.ts` style); tests mutate one field."""

from __future__ import annotations

import copy
from typing import Any

MANAGED_CLUSTER = "azure-native:containerservice:ManagedCluster"
MANAGED_CLUSTER_VERSIONED = "azure-native:containerservice/v20250901:ManagedCluster"
AGENT_POOL = "azure-native:containerservice:AgentPool"
NAMESPACE = "kubernetes:core/v1:Namespace"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
SERVICE_PATCH = "kubernetes:core/v1:ServicePatch"
SERVICE = "kubernetes:core/v1:Service"
HPA_PATCH = "kubernetes:autoscaling/v2:HorizontalPodAutoscalerPatch"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
PEER_AUTHENTICATION = "kubernetes:security.istio.io/v1:PeerAuthentication"
ENVOY_FILTER = "kubernetes:networking.istio.io/v1alpha3:EnvoyFilter"
WASM_PLUGIN = "kubernetes:extensions.istio.io/v1alpha1:WasmPlugin"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
CRD = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"
GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
SGC = "kubernetes:egressgateway.kubernetes.azure.com/v1alpha1:StaticGatewayConfiguration"
DCRA = "azure-native:monitor:DataCollectionRuleAssociation"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET_SIG = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}

SYSTEM_POOL: dict[str, Any] = {
    "name": "system",
    "mode": "System",
    "osType": "Linux",
    "type": "VirtualMachineScaleSets",
    "vmSize": "Standard_D4ds_v5",
    "osDiskType": "Ephemeral",
    "maxPods": 110,
    "enableEncryptionAtHost": True,
    "enableNodePublicIP": False,
    "nodeTaints": ["CriticalAddonsOnly=true:NoSchedule"],
}
CLUSTER: dict[str, Any] = {
    "resourceName": "aks",
    "kubernetesVersion": "1.34",
    "enableRBAC": True,
    "disableLocalAccounts": True,
    "sku": {"name": "Base", "tier": "Standard"},
    "identity": {"type": "UserAssigned"},
    "diskEncryptionSetID": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/diskEncryptionSets/des",
    "apiServerAccessProfile": {"enablePrivateCluster": True},
    "autoUpgradeProfile": {"upgradeChannel": "stable"},
    "securityProfile": {"defender": {"securityMonitoring": {"enabled": True}}},
    "azureMonitorProfile": {"metrics": {"enabled": True}},
    "networkProfile": {"networkPlugin": "azure", "networkPluginMode": "overlay", "networkPolicy": "cilium"},
    "addonProfiles": {
        "azurepolicy": {"enabled": True},
        "azureKeyvaultSecretsProvider": {"enabled": True, "config": {"enableSecretRotation": "true"}},
    },
    "agentPoolProfiles": [SYSTEM_POOL],
    "serviceMeshProfile": {
        "mode": "Istio",
        "istio": {
            "revisions": ["asm-1-30"],
            "components": {"ingressGateways": [{"mode": "Internal", "enabled": True}]},
            "certificateAuthority": {
                "plugin": {
                    "keyVaultId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
                    "certObjectName": "ca-cert",
                    "keyObjectName": "ca-key",
                    "rootCertObjectName": "root-cert",
                    "certChainObjectName": "cert-chain",
                }
            },
        },
    },
}
POOL: dict[str, Any] = {
    **{k: v for k, v in SYSTEM_POOL.items() if k != "name"},
    "agentPoolName": "apps",
    "mode": "User",
    "nodeTaints": [],
}
NAMESPACE_PROPS: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Namespace",
    "metadata": {"name": "apps", "labels": {"istio.io/rev": "asm-1-30"}},
}
STRICT: dict[str, Any] = {
    "apiVersion": "security.istio.io/v1",
    "kind": "PeerAuthentication",
    "metadata": {"name": "default", "namespace": "aks-istio-system"},
    "spec": {"mtls": {"mode": "STRICT"}},
}
SHARED_MESH: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "istio-shared-configmap-asm-1-30", "namespace": "aks-istio-system"},
    "data": {"mesh": "accessLogFile: /dev/stdout\ndefaultConfig:\n  holdApplicationUntilProxyStarts: true\n"},
}
GATEWAY_PATCH: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {
        "name": "aks-istio-ingressgateway-external",
        "namespace": "aks-istio-ingress",
        "annotations": {"service.beta.kubernetes.io/azure-allowed-ip-ranges": "203.0.113.0/24"},
    },
    "spec": {"externalTrafficPolicy": "Local"},
}
GATEWAY_HPA: dict[str, Any] = {
    "apiVersion": "autoscaling/v2",
    "kind": "HorizontalPodAutoscaler",
    "metadata": {"name": "aks-istio-ingressgateway-external-asm-1-30", "namespace": "aks-istio-ingress"},
    "spec": {"minReplicas": 2, "maxReplicas": 5},
}
LUA_FILTER: dict[str, Any] = {
    "apiVersion": "networking.istio.io/v1alpha3",
    "kind": "EnvoyFilter",
    "metadata": {"name": "lua", "namespace": "apps"},
    "spec": {
        "configPatches": [
            {
                "applyTo": "HTTP_FILTER",
                "patch": {
                    "operation": "INSERT_BEFORE",
                    "value": {
                        "name": "envoy.lua",
                        "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua"},
                    },
                },
            }
        ]
    },
}


def mutate(base: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of `base` with dotted `path` set to `value` (None deletes it; digits index lists)."""
    result = copy.deepcopy(base)
    *parents, leaf = path.split(".")
    node: Any = result
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    if isinstance(node, list):
        node[int(leaf)] = value
    elif value is None:
        node.pop(leaf, None)
    else:
        node[leaf] = value
    return result


# --- The classic provider (pulumi-azure 6.x), as public programs write it -----------------------------------------
CLASSIC_CLUSTER = "azure:containerservice/kubernetesCluster:KubernetesCluster"
CLASSIC_NODE_POOL = "azure:containerservice/kubernetesClusterNodePool:KubernetesClusterNodePool"
CLASSIC_PLAIN: dict[str, Any] = {
    "name": "aks",
    "location": "westeurope",
    "resourceGroupName": "rg",
    "dnsPrefix": "aks",
    "kubernetesVersion": "1.34",
    "defaultNodePool": {"name": "default", "nodeCount": 2, "vmSize": "Standard_D2s_v5"},
    "identity": {"type": "SystemAssigned"},
}
CLASSIC_MESH: dict[str, Any] = {
    **CLASSIC_PLAIN,
    "serviceMeshProfile": {"mode": "Istio", "revisions": ["asm-1-30"], "internalIngressGatewayEnabled": True},
}
CLASSIC_WINDOWS_POOL: dict[str, Any] = {
    "name": "win",
    "kubernetesClusterId": UNKNOWN,
    "vmSize": "Standard_D4s_v5",
    "nodeCount": 1,
    "osType": "Windows",
    "mode": "User",
}
# --- Plain azure-native AKS, as the public examples write it (no hardening, no mesh) --------------------------------
NATIVE_PLAIN: dict[str, Any] = {
    "resourceGroupName": "rg",
    "dnsPrefix": "aks",
    "kubernetesVersion": "1.34",
    "enableRBAC": True,
    "identity": {"type": "SystemAssigned"},
    "agentPoolProfiles": [
        {"name": "agentpool", "count": 3, "vmSize": "Standard_DS2_v2", "osType": "Linux", "mode": "System"}
    ],
    "linuxProfile": {"adminUsername": "aksuser", "ssh": {"publicKeys": [{"keyData": "ssh-rsa AAAA"}]}},
}
