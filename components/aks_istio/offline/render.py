"""Render a capture for people (a resource tree with the settings that matter) and for machines (JSON)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from aks_istio.offline.capture import Capture, CapturedResource, Secret, Unknown

# The settings shown per resource type: what a reviewer of an AKS + Istio change looks at first.
KEY_SETTINGS: Final[dict[str, tuple[str, ...]]] = {
    "azure-native:containerservice:ManagedCluster": (
        "kubernetesVersion",
        "sku.tier",
        "serviceMeshProfile.mode",
        "serviceMeshProfile.istio.revisions",
        "serviceMeshProfile.istio.components.ingressGateways",
        "serviceMeshProfile.istio.components.egressGateways",
        "serviceMeshProfile.istio.certificateAuthority.plugin.keyVaultId",
        "networkProfile.networkPluginMode",
        "networkProfile.networkDataplane",
        "networkProfile.networkPolicy",
        "apiServerAccessProfile",
        "aadProfile.enableAzureRBAC",
        "disableLocalAccounts",
        "autoUpgradeProfile",
        "azureMonitorProfile.metrics.enabled",
        "agentPoolProfiles",
    ),
    "azure-native:containerservice:AgentPool": (
        "mode",
        "vmSize",
        "minCount",
        "maxCount",
        "availabilityZones",
        "osDiskType",
        "maxPods",
    ),
    "azure-native:keyvault:Vault": ("properties.enableRbacAuthorization", "properties.enablePurgeProtection"),
    "azure-native:keyvault:Secret": ("secretName",),
    "azure-native:authorization:RoleAssignment": ("roleDefinitionId", "scope"),
    "azure-native:network:Subnet": ("addressPrefix",),
    "azure-native:network:VirtualNetwork": ("addressSpace.addressPrefixes",),
    "azure-native:containerservice:MaintenanceConfiguration": ("configName",),
    "kubernetes:core/v1:Namespace": ("metadata.labels",),
    "kubernetes:core/v1:ConfigMap": ("metadata.namespace", "metadata.name"),
    "azure-native:monitor:AzureMonitorWorkspace": ("azureMonitorWorkspaceName", "location"),
    "azure-native:monitor:DataCollectionEndpoint": ("dataCollectionEndpointName", "kind"),
    "azure-native:monitor:DataCollectionRule": ("dataCollectionRuleName", "dataCollectionEndpointId"),
    "azure-native:monitor:DataCollectionRuleAssociation": (
        "associationName",
        "resourceUri",
        "dataCollectionRuleId",
        "dataCollectionEndpointId",
    ),
    "azure-native:monitor:ActionGroup": ("actionGroupName", "emailReceivers", "webhookReceivers"),
    "azure-native:alertsmanagement:PrometheusRuleGroup": ("ruleGroupName", "scopes"),
    "azure-native:dashboard:Grafana": (
        "workspaceName",
        "sku.name",
        "properties.publicNetworkAccess",
        "properties.grafanaIntegrations.azureMonitorWorkspaceIntegrations",
    ),
    "grafana:oss/dashboard:Dashboard": ("folder",),
    "kubernetes:security.istio.io/v1:PeerAuthentication": ("metadata.namespace", "spec.mtls.mode"),
    "azure-native:network:PublicIPAddress": ("publicIpAddressName", "sku.name", "publicIPAllocationMethod", "zones"),
    "kubernetes:core/v1:ServicePatch": ("metadata.name", "metadata.annotations", "spec.externalTrafficPolicy"),
    "kubernetes:autoscaling/v2:HorizontalPodAutoscalerPatch": ("metadata.name", "spec.minReplicas", "spec.maxReplicas"),
    "kubernetes:core/v1:ConfigMapPatch": ("metadata.namespace", "metadata.name"),
    "kubernetes:egressgateway.kubernetes.azure.com/v1alpha1:StaticGatewayConfiguration": (
        "metadata.namespace",
        "metadata.name",
        "spec.gatewayNodepoolName",
    ),
    "kubernetes:networking.istio.io/v1:ServiceEntry": ("metadata.namespace", "spec.hosts", "spec.resolution"),
    "kubernetes:networking.istio.io/v1:Gateway": ("metadata.namespace", "spec.selector", "spec.servers"),
    "kubernetes:networking.istio.io/v1:VirtualService": ("metadata.namespace", "spec.hosts", "spec.gateways"),
    "kubernetes:networking.istio.io/v1:DestinationRule": ("metadata.namespace", "spec.host"),
    "kubernetes:gateway.networking.k8s.io/v1:Gateway": (
        "metadata.namespace",
        "spec.gatewayClassName",
        "spec.infrastructure",
        "spec.listeners",
    ),
    "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute": ("metadata.namespace", "spec.parentRefs", "spec.hostnames"),
    "command:local:Command": ("create", "environment.ARM_FRAGMENT"),
}
POOL_SUMMARY: Final = ("name", "mode", "vmSize", "minCount", "maxCount", "availabilityZones", "osDiskType")


def dig(value: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return None
    return value


def _short(value: Any) -> str:
    if isinstance(value, (Secret, Unknown)):
        return repr(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_short(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    return str(value)


def settings_of(resource: CapturedResource) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []
    for path in KEY_SETTINGS.get(resource.type, ()):
        value = dig(resource.inputs, path)
        if value is None:
            continue
        if path == "agentPoolProfiles" and isinstance(value, list):
            value = [{k: p.get(k) for k in POOL_SUMMARY if p.get(k) is not None} for p in value]
        shown.append((path, _short(value)))
    return shown


def _flags(resource: CapturedResource) -> str:
    flags = []
    if resource.protect:
        flags.append("protected")
    if resource.ignore_changes:
        flags.append("ignores " + ", ".join(resource.ignore_changes))
    return f"  [{'; '.join(flags)}]" if flags else ""


def tree(capture: Capture) -> str:
    children: dict[str, list[CapturedResource]] = {}
    for resource in capture.resources:
        children.setdefault(resource.parent, []).append(resource)
    roots = [r for r in capture.resources if not r.parent or r.parent not in {x.urn for x in capture.resources}]
    custom = sum(1 for r in capture.resources if r.custom)
    # The same figures as the JSON output's `counts`: resources to create, and the components grouping them.
    lines = [f"Stack {capture.stack}: {custom} resources in {len(capture.resources) - custom} components"]

    def walk(nodes: Iterable[CapturedResource], indent: str) -> None:
        for node in sorted(nodes, key=lambda n: (n.custom, n.name)):
            lines.append(f"{indent}+ {node.type}  {node.name}{_flags(node)}")
            for key, value in settings_of(node):
                lines.append(f"{indent}    {key}: {value}")
            walk(children.get(node.urn, []), indent + "  ")

    walk(roots, "  ")
    lines.append("Outputs:")
    for key, value in capture.outputs.items():
        lines.append(f"  {key}: {_short(value)}")
    return "\n".join(lines)


UNKNOWN_JSON: Final = {"$unknown": True}
"""A value known only after apply, in JSON: distinct from a real null (docs/preview-output.schema.json)."""


def to_json(value: Any) -> Any:
    """Python capture values -> JSON (secrets stay masked, unknowns marked)."""
    if isinstance(value, Secret):
        return "[secret]"
    if isinstance(value, Unknown):
        return dict(UNKNOWN_JSON)
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


def capture_json(capture: Capture) -> dict[str, Any]:
    return {
        "stack": capture.stack,
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "component": not r.custom,
                "parent": r.parent or None,
                "protect": r.protect,
                "ignoreChanges": r.ignore_changes,
                "inputs": to_json(r.inputs),
            }
            for r in sorted(capture.resources, key=lambda r: r.urn)
        ],
        "outputs": to_json(capture.outputs),
    }
