"""AppIngress: one app behind the add-on's internal or external gateway, Microsoft's secure-ingress procedure in one
resource (https://learn.microsoft.com/azure/aks/istio-secure-gateway); and KeyVaultSecretsReader, the one grant a
vault of app certificates needs.

What the procedure leaves to each team, and where it fails (wrong selector, the Secret in the wrong namespace, a
SecretProviderClass nobody mounts, routes not bound), is declared here from one set of values:

- SIMPLE/MUTUAL: a SecretProviderClass syncing tls.crt/tls.key (and ca.crt) from Key Vault with the Key Vault
  secrets provider add-on's identity, into the gateway pods' namespace; a small pod that mounts it (the CSI driver
  creates the Secret only while a pod mounts it); the *Key Vault Secrets User* grant for that identity on the vault.
- Istio API: a Gateway selecting the add-on's gateway by its label on the ports it exposes (80, 443), and a
  VirtualService bound to it by `<namespace>/<name>`.
- Gateway API: a Gateway of class `istio` of the app's own, and HTTPRoutes on its listeners.
- Access: a DENY AuthorizationPolicy (and a RequestAuthentication for JWT) scoped to the app's hosts.

Gateway API and Key Vault certificates: App Routing's Key Vault TLS integration (listener `tls.options`
`kubernetes.azure.com/tls-cert-keyvault-uri`) is reconciled by the Application Routing operator for Gateways of
*its* class, `approuting-istio` (https://learn.microsoft.com/azure/aks/app-routing-gateway-api-dns-tls, "TLS
integration"), and the add-on's Gateway API and App Routing's implementation "cannot be enabled simultaneously"
(https://learn.microsoft.com/azure/aks/istio-gateway-api, Limitations). So a Gateway of class `istio` cannot use
it beside the add-on, and the same SecretProviderClass flow runs in the Gateway's namespace instead (what
https://learn.microsoft.com/azure/aks/app-routing-gateway-api-tls does by hand).
"""

from dataclasses import dataclass
from typing import Any, cast

import pulumi
import pulumi_kubernetes as k8s
from pulumi_azure_native import authorization

from aks_istio.addon import support_matrix as sm
from aks_istio.azure.roles import grant
from aks_istio.gateways import app_ingress_objects as objects
from aks_istio.gateways.app_ingress_values import AppIngressArgs, IngressApi, raise_problems
from aks_istio.gateways.gateway_api import customization_data, parameters_configmap_name
from aks_istio.tokens import type_token


def vault_grant(
    name: str,
    *,
    key_vault_id: str,
    principal_id: pulumi.Input[str],
    subscription_id: pulumi.Input[str],
    parent: pulumi.Resource,
) -> authorization.RoleAssignment:
    """*Key Vault Secrets User* on the vault for the secrets provider add-on's identity, under the name its
    scope, role and principal determine (`role_assignment_name`)."""
    assignment = pulumi.Output.from_input(principal_id).apply(
        lambda principal: objects.role_assignment_name(key_vault_id, sm.ROLE_KEY_VAULT_SECRETS_USER, principal)
    )
    return grant(
        name,
        role_guid=sm.ROLE_KEY_VAULT_SECRETS_USER,
        scope=key_vault_id,
        principal_id=principal_id,
        subscription_id=subscription_id,
        parent=parent,
        role_assignment_name=assignment,
    )


@dataclass(frozen=True, kw_only=True)
class KeyVaultSecretsReaderArgs:
    """Inputs of `KeyVaultSecretsReader`."""

    key_vault_id: str
    """ARM id of the vault holding app certificates."""
    secrets_provider_object_id: pulumi.Input[str]
    """Object id of the Key Vault secrets provider add-on's identity (`AksIstioCluster.secrets_provider_object_id`)."""
    subscription_id: pulumi.Input[str]
    """Subscription whose built-in role definition is assigned."""

    def __post_init__(self) -> None:
        if not sm.KEY_VAULT_ID_PATTERN.match(self.key_vault_id):
            problem = f"key_vault_id: {self.key_vault_id!r} is not a vault's ARM id"
            raise_problems("KeyVaultSecretsReaderArgs", [problem])


class KeyVaultSecretsReader(pulumi.ComponentResource):
    """The *Key Vault Secrets User* grant for the secrets provider add-on's identity on one vault.

    ARM takes one assignment per scope, role and principal and refuses a second (`RoleAssignmentExists`), so a
    vault that several apps' certificates share gets this once, and every `AppIngress` on it sets
    `grant_vault_access: false`. Its name is derived from scope, role and principal, so the same grant declared
    twice is one ARM object (and the second create fails plainly as "already exists", never as a second grant).
    """

    role_assignment_id: pulumi.Output[str]
    """ARM id of the role assignment."""

    def __init__(self, name: str, args: KeyVaultSecretsReaderArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("KeyVaultSecretsReader"), name, None, opts)
        created = vault_grant(
            f"{name}-secrets-user",
            key_vault_id=args.key_vault_id,
            principal_id=args.secrets_provider_object_id,
            subscription_id=args.subscription_id,
            parent=self,
        )
        self.role_assignment_id = created.id
        self.register_outputs({"role_assignment_id": self.role_assignment_id})


class AppIngress(pulumi.ComponentResource):
    """One app behind the add-on's internal or external gateway: its certificate from Key Vault, the Gateway, the
    route to its Service and, optionally, who may reach it."""

    gateway: pulumi.Output[str]
    """`<namespace>/<name>` of the Gateway the app's route is bound to."""
    hosts: pulumi.Output[list[str]]
    """The hosts the app answers on."""
    credential_name: pulumi.Output[str | None]
    """The Secret the certificate is synced into (in the gateway pods' namespace); None without TLS termination."""

    def __init__(self, name: str, args: AppIngressArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token("AppIngress"), name, None, opts)
        self._provider = cast(pulumi.ProviderResource, args.kubernetes_provider)  # the Args checked its type

        # The Gateway waits for its certificate: a server whose credential is missing fails its listener.
        certificate = self._certificate(name, args)
        if args.api is IngressApi.GATEWAY_API:
            gateway = self._gateway_api(name, args, certificate)
        else:
            gateway = self._custom(f"{name}-gateway", objects.istio_gateway(args), certificate)
            self._custom(f"{name}-route", objects.virtual_service(args), [gateway])
        for suffix, body in (
            ("request-authentication", objects.request_authentication(args)),
            ("access", objects.authorization_policy(args)),
        ):
            if body is not None:  # in place before the gateway serves the app
                self._custom(f"{name}-{suffix}", body, [])

        self.gateway = pulumi.Output.from_input(objects.gateway_reference(args))
        self.hosts = pulumi.Output.from_input(list(args.hosts))
        self.credential_name = pulumi.Output.from_input(objects.credential_name(args) if args.terminates_tls else None)
        self.register_outputs({"gateway": self.gateway, "hosts": self.hosts, "credential_name": self.credential_name})

    def _in_cluster(self, depends_on: list[pulumi.Resource]) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, provider=self._provider, depends_on=depends_on)

    def _custom(self, name: str, body: dict[str, Any], depends_on: list[pulumi.Resource]) -> pulumi.Resource:
        created: pulumi.Resource = k8s.apiextensions.CustomResource(name, **body, opts=self._in_cluster(depends_on))
        return created

    def _certificate(self, name: str, args: AppIngressArgs) -> list[pulumi.Resource]:
        """SIMPLE/MUTUAL: the grant, the SecretProviderClass and the pod that makes the driver sync it."""
        if not args.terminates_tls or args.certificate is None or args.secrets_provider_client_id is None:
            return []
        declared: list[pulumi.Resource] = []
        if args.grant_vault_access:
            assert args.secrets_provider_object_id is not None and args.subscription_id is not None  # Args checked
            declared.append(
                vault_grant(
                    f"{name}-vault-secrets-user",
                    key_vault_id=args.certificate.key_vault_id,
                    principal_id=args.secrets_provider_object_id,
                    subscription_id=args.subscription_id,
                    parent=self,
                )
            )
        spc = self._custom(
            f"{name}-certificate", objects.secret_provider_class(args, args.secrets_provider_client_id), declared
        )
        sync = k8s.apps.v1.Deployment(
            f"{name}-certificate-sync", **objects.secret_sync_deployment(args), opts=self._in_cluster([spc])
        )
        return [*declared, spc, sync]

    def _gateway_api(self, name: str, args: AppIngressArgs, certificate: list[pulumi.Resource]) -> pulumi.Resource:
        """The app's Gateway of class `istio` (after its customization ConfigMap), then its HTTPRoutes."""
        gateway_value = objects.api_gateway(args)
        before = list(certificate)
        if gateway_value.parameters:
            params = k8s.core.v1.ConfigMap(
                f"{name}-gateway-params",
                metadata={"name": parameters_configmap_name(gateway_value), "namespace": gateway_value.namespace},
                data=customization_data(gateway_value.parameters),
                opts=self._in_cluster([]),
            )
            before.append(params)
        gateway = self._custom(f"{name}-gateway", objects.api_gateway_object(args), before)
        for body in objects.http_routes(args):
            suffix = body["metadata"]["name"].removeprefix(args.name)
            self._custom(f"{name}-route{suffix}", body, [gateway])
        return gateway
