"""PrivateAccess: a private endpoint for one Azure resource, with the private DNS that makes its name resolve to it.

- The endpoint connects to `target_id`'s `group_id` sub-resource (e.g. `grafana`) from a subnet.
- Its DNS zone group registers the endpoint's IP in the service's privatelink zone: an existing zone (hub-and-spoke
  networks keep these centrally), or one the component creates and links to the endpoint's VNet, so clients there
  resolve the service's usual name to the private IP (azure-docs private-link/private-endpoint-dns.md).
"""

from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi_azure_native import network, privatedns

from aks_istio.tokens import type_token

PRIVATE_DNS_LOCATION = "global"  # private DNS zones and their VNet links are global resources


def vnet_id_of(subnet_id: str) -> str:
    """`.../virtualNetworks/<vnet>/subnets/<subnet>` -> `.../virtualNetworks/<vnet>`."""
    return subnet_id.rsplit("/subnets/", 1)[0]


def endpoint_connection(name: str, target_id: pulumi.Input[str], group_id: str) -> dict[str, Any]:
    """An auto-approved connection: the deploying identity owns the target, so no manual approval step."""
    return {"name": name, "private_link_service_id": target_id, "group_ids": [group_id]}


def dns_zone_configs(zone_name: str, zone_id: pulumi.Input[str]) -> list[dict[str, Any]]:
    return [{"name": zone_name.replace(".", "-"), "private_dns_zone_id": zone_id}]


@dataclass(frozen=True, kw_only=True)
class PrivateAccessArgs:
    endpoint_name: str
    """ARM name of the private endpoint."""
    target_id: pulumi.Input[str]
    """ARM id of the resource to reach privately."""
    group_id: str
    """Its private-link sub-resource (`grafana` for Managed Grafana)."""
    dns_zone_name: str
    """The service's privatelink zone (`privatelink.grafana.azure.com`)."""
    subnet_id: pulumi.Input[str]
    """Where the endpoint's network interface goes."""
    existing_dns_zone_id: str | None = None
    """Register in this zone instead of creating one."""
    resource_group_name: pulumi.Input[str]
    location: str
    tags: dict[str, str] = field(default_factory=dict)


class PrivateAccess(pulumi.ComponentResource):
    endpoint_id: pulumi.Output[str]
    """ARM id of the private endpoint."""
    dns_zone_id: pulumi.Output[str]
    """The zone the endpoint's address is registered in."""

    def __init__(self, name: str, args: PrivateAccessArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("PrivateAccess"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        endpoint = network.PrivateEndpoint(
            f"{name}-endpoint",
            resource_group_name=args.resource_group_name,
            private_endpoint_name=args.endpoint_name,
            location=args.location,
            subnet={"id": args.subnet_id},
            private_link_service_connections=[endpoint_connection(args.endpoint_name, args.target_id, args.group_id)],
            tags=args.tags,
            opts=child,
        )
        if args.existing_dns_zone_id is not None:
            zone_id: pulumi.Output[str] = pulumi.Output.from_input(args.existing_dns_zone_id)
            linked: list[pulumi.Resource] = []
        else:
            zone = privatedns.PrivateZone(
                f"{name}-dns-zone",
                resource_group_name=args.resource_group_name,
                private_zone_name=args.dns_zone_name,
                location=PRIVATE_DNS_LOCATION,
                tags=args.tags,
                opts=child,
            )
            link = privatedns.VirtualNetworkLink(
                f"{name}-dns-link",
                resource_group_name=args.resource_group_name,
                private_zone_name=zone.name,
                location=PRIVATE_DNS_LOCATION,
                virtual_network={"id": pulumi.Output.from_input(args.subnet_id).apply(vnet_id_of)},
                registration_enabled=False,  # the zone holds the endpoint's record, not the VNet's VMs
                tags=args.tags,
                opts=child,
            )
            zone_id, linked = zone.id, [link]
        network.PrivateDnsZoneGroup(
            f"{name}-dns",
            resource_group_name=args.resource_group_name,
            private_endpoint_name=endpoint.name,  # (= endpoint_name, once the endpoint exists)
            private_dns_zone_group_name="default",
            private_dns_zone_configs=dns_zone_configs(args.dns_zone_name, zone_id),
            # Clients resolve the name through the link: the record is useful only once it exists.
            opts=pulumi.ResourceOptions(parent=self, depends_on=linked),
        )

        self.endpoint_id = endpoint.id
        self.dns_zone_id = zone_id
        self.register_outputs({"endpoint_id": self.endpoint_id, "dns_zone_id": self.dns_zone_id})
