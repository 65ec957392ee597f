"""EgressGateways: the add-on's Istio egress gateways end to end, on Static Egress Gateway.

The cluster side (networkProfile.staticEgressGatewayProfile, the mode-Gateway pool and the
`istio.components.egressGateways` entries) is on the ManagedCluster (cluster/spec.py). This component adds what lives
in Kubernetes (https://learn.microsoft.com/azure/aks/istio-deploy-egress, configure-static-egress-gateway.md):

- the egress namespace and a `StaticGatewayConfiguration` in it, naming the gateway pool: the add-on's egress
  pods carry `kubernetes.azure.com/static-gateway-configuration: <name>` and leave from that pool's IP prefix;
- the stable revision's HPA bounds (the canary copies them);
- the routing an app needs to leave through the gateway: a `ServiceEntry` with `resolution: DNS` (required by the
  add-on egress gateway), an Istio `Gateway` selecting `istio: <name>`, a `DestinationRule` for the gateway
  Service and a `VirtualService` per host that sends mesh traffic to the gateway and the gateway's to the host.
  With `outboundTrafficPolicy: REGISTRY_ONLY` (config validation insists on it) nothing else leaves the mesh.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from aks_istio.addon import support_matrix as sm
from aks_istio.gateways.ingress import hpa_patch
from aks_istio.gateways.values import EgressGateway, EgressHost, EgressProtocol
from aks_istio.kubernetes_provider import (
    check_kubernetes_provider,
    kubernetes_provider_field,
    with_kubernetes_provider,
)
from aks_istio.mesh.canary import revision_handover_options
from aks_istio.tokens import type_token

__all__ = ["EgressGateway", "EgressGateways", "EgressGatewaysArgs", "EgressHost", "EgressProtocol"]

ISTIO_NETWORKING_API = "networking.istio.io/v1"
# The egress gateway Service's ports (https://learn.microsoft.com/azure/aks/istio-deploy-egress: ClusterIP
# 15021/80/443).
GATEWAY_PORTS = {"TLS": 443, "HTTP": 80}
EGRESS_SUBSET = "egress"


def k8s_name(host: str) -> str:
    return host.replace(".", "-")[:63].strip("-")


def static_gateway_configuration(gateway: EgressGateway, pool_name: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"gatewayNodepoolName": pool_name}
    if gateway.exclude_cidrs:
        spec["excludeCidrs"] = list(gateway.exclude_cidrs)
    if gateway.public_ip_prefix_id:
        spec["publicIpPrefixId"] = gateway.public_ip_prefix_id
    return {
        "api_version": sm.STATIC_GATEWAY_CONFIGURATION_API,
        "kind": sm.STATIC_GATEWAY_CONFIGURATION_KIND,
        "metadata": {"name": gateway.configuration_name, "namespace": gateway.namespace},
        "spec": spec,
    }


def gateway_service_host(gateway: EgressGateway) -> str:
    return f"{gateway.name}.{gateway.namespace}.svc.cluster.local"


def _istio(kind: str, name: str, namespace: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "api_version": ISTIO_NETWORKING_API,
        "kind": kind,
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def service_entry(gateway: EgressGateway, host: EgressHost) -> dict[str, Any]:
    return _istio(
        "ServiceEntry",
        k8s_name(host.host),
        gateway.namespace,
        {
            "hosts": [host.host],
            "location": "MESH_EXTERNAL",
            "ports": [
                {"number": host.port, "name": f"{host.protocol.lower()}-{host.port}", "protocol": host.protocol.value}
            ],
            "resolution": sm.EGRESS_SERVICE_ENTRY_RESOLUTION,
        },
    )


def istio_gateway(gateway: EgressGateway) -> dict[str, Any]:
    """One Istio Gateway on the egress gateway's pods: a server per protocol with the hosts it lets out."""
    servers = []
    for protocol, port in GATEWAY_PORTS.items():
        hosts = sorted({h.host for h in gateway.hosts if h.protocol == protocol})
        if not hosts:
            continue
        server: dict[str, Any] = {
            "port": {"number": port, "name": f"{protocol.lower()}-{port}", "protocol": protocol},
            "hosts": hosts,
        }
        if protocol == "TLS":
            server["tls"] = {"mode": "PASSTHROUGH"}
        servers.append(server)
    return _istio(
        "Gateway",
        gateway.name,
        gateway.namespace,
        {"selector": {sm.EGRESS_GATEWAY_SELECTOR_LABEL: gateway.name}, "servers": servers},
    )


def destination_rule(gateway: EgressGateway) -> dict[str, Any]:
    return _istio(
        "DestinationRule",
        gateway.name,
        gateway.namespace,
        {"host": gateway_service_host(gateway), "subsets": [{"name": EGRESS_SUBSET}]},
    )


def virtual_service(gateway: EgressGateway, host: EgressHost) -> dict[str, Any]:
    """Sidecars send `host` to the egress gateway; the gateway sends it on to `host` (TLS by SNI, or HTTP)."""
    gateway_port = GATEWAY_PORTS[host.protocol]
    to_gateway = {
        "destination": {
            "host": gateway_service_host(gateway),
            "subset": EGRESS_SUBSET,
            "port": {"number": gateway_port},
        },
        "weight": 100,
    }
    to_host = {"destination": {"host": host.host, "port": {"number": host.port}}, "weight": 100}
    key = "tls" if host.protocol == "TLS" else "http"
    sni = {"sniHosts": [host.host]} if host.protocol == "TLS" else {}
    routes = [
        {"match": [{"gateways": ["mesh"], "port": host.port, **sni}], "route": [to_gateway]},
        {"match": [{"gateways": [gateway.name], "port": gateway_port, **sni}], "route": [to_host]},
    ]
    return _istio(
        "VirtualService",
        k8s_name(host.host),
        gateway.namespace,
        {"hosts": [host.host], "gateways": ["mesh", gateway.name], key: routes},
    )


def routing(gateway: EgressGateway) -> list[dict[str, Any]]:
    """Every Istio object that routes the gateway's hosts through it; empty when it lets no host out."""
    if not gateway.hosts:
        return []
    objects = [istio_gateway(gateway), destination_rule(gateway)]
    for host in gateway.hosts:
        objects += [service_entry(gateway, host), virtual_service(gateway, host)]
    return objects


@dataclass(frozen=True, kw_only=True)
class EgressGatewaysArgs:
    """Inputs of `EgressGateways`."""

    kubernetes_provider: pulumi.Input[k8s.Provider] = kubernetes_provider_field()
    """The Kubernetes provider of the cluster this component's Kubernetes objects go to
    (`AksIstioCluster.k8s_provider`). Required: the ambient default provider is never used."""
    pool_name: str
    """The cluster's Static Egress Gateway pool (mode Gateway) the gateways leave through."""
    gateways: list[EgressGateway]
    """The egress gateways (the same ones the cluster's mesh profile enables)."""
    hpa_revision: str
    """The revision whose gateway HPAs are patched: the stable one (the plan's `revisions.stable`)."""
    pod_subnet_ids: Sequence[str] = ()
    """Pod subnets of the cluster's pools (Azure CNI pod-subnet mode). Our clusters use overlay and have none;
    a library user wiring another cluster passes them so the unsupported combination is refused."""

    def __post_init__(self) -> None:
        if not self.gateways:
            raise ValueError("no egress gateways to configure")
        if sm.is_pod_subnet_cluster("azure", list(self.pod_subnet_ids)):
            raise ValueError(
                f"the Istio egress gateway needs Static Egress Gateway, which is not supported on "
                f"{sm.EGRESS_UNSUPPORTED_NETWORK}; use Azure CNI overlay"
            )
        check_kubernetes_provider(self)


class EgressGateways(pulumi.ComponentResource):
    """The Kubernetes side of the add-on's egress gateways: StaticGatewayConfigurations, HPA bounds, routing."""

    gateway_services: pulumi.Output[list[str]]
    """In-cluster hosts of the egress gateway Services (`<name>.<namespace>.svc.cluster.local`)."""
    gateway_configurations: pulumi.Output[list[str]]
    """`<namespace>/<name>` of each StaticGatewayConfiguration (its status holds the egress IP prefix)."""

    def __init__(self, name: str, args: EgressGatewaysArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        """Declare the component `name` (its children's names start with it) from `args`; `opts` are Pulumi's
        resource options.

        Fields of `args` (`EgressGatewaysArgs`):
            kubernetes_provider: The Kubernetes provider of the cluster this component's Kubernetes objects go to
                (`AksIstioCluster.k8s_provider`). Required: the ambient default provider is never used.
            pool_name: The cluster's Static Egress Gateway pool (mode Gateway) the gateways leave through.
            gateways: The egress gateways (the same ones the cluster's mesh profile enables).
            hpa_revision: The revision whose gateway HPAs are patched: the stable one (the plan's `revisions.stable`).
            pod_subnet_ids: Pod subnets of the cluster's pools (Azure CNI pod-subnet mode). Our clusters use overlay and
                have none; a library user wiring another cluster passes them so the unsupported combination is refused.

        Outputs (attributes of the component):
            gateway_services: In-cluster hosts of the egress gateway Services (`<name>.<namespace>.svc.cluster.local`).
            gateway_configurations: `<namespace>/<name>` of each StaticGatewayConfiguration (its status holds the egress
                IP prefix).
        """
        super().__init__(
            type_token("EgressGateways"), name, None, with_kubernetes_provider(opts, args.kubernetes_provider)
        )

        namespaces: dict[str, k8s.core.v1.Namespace] = {}
        for ns in sorted({g.namespace for g in args.gateways}):
            namespaces[ns] = k8s.core.v1.Namespace(
                f"{name}-ns-{ns}", metadata={"name": ns}, opts=pulumi.ResourceOptions(parent=self)
            )

        configurations: list[pulumi.Output[str]] = []
        for gateway in args.gateways:
            prefix = f"{name}-{gateway.name}"
            in_namespace = pulumi.ResourceOptions(parent=self, depends_on=[namespaces[gateway.namespace]])
            sgc = k8s.apiextensions.CustomResource(
                f"{prefix}-sgc", **static_gateway_configuration(gateway, args.pool_name), opts=in_namespace
            )
            configurations.append(pulumi.Output.concat(gateway.namespace, "/", sgc.metadata["name"]))
            if gateway.hpa is not None:
                k8s.autoscaling.v2.HorizontalPodAutoscalerPatch(
                    f"{prefix}-hpa",
                    **hpa_patch(gateway.name, gateway.namespace, args.hpa_revision, gateway.hpa),
                    opts=revision_handover_options(self),
                )
            for body in routing(gateway):
                k8s.apiextensions.CustomResource(
                    f"{prefix}-{body['kind'].lower()}-{body['metadata']['name']}", **body, opts=in_namespace
                )

        self.gateway_services = pulumi.Output.from_input([gateway_service_host(g) for g in args.gateways])
        self.gateway_configurations = pulumi.Output.all(*configurations).apply(list)
        self.register_outputs(
            {"gateway_services": self.gateway_services, "gateway_configurations": self.gateway_configurations}
        )
