"""ManagedGrafana: reads the workspace with its own identity, people get roles, prod stays private."""

from __future__ import annotations

import json

from aks_istio.addon import support_matrix as sm
from aks_istio.offline.capture import Capture, Secret, run_program
from aks_istio.offline.stack_files import stack_config
from tests.components.observability.support import prod_with, stack
from tests.support import PLATFORM_KEY, ROLE_ASSIGNMENT, merge, one, raw_platform

GRAFANA = "azure-native:dashboard:Grafana"
WORKSPACE = "azure-native:monitor:AzureMonitorWorkspace"
DASHBOARD = "grafana:oss/dashboard:Dashboard"
EXISTING = (
    "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-obs"
    "/providers/Microsoft.Dashboard/grafana/amg-shared"
)
ADMIN = "00000000-0000-0000-0000-0000000000a1"


def _roles(capture, suffix: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return [r.inputs for r in capture.of_type(ROLE_ASSIGNMENT) if r.name.endswith(suffix)]


def test_grafana_reads_the_workspace_with_its_own_identity() -> None:
    capture = stack("prod")
    grafana = one(capture, GRAFANA)
    workspace_id = one(capture, WORKSPACE).outputs["id"]
    assert grafana.inputs["identity"] == {"type": "SystemAssigned"}
    integrations = grafana.inputs["properties"]["grafanaIntegrations"]["azureMonitorWorkspaceIntegrations"]
    assert integrations == [{"azureMonitorWorkspaceResourceId": workspace_id}]

    principal = grafana.outputs["identity"]["principalId"]
    [data_reader] = _roles(capture, "grafana-monitoring-data-reader")
    assert data_reader["scope"] == workspace_id
    assert data_reader["principalId"] == principal
    assert data_reader["principalType"] == "ServicePrincipal"
    assert data_reader["roleDefinitionId"].endswith(f"/roleDefinitions/{sm.ROLE_MONITORING_DATA_READER}")
    [reader] = _roles(capture, "grafana-monitoring-reader")
    assert reader["principalId"] == principal
    assert reader["scope"].endswith(f"/resourceGroups/{one(capture, WORKSPACE).inputs['resourceGroupName']}")
    assert reader["roleDefinitionId"].endswith(f"/roleDefinitions/{sm.ROLE_MONITORING_READER}")


def test_people_from_config_get_grafana_roles_on_the_instance() -> None:
    viewer = "00000000-0000-0000-0000-0000000000b2"
    capture = prod_with(observability={"grafana": {"viewers": [viewer]}})
    grafana_id = one(capture, GRAFANA).outputs["id"]
    [admin] = _roles(capture, "grafana-admin-00000000")
    assert (admin["scope"], admin["principalId"]) == (grafana_id, ADMIN)
    assert admin["roleDefinitionId"].endswith(sm.ROLE_GRAFANA_ADMIN)
    [view] = _roles(capture, "grafana-viewer-00000000")
    assert (view["scope"], view["principalId"]) == (grafana_id, viewer)
    assert view["roleDefinitionId"].endswith(sm.ROLE_GRAFANA_VIEWER)


def test_public_access_is_off_in_prod_unless_config_says_otherwise() -> None:
    def access(capture) -> str:  # type: ignore[no-untyped-def]
        return one(capture, GRAFANA).inputs["properties"]["publicNetworkAccess"]

    assert access(stack("prod")) == "Disabled"
    assert access(stack("staging")) == "Enabled"
    assert access(prod_with(observability={"grafana": {"publicNetworkAccess": True}})) == "Enabled"


def test_prod_protects_grafana() -> None:
    assert one(stack("prod"), GRAFANA).protect


def test_an_existing_grafana_gets_the_read_roles_but_is_not_created() -> None:
    capture = prod_with(observability={"grafana": {"existingId": EXISTING, "admins": []}})
    assert not capture.of_type(GRAFANA)
    [data_reader] = _roles(capture, "grafana-monitoring-data-reader")
    assert data_reader["principalId"] == "amg-shared-principal-id"  # the looked-up instance's identity
    assert data_reader["scope"] == one(capture, WORKSPACE).outputs["id"]


def test_without_a_token_dashboards_are_not_provisioned() -> None:
    assert not stack("prod").of_type(DASHBOARD)


def with_dashboard_token(stack_name: str) -> Capture:
    """`stack_name` with a Grafana service-account token in its config: dashboards provisioned by Pulumi."""
    platform = merge(
        raw_platform(stack_name),
        {"observability": {"grafana": {"serviceAccounts": True, "dashboardsTokenConfigKey": "grafanaToken"}}},
    )
    # Set as `pulumi config set --secret` sets it: the engine hands it over as a secret key (a plain value is refused).
    token = {"secure": "v1:glsa_example"}
    config = {**stack_config(stack_name), PLATFORM_KEY: platform, "aks-istio:grafanaToken": token}
    return run_program(stack_name, config, preview=False, computed=True)


def test_with_a_token_the_istio_dashboards_are_provisioned_into_the_instance() -> None:
    capture = with_dashboard_token("staging")
    grafana = one(capture, GRAFANA)
    assert grafana.inputs["properties"]["apiKey"] == "Enabled"
    provider = one(capture, "pulumi:providers:grafana")
    assert provider.inputs["url"] == grafana.outputs["properties"]["endpoint"]
    assert isinstance(provider.inputs["auth"], Secret)
    dashboards = capture.of_type(DASHBOARD)
    titles = {json.loads(d.inputs["configJson"])["title"] for d in dashboards}
    assert titles == {"Istio Mesh", "Istio Service", "Istio Workload", "Istio Control Plane"}
    assert all(d.provider.startswith(provider.urn) for d in dashboards)
    folder = one(capture, "grafana:oss/folder:Folder")
    assert all(d.inputs["folder"] == folder.outputs.get("uid", "aks-istio") for d in dashboards)


PRIVATE_ENDPOINT = "azure-native:network:PrivateEndpoint"
PRIVATE_ZONE = "azure-native:privatedns:PrivateZone"
ZONE_LINK = "azure-native:privatedns:VirtualNetworkLink"
ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup"
SUBNET = "azure-native:network:Subnet"
HUB_ZONE = (
    "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg-dns/providers/Microsoft.Network"
    "/privateDnsZones/privatelink.grafana.azure.com"
)
HUB_SUBNET = (
    "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg-hub/providers/Microsoft.Network"
    "/virtualNetworks/vnet-hub/subnets/snet-endpoints"
)


def test_private_grafana_gets_an_endpoint_and_dns_in_the_mesh_vnet() -> None:
    capture = stack("prod")
    grafana_id = one(capture, GRAFANA).outputs["id"]
    node_subnet = one(capture, SUBNET, "-nodes").outputs["id"]
    endpoint = one(capture, PRIVATE_ENDPOINT)
    assert endpoint.inputs["subnet"] == {"id": node_subnet}
    [connection] = endpoint.inputs["privateLinkServiceConnections"]
    assert (connection["privateLinkServiceId"], connection["groupIds"]) == (grafana_id, ["grafana"])

    zone = one(capture, PRIVATE_ZONE)
    assert (zone.inputs["privateZoneName"], zone.inputs["location"]) == ("privatelink.grafana.azure.com", "global")
    link = one(capture, ZONE_LINK)
    assert link.inputs["virtualNetwork"] == {"id": node_subnet.rsplit("/subnets/", 1)[0]}
    assert link.inputs["registrationEnabled"] is False
    group = one(capture, ZONE_GROUP)
    assert group.inputs["privateEndpointName"] == endpoint.inputs["privateEndpointName"]
    assert [c["privateDnsZoneId"] for c in group.inputs["privateDnsZoneConfigs"]] == [zone.outputs["id"]]
    assert link.urn in group.dependencies  # the record lands in a zone clients already resolve through


def test_public_grafana_has_no_private_endpoint_unless_asked() -> None:
    assert not stack("staging").of_type(PRIVATE_ENDPOINT)
    asked = prod_with(observability={"grafana": {"publicNetworkAccess": True, "privateEndpoint": {"enabled": True}}})
    assert one(asked, PRIVATE_ENDPOINT)
    assert not prod_with(observability={"grafana": {"existingId": EXISTING, "admins": []}}).of_type(PRIVATE_ENDPOINT)


def test_an_endpoint_in_a_hub_registers_in_the_hubs_zone() -> None:
    capture = prod_with(
        observability={"grafana": {"privateEndpoint": {"subnetId": HUB_SUBNET, "privateDnsZoneId": HUB_ZONE}}}
    )
    assert one(capture, PRIVATE_ENDPOINT).inputs["subnet"] == {"id": HUB_SUBNET}
    assert not capture.of_type(PRIVATE_ZONE) and not capture.of_type(ZONE_LINK)
    assert [c["privateDnsZoneId"] for c in one(capture, ZONE_GROUP).inputs["privateDnsZoneConfigs"]] == [HUB_ZONE]


def test_a_private_instance_gets_its_dashboards_only_once_it_is_reachable() -> None:
    capture = with_dashboard_token("prod")
    record = one(capture, ZONE_GROUP).urn
    assert capture.of_type(DASHBOARD)
    assert all(
        record in d.dependencies for d in [*capture.of_type(DASHBOARD), one(capture, "grafana:oss/folder:Folder")]
    )
