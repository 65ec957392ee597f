"""IngressGateway: customizes one of the add-on's classic ingress gateways, only through what AKS allows.

The add-on owns `aks-istio-ingressgateway-{internal,external}` (Service, per-revision Deployment and HPA) in
`aks-istio-ingress`. Edits outside what it exposes are reverted by its reconciler (Azure/AKS #5175, #4362), so
this component never declares those objects: it server-side-applies patches that carry only

- the allowlisted Service annotations and `spec.externalTrafficPolicy`
(https://learn.microsoft.com/azure/aks/istio-deploy-ingress), never
  ports or protocol ("port or protocol configuration is currently not supported", https://learn.microsoft.com/azure/aks/istio-about);
- `minReplicas`/`maxReplicas` of the *stable* revision's HPA: during a canary upgrade the add-on copies it to the
  canary's HPA and reverts edits to the canary's (https://learn.microsoft.com/azure/aks/istio-upgrade).

Around the Service it builds what the annotations point at: a Standard static public IP (or yours) with Network
Contributor for the cluster identity on its resource group (https://learn.microsoft.com/azure/aks/static-ip), or a
subnet of the mesh VNet
for the internal load balancer with Network Contributor on it.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pulumi
import pulumi_kubernetes as k8s
from pulumi_azure_native import network

from aks_istio.addon import rules
from aks_istio.addon import support_matrix as sm
from aks_istio.azure.roles import grant, resource_group_id
from aks_istio.gateways.modes import ExternalTrafficPolicy, IngressMode
from aks_istio.gateways.values import (
    GatewayHpa,
    GatewaySubnet,
    IngressGatewayOptions,
    StaticPublicIp,
    default_public_ip_name,
)
from aks_istio.kubernetes_provider import (
    check_kubernetes_provider,
    kubernetes_provider_field,
    with_kubernetes_provider,
)
from aks_istio.mesh.canary import revision_handover_options
from aks_istio.tokens import type_token
from aks_istio.value_checks import Problems, check

__all__ = [
    "ExternalTrafficPolicy",
    "GatewayHpa",
    "GatewaySubnet",
    "IngressGateway",
    "IngressGatewayArgs",
    "IngressGatewayOptions",
    "IngressMode",
    "StaticPublicIp",
    "default_public_ip_name",
]

# pulumi-kubernetes Patch resources apply with server-side apply; a conflict with a field another manager owns
# (the add-on's reconciler owns the HPA's replica bounds and the Service's externalTrafficPolicy) fails unless
# forced with the `pulumi.com/patchForce` annotation, and `pulumi.com/patchFieldManager` fixes the manager name
# (default: random per Patch resource) (pulumi-kubernetes docs, "Managing resources with Server-Side Apply").
# Both annotations stay on the patched object, so the Service patch carries them only when it must take
# externalTrafficPolicy over: every other annotation on the add-on's Service has to be on AKS's allowlist.
PATCH_FORCE = "pulumi.com/patchForce"
PATCH_FIELD_MANAGER = "pulumi.com/patchFieldManager"
FIELD_MANAGER = "aks-istio-gateways"


def patch_metadata(
    name: str, namespace: str, *, force: bool, annotations: Mapping[str, pulumi.Input[str]] | None = None
) -> dict[str, Any]:
    """Metadata of a Patch resource: the target, and our field manager with force where we take a field over."""
    merged: dict[str, pulumi.Input[str]] = dict(annotations or {})
    if force:
        merged |= {PATCH_FIELD_MANAGER: FIELD_MANAGER, PATCH_FORCE: "true"}
    metadata: dict[str, Any] = {"name": name, "namespace": namespace}
    if merged:
        metadata["annotations"] = merged
    return metadata


def service_annotations(
    args: "IngressGatewayArgs", *, public_ip_resource_group: pulumi.Input[str] | None
) -> dict[str, pulumi.Input[str]]:
    """The annotations the platform puts on the gateway Service: yours, then those its typed fields imply."""
    managed = rules.managed_gateway_annotations(
        allowed_service_tags=args.allowed_service_tags,
        allowed_ip_ranges=args.allowed_ip_ranges,
        subnet=args.subnet.name if args.subnet is not None else None,
    )
    annotations: dict[str, pulumi.Input[str]] = {**args.annotations, **managed}
    public_ip_name = args.static_ip.name if args.static_ip is not None else None
    if public_ip_name is not None:
        annotations[sm.GATEWAY_SERVICE_ANNOTATION_PIP_NAME] = public_ip_name
    if public_ip_resource_group is not None:
        annotations[sm.GATEWAY_SERVICE_ANNOTATION_PIP_RESOURCE_GROUP] = public_ip_resource_group
    unknown = [k for k in annotations if not sm.is_allowed_gateway_annotation(k)]
    if unknown:  # config validation refuses these first; this guards library users building settings by hand
        raise ValueError(f"annotations {unknown} are not in AKS's allowlist for the add-on's gateway Services")
    return dict(sorted(annotations.items()))


def service_patch(args: "IngressGatewayArgs", annotations: Mapping[str, pulumi.Input[str]]) -> dict[str, Any]:
    """The ServicePatch body: metadata.annotations and, if set, spec.externalTrafficPolicy; nothing else."""
    body: dict[str, Any] = {
        "metadata": patch_metadata(
            sm.INGRESS_GATEWAY_SERVICES[args.mode],
            sm.ADDON_INGRESS_NAMESPACE,
            force=args.external_traffic_policy is not None,
            annotations=annotations,
        )
    }
    if args.external_traffic_policy is not None:
        body["spec"] = {"external_traffic_policy": args.external_traffic_policy.value}
    return body


def hpa_patch(gateway: str, namespace: str, revision: str, hpa: GatewayHpa) -> dict[str, Any]:
    """The HorizontalPodAutoscalerPatch body for `<gateway>-<revision>`: only the replica bounds."""
    return {
        "metadata": patch_metadata(sm.gateway_hpa_name(gateway, revision), namespace, force=True),
        "spec": {"min_replicas": hpa.min_replicas, "max_replicas": hpa.max_replicas},
    }


def public_ip_args(ip: StaticPublicIp, *, location: str, tags: Mapping[str, str]) -> dict[str, Any]:
    """A Standard, static IPv4 address: the only kind a Standard load balancer (AKS's) takes."""
    args: dict[str, Any] = {
        "public_ip_address_name": ip.name,
        "location": location,
        "sku": {"name": "Standard", "tier": "Regional"},
        "public_ip_allocation_method": "Static",
        "public_ip_address_version": "IPv4",
        "tags": dict(tags),
    }
    if ip.zones:
        args["zones"] = list(ip.zones)
    if ip.domain_name_label:
        args["dns_settings"] = {"domain_name_label": ip.domain_name_label}
    return args


# cloud-provider-azure tags the public IPs its load balancers use; those tags are its, not drift.
PUBLIC_IP_IGNORED_CHANGES = ['tags["k8s-azure-service"]', 'tags["k8s-azure-cluster-name"]', "ipTags"]


@dataclass(frozen=True, kw_only=True)
class IngressGatewayArgs(IngressGatewayOptions):
    """Inputs of `IngressGateway`: which gateway, how it is customized (the fields of `IngressGatewayOptions`,
    as a stack file's `gateways.ingress.<internal|external>` holds them), and where it lives."""

    kubernetes_provider: pulumi.Input[k8s.Provider] = kubernetes_provider_field()
    """The Kubernetes provider of the cluster this component's Kubernetes objects go to
    (`AksIstioCluster.k8s_provider`). Required: the ambient default provider is never used."""
    mode: IngressMode
    """Which of the add-on's two gateways."""
    hpa_revision: str
    """The revision whose HPA is patched: the stable one (the plan's `revisions.stable`); during a canary the
    add-on copies its bounds to the canary's and reverts edits made there."""
    location: str
    """Region of a created public IP."""
    resource_group_name: pulumi.Input[str]
    """The platform's group: default home of the public IP."""
    vnet_resource_group: str
    """Resource group of the mesh VNet, where the internal gateway's own subnet goes."""
    vnet_name: str
    """The mesh VNet (the plan's `vnet_name`)."""
    node_subnet_id: pulumi.Input[str]
    """The cluster's node subnet: ours is created after it (ARM serializes subnet writes in one VNet)."""
    principal_id: pulumi.Input[str]
    """The cluster's control-plane identity, which manages the load balancer."""
    subscription_id: pulumi.Input[str]
    """Subscription of the role definitions."""
    tags: dict[str, str] = field(default_factory=dict)
    """Azure tags of a created public IP."""
    protect: bool = False
    """Protect the public IP and subnet (prod): a new IP means new DNS records and allowlists everywhere."""

    def __post_init__(self) -> None:
        check(self)
        check_kubernetes_provider(self)

    def rules(self, problems: Problems) -> None:
        super().rules(problems)
        if problems.fine("mode"):
            self.mode_problems(self.mode, problems)
        if self.static_ip is not None and self.static_ip.name is None:
            problems.add(("static_ip", "name"), "is required here; allowed: the IP's name (a stack file defaults it)")


class IngressGateway(pulumi.ComponentResource):
    """Customizes one of the add-on's classic ingress gateways (Service annotations, traffic policy, HPA bounds)
    and builds what its annotations point at (a static public IP, or a subnet of its own)."""

    service_name: pulumi.Output[str]
    """The add-on's Service, `aks-istio-ingressgateway-<mode>` in aks-istio-ingress."""
    public_ip_address: pulumi.Output[str | None]
    """The external gateway's static IP address (point DNS here); None without a static IP."""
    public_ip_id: pulumi.Output[str | None]
    """ARM id of that public IP."""
    subnet_id: pulumi.Output[str | None]
    """The internal gateway's own subnet; None when it uses the node subnet."""

    def __init__(self, name: str, args: IngressGatewayArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        """Declare the component `name` (its children's names start with it) from `args`; `opts` are Pulumi's
        resource options.

        Fields of `args` (`IngressGatewayArgs`):
            annotations: Extra Service annotations, only from AKS's allowlist.
            external_traffic_policy: Local keeps client source IPs (may unbalance load); unset: the add-on's.
            allowed_service_tags: Only these Azure service tags reach it, e.g. AzureFrontDoor.Backend.
            allowed_ip_ranges: Only these CIDRs reach the gateway.
            hpa: Replica bounds; unset: AKS's 2..5.
            static_ip: External only: pin a static public IP.
            subnet: Internal only: a subnet of its own.
            kubernetes_provider: The Kubernetes provider of the cluster this component's Kubernetes objects go to
                (`AksIstioCluster.k8s_provider`). Required: the ambient default provider is never used.
            mode: Which of the add-on's two gateways.
            hpa_revision: The revision whose HPA is patched: the stable one (the plan's `revisions.stable`); during a
                canary the add-on copies its bounds to the canary's and reverts edits made there.
            location: Region of a created public IP.
            resource_group_name: The platform's group: default home of the public IP.
            vnet_resource_group: Resource group of the mesh VNet, where the internal gateway's own subnet goes.
            vnet_name: The mesh VNet (the plan's `vnet_name`).
            node_subnet_id: The cluster's node subnet: ours is created after it (ARM serializes subnet writes in one
                VNet).
            principal_id: The cluster's control-plane identity, which manages the load balancer.
            subscription_id: Subscription of the role definitions.
            tags: Azure tags of a created public IP.
            protect: Protect the public IP and subnet (prod): a new IP means new DNS records and allowlists everywhere.

        Outputs (attributes of the component):
            service_name: The add-on's Service, `aks-istio-ingressgateway-<mode>` in aks-istio-ingress.
            public_ip_address: The external gateway's static IP address (point DNS here); None without a static IP.
            public_ip_id: ARM id of that public IP.
            subnet_id: The internal gateway's own subnet; None when it uses the node subnet.
        """
        super().__init__(
            type_token("IngressGateway"), name, None, with_kubernetes_provider(opts, args.kubernetes_provider)
        )
        public_ip = self._declare_public_ip(name, args)
        own_subnet = self._declare_own_subnet(name, args)
        service = self._patch_service(
            name,
            args,
            public_ip_resource_group=public_ip.resource_group,
            # The load balancer picks the IP/subnet up only once the identity may use it.
            depends_on=[*public_ip.grants, *own_subnet.grants],
        )
        if args.hpa is not None:
            self._patch_stable_hpa(name, args, args.hpa)

        service_name = sm.INGRESS_GATEWAY_SERVICES[args.mode]
        self.service_name = service.metadata.apply(lambda m: service_name)
        self.public_ip_address = public_ip.address
        self.public_ip_id = public_ip.id
        self.subnet_id = own_subnet.id
        self.register_outputs(
            {
                "service_name": self.service_name,
                "public_ip_address": self.public_ip_address,
                "public_ip_id": self.public_ip_id,
                "subnet_id": self.subnet_id,
            }
        )

    def _declare_public_ip(self, name: str, args: IngressGatewayArgs) -> "DeclaredPublicIp":
        """The static public IP (created here unless `existing`) and the cluster identity's rights on its group."""
        if args.static_ip is None:
            return DeclaredPublicIp(
                resource_group=None,
                address=pulumi.Output.from_input(None),
                id=pulumi.Output.from_input(None),
                grants=[],
            )
        ip = args.static_ip
        ip_group = ip.resource_group or args.resource_group_name
        address: pulumi.Output[str | None] = pulumi.Output.from_input(None)
        ip_id: pulumi.Output[str | None] = pulumi.Output.from_input(None)
        if not ip.existing:
            created = network.PublicIPAddress(
                f"{name}-ip",
                resource_group_name=ip_group,
                **public_ip_args(ip, location=args.location, tags=args.tags),
                opts=pulumi.ResourceOptions(
                    parent=self, protect=args.protect, ignore_changes=PUBLIC_IP_IGNORED_CHANGES
                ),
            )
            address = created.ip_address
            ip_id = created.id
        # The cloud provider reads and attaches an IP outside the node resource group only with rights on
        # that group (https://learn.microsoft.com/azure/aks/static-ip: Network Contributor on the IP's resource
        # group).
        ip_grant = grant(
            f"{name}-ip-network-contributor",
            role_guid=sm.ROLE_NETWORK_CONTRIBUTOR,
            scope=resource_group_id(args.subscription_id, ip_group),
            principal_id=args.principal_id,
            subscription_id=args.subscription_id,
            parent=self,
        )
        return DeclaredPublicIp(resource_group=ip_group, address=address, id=ip_id, grants=[ip_grant])

    def _declare_own_subnet(self, name: str, args: IngressGatewayArgs) -> "DeclaredSubnet":
        """The internal gateway's own subnet in the mesh VNet, when asked for, and the cluster identity's rights on
        it."""
        if args.subnet is None:
            return DeclaredSubnet(id=pulumi.Output.from_input(None), grants=[])
        subnet = network.Subnet(
            f"{name}-subnet",
            resource_group_name=args.vnet_resource_group,
            virtual_network_name=pulumi.Output.all(args.node_subnet_id, args.vnet_name).apply(lambda v: str(v[1])),
            subnet_name=args.subnet.name,
            address_prefix=args.subnet.prefix,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        # The internal load balancer's frontend must be in the mesh's VNet (https://learn.microsoft.com/azure/aks/istio-deploy-ingress)
        # and the cluster identity needs rights on that subnet, as on the node subnet.
        subnet_grant = grant(
            f"{name}-subnet-network-contributor",
            role_guid=sm.ROLE_NETWORK_CONTRIBUTOR,
            scope=subnet.id,
            principal_id=args.principal_id,
            subscription_id=args.subscription_id,
            parent=self,
        )
        return DeclaredSubnet(id=subnet.id, grants=[subnet_grant])

    def _patch_service(
        self,
        name: str,
        args: IngressGatewayArgs,
        *,
        public_ip_resource_group: pulumi.Input[str] | None,
        depends_on: list[pulumi.Resource],
    ) -> k8s.core.v1.ServicePatch:
        """The add-on's gateway Service, patched with the allowed annotations and traffic policy only."""
        annotations = service_annotations(args, public_ip_resource_group=public_ip_resource_group)
        return k8s.core.v1.ServicePatch(
            f"{name}-service",
            **service_patch(args, annotations),
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on),
        )

    def _patch_stable_hpa(self, name: str, args: IngressGatewayArgs, hpa: GatewayHpa) -> None:
        """The replica bounds of the stable revision's HPA (the add-on copies them to a canary's)."""
        k8s.autoscaling.v2.HorizontalPodAutoscalerPatch(
            f"{name}-hpa",
            **hpa_patch(sm.INGRESS_GATEWAY_SERVICES[args.mode], sm.ADDON_INGRESS_NAMESPACE, args.hpa_revision, hpa),
            opts=revision_handover_options(self),
        )


class DeclaredPublicIp(NamedTuple):
    """What `IngressGateway` declared for a static public IP."""

    resource_group: pulumi.Input[str] | None
    """Where the IP lives (the Service's resource-group annotation); None without a static IP."""
    address: pulumi.Output[str | None]
    """The address of an IP created here; None for an existing one or none."""
    id: pulumi.Output[str | None]
    """ARM id of an IP created here; None otherwise."""
    grants: list[pulumi.Resource]
    """The cluster identity's rights the Service patch waits for."""


class DeclaredSubnet(NamedTuple):
    """What `IngressGateway` declared for the internal gateway's own subnet."""

    id: pulumi.Output[str | None]
    """The subnet's id; None when the gateway uses the node subnet."""
    grants: list[pulumi.Resource]
    """The cluster identity's rights the Service patch waits for."""
