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

from dataclasses import dataclass, field
from typing import Any, cast

import pulumi
import pulumi_kubernetes as k8s
from pulumi_azure_native import authorization

from aks_istio.addon import rules
from aks_istio.addon import support_matrix as sm
from aks_istio.azure.roles import grant
from aks_istio.gateways import app_ingress_objects as objects
from aks_istio.gateways.app_ingress_values import KEY_VAULT_ID, AppRoute, IngressApi
from aks_istio.gateways.gateway_api import customization_data, parameters_configmap_name
from aks_istio.gateways.modes import ExternalTrafficPolicy
from aks_istio.kubernetes_provider import FIELD, kubernetes_provider_field, kubernetes_provider_problem
from aks_istio.tokens import type_token
from aks_istio.value_checks import Problems, check, constrained, field_name


@dataclass(frozen=True, kw_only=True)
class AppIngressArgs:
    """Inputs of `AppIngress`: the app's route and how it reaches the cluster, the vault and the gateway."""

    route: AppRoute
    """The app: hosts, Service, gateway, TLS mode and certificate, routes, access."""
    kubernetes_provider: pulumi.Input[k8s.Provider] = kubernetes_provider_field()
    """The cluster's Kubernetes provider (`AksIstioCluster.k8s_provider`): every object goes to that cluster."""
    gateway_external_traffic_policy: ExternalTrafficPolicy | None = None
    """Istio API: the classic gateway Service's externalTrafficPolicy (`IngressGatewayArgs`); source ranges need
    Local. Gateway API: ignored (the app's own gateway gets Local when it has source ranges)."""
    secrets_provider_client_id: pulumi.Input[str] | None = None
    """SIMPLE/MUTUAL: client id of the Key Vault secrets provider add-on's identity
    (`AksIstioCluster.secrets_provider_client_id`); the cluster must run the add-on."""
    secrets_provider_object_id: pulumi.Input[str] | None = None
    """SIMPLE/MUTUAL with `grant_vault_access`: object id of that identity."""
    grant_vault_access: bool = True
    """Declare the *Key Vault Secrets User* grant for the add-on identity on the certificate's vault. ARM takes
    one such grant per vault and identity: when apps share a vault, declare `KeyVaultSecretsReader` once for it
    and set this to false on every app."""
    subscription_id: pulumi.Input[str] | None = None
    """With `grant_vault_access`: the subscription whose built-in role definition is assigned."""
    revisions: list[str] = field(default_factory=list)
    """Gateway API: the revisions the cluster runs (all must support Gateway API)."""

    def __post_init__(self) -> None:
        check(self)

    def rules(self, problems: Problems) -> None:
        """The wiring the route needs: the Kubernetes provider, the add-on identity for a certificate, revisions
        for Gateway API, client addresses for source ranges (the route checked its own fields)."""
        provider_problem = kubernetes_provider_problem(self.kubernetes_provider)
        if provider_problem is not None:
            problems.add(FIELD, provider_problem.removeprefix(f"{FIELD}: "))
        route = self.route
        if not problems.fine(("route", "tls_mode"), ("route", "api")):
            return
        if route.terminates_tls:
            self._identity_rules(problems)
        if route.api is IngressApi.GATEWAY_API:
            for problem in rules.revision_set_problems(self.revisions):
                problems.add("revisions", problem)
            for problem in rules.gateway_api_problems(
                self.revisions,
                app_routing_istio=False,
                allowed_instead=f"only {sm.GATEWAY_API_MIN_REVISION} or newer in {field_name('revisions')}, or "
                f"{field_name(('route', 'api'))}: 'Istio'",
                named=field_name,
            ):
                problems.add(("route", "api"), f"'GatewayApi' {problem}")
        elif (
            route.access is not None
            and route.access.source_ranges
            and not self._keeps_client_addresses
            and problems.fine("gateway_external_traffic_policy")
        ):
            shown = self.gateway_external_traffic_policy
            problems.add(
                "gateway_external_traffic_policy",
                f"{repr(shown.value) if shown else 'unset'}, but {field_name(('route', 'access', 'source_ranges'))} "
                "needs Local: with Cluster the gateway sees node addresses, not clients'; allowed: Local (set the "
                "gateway's externalTrafficPolicy: Local first)",
            )

    @property
    def _keeps_client_addresses(self) -> bool:
        return self.gateway_external_traffic_policy is ExternalTrafficPolicy.LOCAL

    def _identity_rules(self, problems: Problems) -> None:
        if self.secrets_provider_client_id is None:
            problems.add(
                "secrets_provider_client_id",
                "missing; the certificate is synced by the Key Vault secrets provider add-on (turn it on: "
                "ClusterSpec.key_vault_secrets_provider / stack key cluster.keyVaultSecretsProvider, then pass "
                "AksIstioCluster.secrets_provider_client_id)",
            )
        if self.grant_vault_access:
            for key in ("secrets_provider_object_id", "subscription_id"):
                if getattr(self, key) is None:
                    problems.add(
                        key,
                        f"missing; {field_name('grant_vault_access')} declares the add-on identity's Key Vault "
                        f"Secrets User grant (or set {field_name('grant_vault_access')}: false where "
                        "KeyVaultSecretsReader declares it)",
                    )


ADDON_OFF = (
    "{field} is None: the cluster runs no Key Vault secrets provider add-on, so nothing can sync the certificate; "
    "allowed: the id of a cluster that runs it (ClusterSpec.key_vault_secrets_provider / stack key "
    "cluster.keyVaultSecretsProvider: true)"
)


def addon_identity(resolved: str | None, field: str) -> str:
    """The cluster reports its secrets provider add-on's identity as None when the add-on is off: refused then,
    by name, rather than sent as a null identity the certificate could never sync with."""
    if resolved is None:
        raise ValueError(ADDON_OFF.format(field=field))
    return resolved


def present(value: pulumi.Input[str | None], field: str) -> pulumi.Output[str]:
    """`value` once it resolves, checked by `addon_identity` (an Output's value is only known then)."""
    return pulumi.Output.from_input(value).apply(lambda resolved: addon_identity(resolved, field))


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
    principal_id = present(principal_id, "secrets_provider_object_id")
    assignment = principal_id.apply(
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

    key_vault_id: str = constrained(**KEY_VAULT_ID)
    """ARM id of the vault holding app certificates."""
    secrets_provider_object_id: pulumi.Input[str]
    """Object id of the Key Vault secrets provider add-on's identity (`AksIstioCluster.secrets_provider_object_id`)."""
    subscription_id: pulumi.Input[str]
    """Subscription whose built-in role definition is assigned."""

    def __post_init__(self) -> None:
        check(self)


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
        """Declare the component `name` (its children's names start with it) from `args`; `opts` are Pulumi's
        resource options.

        Fields of `args` (`KeyVaultSecretsReaderArgs`):
            key_vault_id: ARM id of the vault holding app certificates.
            secrets_provider_object_id: Object id of the Key Vault secrets provider add-on's identity
                (`AksIstioCluster.secrets_provider_object_id`).
            subscription_id: Subscription whose built-in role definition is assigned.

        Outputs (attributes of the component):
            role_assignment_id: ARM id of the role assignment.
        """
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
        """Declare the component `name` (its children's names start with it) from `args`; `opts` are Pulumi's
        resource options.

        Fields of `args` (`AppIngressArgs`):
            route: The app: hosts, Service, gateway, TLS mode and certificate, routes, access.
            kubernetes_provider: The cluster's Kubernetes provider (`AksIstioCluster.k8s_provider`): every object goes
                to that cluster.
            gateway_external_traffic_policy: Istio API: the classic gateway Service's externalTrafficPolicy
                (`IngressGatewayArgs`); source ranges need Local. Gateway API: ignored (the app's own gateway gets Local
                when it has source ranges).
            secrets_provider_client_id: SIMPLE/MUTUAL: client id of the Key Vault secrets provider add-on's identity
                (`AksIstioCluster.secrets_provider_client_id`); the cluster must run the add-on.
            secrets_provider_object_id: SIMPLE/MUTUAL with `grant_vault_access`: object id of that identity.
            grant_vault_access: Declare the *Key Vault Secrets User* grant for the add-on identity on the certificate's
                vault. ARM takes one such grant per vault and identity: when apps share a vault, declare
                `KeyVaultSecretsReader` once for it and set this to false on every app.
            subscription_id: With `grant_vault_access`: the subscription whose built-in role definition is assigned.
            revisions: Gateway API: the revisions the cluster runs (all must support Gateway API).

        Outputs (attributes of the component):
            gateway: `<namespace>/<name>` of the Gateway the app's route is bound to.
            hosts: The hosts the app answers on.
            credential_name: The Secret the certificate is synced into (in the gateway pods' namespace); None without
                TLS termination.
        """
        super().__init__(type_token("AppIngress"), name, None, opts)
        route = args.route
        self._provider = cast(pulumi.ProviderResource, args.kubernetes_provider)  # the Args checked its type

        # The Gateway waits for its certificate: a server whose credential is missing fails its listener.
        certificate = self._certificate(name, args)
        if route.api is IngressApi.GATEWAY_API:
            gateway = self._gateway_api(name, route, certificate)
        else:
            gateway = self._custom(f"{name}-gateway", objects.istio_gateway(route), certificate)
            self._custom(f"{name}-route", objects.virtual_service(route), [gateway])
        for suffix, body in (
            ("request-authentication", objects.request_authentication(route)),
            ("access", objects.authorization_policy(route)),
        ):
            if body is not None:  # in place before the gateway serves the app
                self._custom(f"{name}-{suffix}", body, [])

        self.gateway = pulumi.Output.from_input(objects.gateway_reference(route))
        self.hosts = pulumi.Output.from_input(list(route.hosts))
        self.credential_name = pulumi.Output.from_input(
            objects.credential_name(route) if route.terminates_tls else None
        )
        self.register_outputs({"gateway": self.gateway, "hosts": self.hosts, "credential_name": self.credential_name})

    def _in_cluster(self, depends_on: list[pulumi.Resource]) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, provider=self._provider, depends_on=depends_on)

    def _custom(self, name: str, body: dict[str, Any], depends_on: list[pulumi.Resource]) -> pulumi.Resource:
        created: pulumi.Resource = k8s.apiextensions.CustomResource(name, **body, opts=self._in_cluster(depends_on))
        return created

    def _certificate(self, name: str, args: AppIngressArgs) -> list[pulumi.Resource]:
        """SIMPLE/MUTUAL: the grant, the SecretProviderClass and the pod that makes the driver sync it."""
        route = args.route
        if not route.terminates_tls or route.certificate is None or args.secrets_provider_client_id is None:
            return []
        declared: list[pulumi.Resource] = []
        if args.grant_vault_access:
            assert args.secrets_provider_object_id is not None and args.subscription_id is not None  # Args checked
            declared.append(
                vault_grant(
                    f"{name}-vault-secrets-user",
                    key_vault_id=route.certificate.key_vault_id,
                    principal_id=args.secrets_provider_object_id,
                    subscription_id=args.subscription_id,
                    parent=self,
                )
            )
        spc = self._custom(
            f"{name}-certificate",
            objects.secret_provider_class(
                route, present(args.secrets_provider_client_id, "secrets_provider_client_id")
            ),
            declared,
        )
        sync = k8s.apps.v1.Deployment(
            f"{name}-certificate-sync", **objects.secret_sync_deployment(route), opts=self._in_cluster([spc])
        )
        return [*declared, spc, sync]

    def _gateway_api(self, name: str, route: AppRoute, certificate: list[pulumi.Resource]) -> pulumi.Resource:
        """The app's Gateway of class `istio` (after its customization ConfigMap), then its HTTPRoutes."""
        gateway_value = objects.api_gateway(route)
        before = list(certificate)
        if gateway_value.parameters:
            params = k8s.core.v1.ConfigMap(
                f"{name}-gateway-params",
                metadata={"name": parameters_configmap_name(gateway_value), "namespace": gateway_value.namespace},
                data=customization_data(gateway_value.parameters),
                opts=self._in_cluster([]),
            )
            before.append(params)
        gateway = self._custom(f"{name}-gateway", objects.api_gateway_object(route), before)
        for body in objects.http_routes(route):
            suffix = body["metadata"]["name"].removeprefix(route.name)
            self._custom(f"{name}-route{suffix}", body, [gateway])
        return gateway
