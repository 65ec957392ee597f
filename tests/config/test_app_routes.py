"""`gateways.apps`: the apps a stack publishes through the add-on's gateways are AppRoutes, validated with the rest
of the stack (every problem at once, at its key)."""

from __future__ import annotations

from typing import Any

from aks_istio.config import load_stack_config
from aks_istio.gateways.app_ingress_values import AppRoute, TlsMode
from tests.config.gateway_support import ROOT, problems_of
from tests.support import merge, raw_platform

SUBSCRIPTION = "00000000-0000-0000-0000-000000000001"
VAULT = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-certs/providers/Microsoft.KeyVault/vaults/kv-apps"
CERTIFICATE = {
    "keyVaultId": VAULT,
    "tenantId": "11111111-2222-3333-4444-555555555555",
    "certObjectName": "shop-crt",
    "keyObjectName": "shop-key",
}


def app(**changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": "shop",
        "hosts": ["shop.example.com"],
        "backend": {"service": "shop", "namespace": "apps", "port": 8080},
        "certificate": CERTIFICATE,
    }
    return merge(entry, changes)


def apps(*entries: dict[str, Any], secrets_provider: bool = True) -> dict[str, Any]:
    """dev without its plug-in CA, so only `cluster.keyVaultSecretsProvider` turns the add-on on."""
    return {
        "gateways": {"apps": list(entries)},
        "mesh": {"pluginCa": None},
        "cluster": {"keyVaultSecretsProvider": secrets_provider},
    }


def test_an_app_entry_is_an_app_route_with_camel_case_keys() -> None:
    config = load_stack_config(
        merge(raw_platform("dev"), apps(app(tlsMode="MUTUAL", certificate={"caObjectName": "ca"})))
    )
    [route] = config.gateways.apps
    assert isinstance(route, AppRoute)
    assert route.tls_mode is TlsMode.MUTUAL and route.certificate is not None
    assert route.certificate.ca_object_name == "ca"


def test_no_apps_is_the_default() -> None:
    assert load_stack_config(raw_platform("prod")).gateways.apps == []


def test_a_certificate_needs_the_secrets_provider_add_on() -> None:
    found = problems_of("dev", apps(app(), secrets_provider=False))
    assert found == [
        "aks-istio:platform.cluster.keyVaultSecretsProvider: false, but gateways.apps[0] (shop) syncs its SIMPLE "
        "certificate from Key Vault with that add-on; allowed: true"
    ]


def test_the_plug_in_ca_brings_the_add_on_for_apps_too() -> None:
    load_stack_config(merge(raw_platform("dev"), {"gateways": {"apps": [app()]}}))  # dev: generated plug-in CA


def test_every_problem_of_the_apps_at_once_at_its_key() -> None:
    found = problems_of(
        "dev",
        apps(
            app(gateway="External"),
            app(access={"sourceRanges": ["10.0.0.0/8"]}),
            app(api="GatewayApi", name="api"),
            app(name="other", hosts=["shop.example.com"]),
        ),
    )
    keys = [p.split(": ")[0].removeprefix(f"{ROOT}.") for p in found]
    assert keys == [
        "apps[0].gateway",
        "apps[1].access.sourceRanges",
        "apps[1].name",
        "apps[2].api",
        "apps[3].hosts",
    ]
    assert "allowed: gateways.ingress.internal.externalTrafficPolicy: Local" in found[1]


def test_bad_values_are_refused_naming_the_field() -> None:
    found = problems_of(
        "dev",
        apps(
            app(tlsMode="STRICT"),
            app(name="b", hosts=["b.example.com"], httpsPort=8443),
            app(name="c", hosts=["Shop"]),
            app(name="d", hosts=["d.example.com"], typo=1),
        ),
    )
    assert found == [
        f"{ROOT}.apps[0].tlsMode: 'STRICT' is not valid: allowed: 'NONE', 'SIMPLE', 'MUTUAL' or 'PASSTHROUGH'",
        f"{ROOT}.apps[3].typo: unknown key; allowed keys: name, hosts, backend, gateway, api, tlsMode, certificate, "
        "httpsRedirect, httpsPort, httpPort, pathRoutes, timeout, retries, access",
        f"{ROOT}.apps[1].httpsPort: 8443 is not exposed by aks-istio-ingressgateway-internal (ports 80/http2, "
        "443/https, fixed by AKS); allowed: 443",
        f"{ROOT}.apps[2].hosts[0]: 'Shop' is not valid: does not have the allowed form; allowed: a lowercase DNS "
        "name, e.g. shop.example.com, or one with a leading *. wildcard",
    ]


def test_a_rule_names_the_other_fields_by_their_keys() -> None:
    found = problems_of(
        "dev", apps(app(tlsMode="PASSTHROUGH", timeout="5s"), app(name="b", hosts=["b.example.com"], access={}))
    )
    assert found == [
        f"{ROOT}.apps[0].certificate: set, but tlsMode PASSTHROUGH uses none; allowed: SIMPLE or MUTUAL",
        f"{ROOT}.apps[0].timeout: set, but tlsMode PASSTHROUGH routes by SNI only; the gateway never sees HTTP (no "
        "requests to time)",
        f"{ROOT}.apps[1].access: neither sourceRanges nor jwt is set; allowed: at least one of them (or no access "
        "limits at all)",
    ]
