"""ManagedGrafana: Azure Managed Grafana reading the cluster's Azure Monitor workspace, with the Istio dashboards.

- The instance has a system-assigned identity and the workspace as an Azure Monitor workspace integration
  (that creates the Prometheus data source; https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable-arm).
- Its identity gets *Monitoring Data Reader* on the workspace (query Prometheus; CLI amg/link.py, PROMCOL) and
  *Monitoring Reader* on the resource group (the Azure Monitor data source's resource browsing; MONDOCS
  kubernetes-monitoring-enable-arm.md grants it there).
- People get Grafana Admin / Editor / Viewer on the instance from config.
- Dashboards: Managed Grafana's data plane takes no ARM calls, so provisioning needs a Grafana credential. When
  `dashboardsTokenConfigKey` names a secret config value holding a service-account token, the dashboards are
  created through the Grafana provider (pulumiverse-grafana); otherwise they are left for a one-step import
  (docs/observability.md) and the `dashboards` output lists what to import.

Source keys (AKSDOCS, SUPP, MONDOCS, PROMCOL, BT, CLI) as in `aks_istio.addon.support_matrix`.
"""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pulumi
from pulumi_azure_native import authorization, dashboard

from aks_istio.addon import support_matrix as sm
from aks_istio.azure.roles import grant, resource_group_id
from aks_istio.observability.dashboards import FOLDER_TITLE, dashboards
from aks_istio.observability.private_access import PrivateAccess, PrivateAccessArgs
from aks_istio.observability.values import (
    GRAFANA_DNS_ZONE_ID,
    GRAFANA_ID,
    GRAFANA_MAJOR_VERSIONS,
    GRAFANA_NAME,
    GrafanaSku,
    zone_redundancy_problems,
)
from aks_istio.outputs import after_apply
from aks_istio.tokens import type_token
from aks_istio.value_checks import UUID, Problems, check, constrained

_GRAFANA_ID = re.compile(GRAFANA_ID["pattern"])


def grafana_properties(args: "ManagedGrafanaArgs") -> dict[str, Any]:
    return {
        "grafana_major_version": args.major_version,
        "public_network_access": "Enabled" if args.public_network_access else "Disabled",
        "zone_redundancy": "Enabled" if args.zone_redundant else "Disabled",
        "api_key": "Enabled" if args.service_accounts else "Disabled",
        "grafana_integrations": {
            "azure_monitor_workspace_integrations": [{"azure_monitor_workspace_resource_id": args.workspace_id}]
        },
    }


def people_roles(args: "ManagedGrafanaArgs") -> list[tuple[str, str, str]]:
    """(child role name, role GUID, object id) for every person or group from config."""
    grants = []
    for role, guid, ids in (
        ("admin", sm.ROLE_GRAFANA_ADMIN, args.admins),
        ("editor", sm.ROLE_GRAFANA_EDITOR, args.editors),
        ("viewer", sm.ROLE_GRAFANA_VIEWER, args.viewers),
    ):
        grants += [(f"{role}-{str(object_id)[:8]}", guid, str(object_id)) for object_id in ids]
    return grants


@dataclass(frozen=True, kw_only=True)
class ManagedGrafanaArgs:
    """Inputs of `ManagedGrafana`."""

    name: str = constrained(**GRAFANA_NAME)
    """Instance name (ignored with `existing_id`)."""
    existing_id: str | None = constrained(None, **GRAFANA_ID)
    """Reuse this Grafana instead of creating one: it gets read access (link the workspace to it yourself)."""
    sku: GrafanaSku = GrafanaSku.STANDARD
    """Pricing tier of a created instance."""
    major_version: str = constrained("11", choices=GRAFANA_MAJOR_VERSIONS)
    """Grafana major version (10, 11 or 12)."""
    zone_redundant: bool = False
    """Zone-redundant instance (Standard only)."""
    service_accounts: bool = False
    """Allow Grafana service accounts (needed for a dashboard-provisioning token)."""
    admins: list[str] = constrained(default_factory=list, **UUID)
    """Entra object ids that get Grafana Admin."""
    editors: list[str] = constrained(default_factory=list, **UUID)
    """Entra object ids that get Grafana Editor."""
    viewers: list[str] = constrained(default_factory=list, **UUID)
    """Entra object ids that get Grafana Viewer."""
    public_network_access: bool
    """Resolved from settings and environment (off in prod unless configured)."""
    workspace_id: pulumi.Input[str]
    """The Azure Monitor workspace Grafana reads."""
    resource_group_name: pulumi.Input[str]
    """Group of the instance; Grafana's identity gets Monitoring Reader on it."""
    location: str
    """Azure region."""
    tags: dict[str, str] = field(default_factory=dict)
    """Azure tags of a created instance."""
    protect: bool = False
    """Protect the instance (dashboards, users and settings live in it)."""
    private_endpoint_subnet_id: pulumi.Input[str] | None = None
    """Set: a private endpoint for the instance in this subnet (see `PrivateAccess`)."""
    private_dns_zone_id: str | None = constrained(None, **GRAFANA_DNS_ZONE_ID)
    """With a private endpoint: register it in this existing privatelink.grafana.azure.com zone."""
    dashboards_token: pulumi.Input[str] | None = None
    """A Grafana service-account token (keep it secret, e.g. `pulumi.Config(...).require_secret(...)`): set, the
    Istio dashboards are provisioned through it; unset, they are left to import (the `dashboards` output)."""

    def __post_init__(self) -> None:
        check(self)

    def rules(self, problems: Problems) -> None:
        zone_redundancy_problems(self.sku, self.zone_redundant, problems)


class ManagedGrafana(pulumi.ComponentResource):
    """Azure Managed Grafana reading the Azure Monitor workspace, with its role grants and the Istio dashboards."""

    grafana_id: pulumi.Output[str]
    """ARM id of the instance."""
    endpoint: pulumi.Output[str]
    """Grafana URL."""
    principal_id: pulumi.Output[str]
    """Object id of the instance's system-assigned identity."""
    dashboards: pulumi.Output[list[str]]
    """Titles of the Istio dashboards (provisioned, or to import)."""
    dashboards_provisioned: pulumi.Output[bool]
    """Whether the dashboards were created in the instance by this program."""

    def __init__(self, name: str, args: ManagedGrafanaArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        """Declare the component `name` (its children's names start with it) from `args`; `opts` are Pulumi's
        resource options.

        Fields of `args` (`ManagedGrafanaArgs`):
            name: Instance name (ignored with `existing_id`).
            existing_id: Reuse this Grafana instead of creating one: it gets read access (link the workspace to it
                yourself).
            sku: Pricing tier of a created instance.
            major_version: Grafana major version (10, 11 or 12).
            zone_redundant: Zone-redundant instance (Standard only).
            service_accounts: Allow Grafana service accounts (needed for a dashboard-provisioning token).
            admins: Entra object ids that get Grafana Admin.
            editors: Entra object ids that get Grafana Editor.
            viewers: Entra object ids that get Grafana Viewer.
            public_network_access: Resolved from settings and environment (off in prod unless configured).
            workspace_id: The Azure Monitor workspace Grafana reads.
            resource_group_name: Group of the instance; Grafana's identity gets Monitoring Reader on it.
            location: Azure region.
            tags: Azure tags of a created instance.
            protect: Protect the instance (dashboards, users and settings live in it).
            private_endpoint_subnet_id: Set: a private endpoint for the instance in this subnet (see `PrivateAccess`).
            private_dns_zone_id: With a private endpoint: register it in this existing privatelink.grafana.azure.com
                zone.
            dashboards_token: A Grafana service-account token (keep it secret, e.g.
                `pulumi.Config(...).require_secret(...)`): set, the Istio dashboards are provisioned through it; unset,
                they are left to import (the `dashboards` output).

        Outputs (attributes of the component):
            grafana_id: ARM id of the instance.
            endpoint: Grafana URL.
            principal_id: Object id of the instance's system-assigned identity.
            dashboards: Titles of the Istio dashboards (provisioned, or to import).
            dashboards_provisioned: Whether the dashboards were created in the instance by this program.
        """
        super().__init__(type_token("ManagedGrafana"), name, None, opts)
        client = authorization.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=self))
        instance = self._declare_instance(name, args)
        self._grant_grafana_reads(name, args, instance.principal_id, client.subscription_id)
        self._grant_people_their_roles(name, args, instance.grafana_id, client.subscription_id)
        reachable_through = self._declare_private_access(name, args, instance.grafana_id)
        if args.dashboards_token is not None:
            token = pulumi.Output.secret(args.dashboards_token)
            _provision_dashboards(name, instance.endpoint, token, self, reachable_through)

        self.grafana_id = instance.grafana_id
        self.endpoint = instance.endpoint
        self.principal_id = instance.principal_id
        self.dashboards = pulumi.Output.from_input([d["title"] for d in dashboards().values()])
        self.dashboards_provisioned = pulumi.Output.from_input(args.dashboards_token is not None)
        self.register_outputs(
            {
                "grafana_id": self.grafana_id,
                "endpoint": self.endpoint,
                "principal_id": self.principal_id,
                "dashboards": self.dashboards,
                "dashboards_provisioned": self.dashboards_provisioned,
            }
        )

    def _declare_instance(self, name: str, args: ManagedGrafanaArgs) -> "GrafanaInstance":
        """The instance created here, or the existing one `existing_id` names (looked up, not declared)."""
        if args.existing_id is not None:
            match = _GRAFANA_ID.match(args.existing_id)
            assert match is not None  # checked in ManagedGrafanaArgs
            existing = dashboard.get_grafana_output(
                resource_group_name=match["rg"],
                workspace_name=match["name"],
                opts=pulumi.InvokeOutputOptions(parent=self),
            )
            return GrafanaInstance.of(
                pulumi.Output.from_input(args.existing_id), existing.properties, existing.identity
            )
        created = dashboard.Grafana(
            f"{name}-instance",
            resource_group_name=args.resource_group_name,
            workspace_name=args.name,
            location=args.location,
            sku={"name": args.sku.value},
            identity={"type": "SystemAssigned"},
            properties=grafana_properties(args),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        return GrafanaInstance.of(created.id, created.properties, created.identity)

    def _grant_grafana_reads(
        self,
        name: str,
        args: ManagedGrafanaArgs,
        principal_id: pulumi.Input[str],
        subscription_id: pulumi.Output[str],
    ) -> None:
        """Grafana's identity reads the workspace's metrics and browses the resource group's resources."""
        group_id = resource_group_id(subscription_id, args.resource_group_name)
        for role, guid, scope in (
            ("monitoring-data-reader", sm.ROLE_MONITORING_DATA_READER, pulumi.Output.from_input(args.workspace_id)),
            ("monitoring-reader", sm.ROLE_MONITORING_READER, group_id),
        ):
            grant(
                f"{name}-{role}",
                role_guid=guid,
                scope=scope,
                principal_id=principal_id,
                subscription_id=subscription_id,
                parent=self,
            )

    def _grant_people_their_roles(
        self, name: str, args: ManagedGrafanaArgs, grafana_id: pulumi.Input[str], subscription_id: pulumi.Input[str]
    ) -> None:
        """Grafana Admin, Editor and Viewer on the instance for the people and groups listed."""
        for role, guid, object_id in people_roles(args):
            grant(
                f"{name}-{role}",
                role_guid=guid,
                scope=grafana_id,
                principal_id=object_id,
                subscription_id=subscription_id,
                parent=self,
                managed_identity=False,
            )

    def _declare_private_access(
        self, name: str, args: ManagedGrafanaArgs, grafana_id: pulumi.Input[str]
    ) -> list[pulumi.Resource]:
        """A private endpoint for a created instance, when asked for: what dashboard provisioning waits for."""
        if args.private_endpoint_subnet_id is None or args.existing_id is not None:
            return []
        # With public network access off, the endpoint is the only way to the instance (and its dashboards).
        private = PrivateAccess(
            f"{name}-private",
            PrivateAccessArgs(
                endpoint_name=f"pe-{args.name}",
                target_id=grafana_id,
                group_id=sm.GRAFANA_PRIVATE_LINK_GROUP,
                dns_zone_name=sm.GRAFANA_PRIVATE_DNS_ZONE,
                subnet_id=args.private_endpoint_subnet_id,
                existing_dns_zone_id=args.private_dns_zone_id,
                resource_group_name=args.resource_group_name,
                location=args.location,
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return [private]


class GrafanaInstance(NamedTuple):
    """The Grafana a `ManagedGrafana` works with (created, or the existing one looked up)."""

    grafana_id: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    principal_id: pulumi.Output[str]
    """Object id of its system-assigned identity."""

    @classmethod
    def of(
        cls, grafana_id: pulumi.Output[str], properties: pulumi.Output[Any], identity: pulumi.Output[Any]
    ) -> "GrafanaInstance":
        """Read from the instance's `properties` and `identity` (known only after apply)."""
        return cls(
            grafana_id=grafana_id,
            endpoint=properties.apply(lambda p: after_apply(_get(p, "endpoint"), "Grafana endpoint")),
            principal_id=identity.apply(lambda i: after_apply(_get(i, "principal_id"), "Grafana identity principal")),
        )


def _get(value: Any, key: str) -> Any:
    if isinstance(value, Mapping):
        return value.get(key)
    return getattr(value, key, None)


def _provision_dashboards(
    name: str,
    endpoint: pulumi.Output[str],
    token: pulumi.Output[str],
    parent: pulumi.Resource,
    reachable_through: list[pulumi.Resource],
) -> None:
    """The Istio folder and dashboards, through a Grafana provider authenticated with the service-account token.

    Imported here: pulumiverse-grafana is only loaded by stacks that provision dashboards.
    """
    import pulumiverse_grafana as grafana

    provider = grafana.Provider(
        f"{name}-provider", url=endpoint, auth=token, opts=pulumi.ResourceOptions(parent=parent)
    )
    # A private instance answers only once its endpoint and DNS record exist.
    on_grafana = pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=reachable_through)
    folder = grafana.oss.Folder(f"{name}-folder", title=FOLDER_TITLE, uid="aks-istio", opts=on_grafana)
    for uid, model in dashboards().items():
        grafana.oss.Dashboard(
            f"{name}-dashboard-{uid}",
            folder=folder.uid,
            config_json=json.dumps(model, sort_keys=True),
            overwrite=True,
            opts=on_grafana,
        )
