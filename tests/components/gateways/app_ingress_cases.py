"""AppIngress Args and programs the tests share: one app, in each variant, declared under mocks."""

from __future__ import annotations

import dataclasses
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from aks_istio.gateways.app_ingress import AppIngress, AppIngressArgs
from aks_istio.gateways.app_ingress_values import (
    AppAccess,
    AppBackend,
    AppPathRoute,
    AppRetries,
    AppRoute,
    JwtRequirement,
    KeyVaultCertificate,
)
from aks_istio.offline.capture import Capture
from tests.support import capture_program

SUBSCRIPTION = "00000000-0000-0000-0000-000000000001"
VAULT_ID = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-certs/providers/Microsoft.KeyVault/vaults/kv-apps"
TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT_ID = "client-id-of-the-secrets-provider"
OBJECT_ID = "object-id-of-the-secrets-provider"

SPC = "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
ISTIO_GATEWAY = "kubernetes:networking.istio.io/v1:Gateway"
VIRTUAL_SERVICE = "kubernetes:networking.istio.io/v1:VirtualService"
AUTHZ = "kubernetes:security.istio.io/v1:AuthorizationPolicy"
REQUEST_AUTHN = "kubernetes:security.istio.io/v1:RequestAuthentication"
API_GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"


def certificate(**changes: Any) -> KeyVaultCertificate:
    fields: dict[str, Any] = {
        "key_vault_id": VAULT_ID,
        "tenant_id": TENANT,
        "cert_object_name": "shop-crt",
        "key_object_name": "shop-key",
    }
    return KeyVaultCertificate(**(fields | changes))


def args_fields(**changes: Any) -> dict[str, Any]:
    """A SIMPLE app on the external gateway (the fields of `AppIngressArgs`, provider left out)."""
    fields: dict[str, Any] = {
        "name": "shop",
        "hosts": ["shop.example.com"],
        "backend": AppBackend(service="shop", namespace="apps", port=8080),
        "gateway": "External",
        "tls_mode": "SIMPLE",
        "certificate": certificate(),
        "secrets_provider_client_id": CLIENT_ID,
        "secrets_provider_object_id": OBJECT_ID,
        "subscription_id": SUBSCRIPTION,
    }
    return fields | changes


ROUTE_FIELDS = {f.name for f in dataclasses.fields(AppRoute)}


def make_args(provider: Any, **changes: Any) -> AppIngressArgs:
    """`AppIngressArgs` of the SIMPLE app with `changes`: route fields go to its `AppRoute`, the rest to the wiring."""
    fields = args_fields(**changes)
    route = AppRoute(**{k: v for k, v in fields.items() if k in ROUTE_FIELDS})
    wiring = {k: v for k, v in fields.items() if k not in ROUTE_FIELDS}
    return AppIngressArgs(route=route, kubernetes_provider=provider, **wiring)


VARIANTS: dict[str, dict[str, Any]] = {
    "simple": {},
    "mutual": {"tls_mode": "MUTUAL", "certificate": certificate(ca_object_name="shop-client-ca")},
    "passthrough": {"tls_mode": "PASSTHROUGH", "certificate": None},
    "none": {"tls_mode": "NONE", "certificate": None, "gateway": "Internal"},
    "gateway-api": {"api": "GatewayApi", "revisions": ["asm-1-27"]},
}

FULL = {
    "path_routes": [AppPathRoute(prefix="/api", service="shop-api", port=9090)],
    "timeout": "30s",
    "retries": AppRetries(attempts=3, per_try_timeout="5s"),
    "gateway_external_traffic_policy": "Local",
    "access": AppAccess(
        source_ranges=["203.0.113.0/24"],
        jwt=JwtRequirement(issuer="https://issuer.example.com", jwks_uri="https://issuer.example.com/keys"),
    ),
}


def declare(**changes: Any) -> Capture:
    """The program that declares one AppIngress with `changes` over the SIMPLE defaults, under mocks."""

    def program() -> None:
        provider = k8s.Provider("cluster", kubeconfig="{}")
        AppIngress("shop", make_args(provider, **changes))
        pulumi.export("done", True)

    return capture_program(program)
