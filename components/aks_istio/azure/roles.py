"""Azure RBAC grants, declared one way everywhere: built-in role GUIDs from the support matrix, addressed under
the subscription they are assigned in."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import authorization


def role_definition_id(subscription_id: pulumi.Input[str], role_guid: str) -> pulumi.Output[str]:
    """Built-in role definitions are addressed under the subscription they are assigned in."""
    return pulumi.Output.concat(
        "/subscriptions/", subscription_id, "/providers/Microsoft.Authorization/roleDefinitions/", role_guid
    )


def resource_group_id(subscription_id: pulumi.Input[str], group: pulumi.Input[str]) -> pulumi.Output[str]:
    return pulumi.Output.concat("/subscriptions/", subscription_id, "/resourceGroups/", group)


def grant(
    name: str,
    *,
    role_guid: str,
    scope: pulumi.Input[str],
    principal_id: pulumi.Input[str],
    subscription_id: pulumi.Input[str],
    parent: pulumi.Resource,
    managed_identity: bool = True,
    role_assignment_name: pulumi.Input[str] | None = None,
) -> authorization.RoleAssignment:
    """`role_guid` on `scope` for `principal_id`, under `role_assignment_name` (a GUID) if given, else a random one.

    Managed identities are marked ServicePrincipal so ARM skips the directory lookup that fails for an identity
    created seconds earlier (replication delay); people and groups from config are left for ARM to resolve.
    """
    return authorization.RoleAssignment(
        name,
        scope=scope,
        principal_id=principal_id,
        principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL if managed_identity else None,
        role_definition_id=role_definition_id(subscription_id, role_guid),
        role_assignment_name=role_assignment_name,
        opts=pulumi.ResourceOptions(parent=parent),
    )
