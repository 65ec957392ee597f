"""One refusal, three ways in: every invalid platform object is refused with the same message by the stack file, by
the Python values built in code, and by Construct from another language over the plugin protocol."""

from __future__ import annotations

import copy
import dataclasses
import enum
import inspect
import types
import typing
from collections.abc import Iterator
from typing import Any

import grpc  # type: ignore[import-untyped]  # grpcio ships no type stubs
import pytest

from aks_istio.config import ConfigError, StackConfig, load_stack_config
from aks_istio.config.presets import with_preset
from aks_istio.gateways.app_ingress import AppIngressArgs
from aks_istio.gateways.app_ingress_values import AppRoute
from aks_istio.value_checks import InvalidValueError, Problem, render_path, snake
from tests.components.stand_ins import kubernetes_provider
from tests.provider.plugin import PROVIDER_DIR, ProviderPlugin, RecordingEngine, input_errors, resource_reference
from tests.support import merge, raw_platform

ROOT = "aks-istio:platform."
PLATFORM = "aks-istio:index:AksIstioPlatform"

# Each: what the stack file gets wrong, laid over the dev stack (one problem, or several in different keys).
INVALID: dict[str, dict[str, Any]] = {
    "pool name": {"cluster": {"userPools": [{"name": "batch-jobs"}]}},
    "pool counts": {"cluster": {"userPools": [{"name": "apps", "minCount": 5, "maxCount": 1}]}},
    "tier": {"cluster": {"tier": "Gold"}},
    "os sku": {"cluster": {"userPools": [{"name": "apps", "osSku": "Windows"}]}},
    "pod cidr in the vnet": {"cluster": {"network": {"podCidr": "10.20.0.0/24"}}},
    "service cidr /8": {"cluster": {"network": {"serviceCidr": "10.0.0.0/8", "dnsServiceIp": "10.0.0.10"}}},
    "cilium policy on azure": {"cluster": {"network": {"dataplane": "azure"}}},
    "revision on kubernetes": {"cluster": {"kubernetesVersion": "1.31"}},
    "namespace name": {"mesh": {"namespaces": [{"name": "Apps_1"}]}},
    "reserved namespace": {"mesh": {"namespaces": [{"name": "kube-system"}]}},
    "mesh config field": {"mesh": {"meshConfig": {"fields": {"foo": 1}}}},
    "plug-in ca source": {"mesh": {"pluginCa": {"generateDevCa": False}}},
    "gateway hpa": {
        "gateways": {"ingress": {"internal": {"enabled": True, "hpa": {"minReplicas": 1, "maxReplicas": 3}}}}
    },
    "grafana zone redundancy": {
        "observability": {"enabled": True, "grafana": {"sku": "Essential", "zoneRedundant": True}}
    },
    "location": {"location": "West Europe"},
    "pool name and revision": {
        "cluster": {"kubernetesVersion": "1.31", "userPools": [{"name": "batch-jobs"}]},
        "mesh": {"revision": "asm-1-30"},
    },
}

# An app (`gateways.apps[]`, an AppIngress's `route`) valid on the dev stack, and what each fixture gets wrong.
APP: dict[str, Any] = {
    "name": "shop",
    "hosts": ["shop.example.com"],
    "backend": {"service": "shop", "namespace": "apps", "port": 8080},
    "certificate": {
        "keyVaultId": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-certs/providers/"
        "Microsoft.KeyVault/vaults/kv-apps",
        "tenantId": "11111111-2222-3333-4444-555555555555",
        "certObjectName": "shop-crt",
        "keyObjectName": "shop-key",
    },
}
INVALID_APPS: dict[str, dict[str, Any]] = {
    "app name": {"name": "Shop_1"},
    "app host": {"hosts": ["shop.example.com", "Shop"]},
    "app no hosts": {"hosts": []},
    "app tls mode": {"tlsMode": "STRICT"},
    "app gateway": {"gateway": "Public"},
    "app port on the classic gateway": {"httpsPort": 8443},
    "app mutual without a ca": {"tlsMode": "MUTUAL"},
    "app passthrough with http features": {
        "tlsMode": "PASSTHROUGH",
        "certificate": None,
        "timeout": "5s",
        "pathRoutes": [{"prefix": "/api", "service": "api", "port": 9090}],
    },
    "app path route outside the hosts": {
        "pathRoutes": [{"prefix": "/api", "service": "api", "port": 9090, "host": "other.example.com"}]
    },
    "app path route": {"pathRoutes": [{"prefix": "api", "service": "API", "port": 0}]},
    "app retries": {"retries": {"attempts": 20, "perTryTimeout": "soon", "retryOn": ["sometimes"]}},
    "app access": {"access": {}},
    "app jwt": {"access": {"jwt": {"issuer": "", "jwksUri": "http://keys"}}},
    "app certificate": {"certificate": {"keyVaultId": "kv-apps", "tenantId": "t", "certObjectName": "a b"}},
    "app gateway api with mutual tls": {"api": "GatewayApi", "tlsMode": "MUTUAL"},
    "app problems in several keys": {
        "name": "Shop_1",
        "backend": {"port": 0},
        "tlsMode": "NONE",
        "timeout": "soon",
    },
}
INVALID.update(
    {
        name: {"gateways": {"gatewayApi": {"enabled": True}, "apps": [merge(copy.deepcopy(APP), changes)]}}
        for name, changes in INVALID_APPS.items()
    }
)


def invalid_platform(name: str) -> dict[str, Any]:
    """The dev stack's platform object with the fixture's mistakes, presets laid under it (as complete as the
    Python values need to be: presets are a stack file's)."""
    return with_preset(merge(raw_platform("dev"), INVALID[name]))


def in_stack_file(platform: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ConfigError) as caught:
        load_stack_config(platform)
    return [(key.removeprefix(ROOT), message) for key, message in (p.split(": ", 1) for p in caught.value.problems)]


def build(annotation: Any, value: Any, path: tuple[str | int, ...]) -> Any:
    """`value` (the stack file's camelCase object) built with the value types' own constructors, inside out, as a
    library program would write it; enum fields get their strings. A refusal is raised with its path from the
    platform's root."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type) and isinstance(value, dict):
        hints: dict[str, Any] = {}
        for base in reversed(annotation.__mro__):
            hints.update(inspect.get_annotations(base))
        kwargs = {snake(k): build(hints[snake(k)], v, (*path, snake(k))) for k, v in value.items()}
        try:
            return annotation(**kwargs)
        except InvalidValueError as error:
            raise InvalidValueError(error.value_type, [p.under(*path) for p in error.problems]) from None
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list and isinstance(value, list):
        return [build(arguments[0], item, (*path, index)) for index, item in enumerate(value)]
    if origin is dict and isinstance(value, dict):
        return {key: build(arguments[1], item, path) for key, item in value.items()}
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return value  # the string: the value's own check takes it, or refuses it with the allowed list
    return value


def in_code(platform: dict[str, Any]) -> list[Problem]:
    with pytest.raises(InvalidValueError) as caught:
        build(StackConfig, platform, ())
    return caught.value.problems


@pytest.fixture(scope="module")
def plugin() -> Iterator[ProviderPlugin]:
    with RecordingEngine() as engine, ProviderPlugin(PROVIDER_DIR, engine) as plugin:
        yield plugin


def by_construct(plugin: ProviderPlugin, platform: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(grpc.RpcError) as caught:
        plugin.construct(PLATFORM, "parity", {"platform": platform})
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    found = [e.split(": ", 1) for e in input_errors(caught.value)]
    return [(path.removeprefix("platform."), reason) for path, reason in found]


@pytest.mark.parametrize("name", list(INVALID))
def test_the_stack_file_python_and_construct_refuse_with_the_same_message(plugin: ProviderPlugin, name: str) -> None:
    platform = invalid_platform(name)
    stack = in_stack_file(platform)
    assert stack, name
    assert by_construct(plugin, platform) == stack
    # Built in code, a value refuses as soon as it is made: its problems are the stack file's, key for key.
    code = [(render_path(p.path, stack_file=True), p.text(stack_file=True)) for p in in_code(platform)]
    assert code and set(code) <= set(stack), (code, stack)


def test_independent_problems_come_together_everywhere(plugin: ProviderPlugin) -> None:
    platform = invalid_platform("pool name and revision")
    keys = ["cluster.userPools[0].name", "mesh.revision", "cluster.kubernetesVersion"]
    assert [key for key, _ in in_stack_file(platform)] == keys
    assert [key for key, _ in by_construct(plugin, platform)] == keys


# --- one app: `gateways.apps[0]` in a stack file, AppIngressArgs' `route` in Python and from another language ----

APP_INGRESS = "aks-istio:index:AppIngress"
APP_KEY = "gateways.apps[0]"
PROVIDER_REF = "urn:pulumi:dev::aks-istio::pulumi:providers:kubernetes::cluster::provider-id"
# AppIngress's wiring, valid for every fixture (the route is what each gets wrong).
WIRING: dict[str, Any] = {
    "secretsProviderClientId": "client-id",
    "secretsProviderObjectId": "object-id",
    "subscriptionId": "00000000-0000-0000-0000-000000000001",
    "gatewayExternalTrafficPolicy": "Local",
    "revisions": ["asm-1-30"],
}


def app_in_stack_file(name: str) -> list[tuple[str, str]]:
    """The stack file's problems of the fixture's app, by their key under the app."""
    found = in_stack_file(invalid_platform(name))
    assert all(key.startswith(APP_KEY) for key, _ in found), found  # the app's own problems, nothing stack-wide
    return [(key.removeprefix(APP_KEY), message) for key, message in found]


def app_by_construct(plugin: ProviderPlugin, entry: dict[str, Any]) -> list[tuple[str, str]]:
    inputs = {"route": entry, "kubernetesProvider": resource_reference(PROVIDER_REF), **WIRING}
    with pytest.raises(grpc.RpcError) as caught:
        plugin.construct(APP_INGRESS, "parity", inputs)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    found = [e.split(": ", 1) for e in input_errors(caught.value)]
    return [(path.removeprefix("route"), reason) for path, reason in found]


def app_in_code(entry: dict[str, Any]) -> list[Problem]:
    """AppIngressArgs as a Python program writes it: the route built value by value, then the wiring."""
    wiring = {snake(key): value for key, value in WIRING.items()}
    with pytest.raises(InvalidValueError) as caught:
        AppIngressArgs(route=build(AppRoute, entry, ("route",)), kubernetes_provider=kubernetes_provider(), **wiring)
    return caught.value.problems


@pytest.mark.parametrize("name", list(INVALID_APPS))
def test_an_app_is_refused_alike_in_a_stack_file_in_python_and_by_construct(plugin: ProviderPlugin, name: str) -> None:
    entry = merge(copy.deepcopy(APP), INVALID_APPS[name])
    stack = app_in_stack_file(name)
    assert stack, name
    assert app_by_construct(plugin, entry) == stack
    code = [(render_path(p.path, stack_file=True), p.text(stack_file=True)) for p in app_in_code(entry)]
    assert code and {(path.removeprefix("route"), text) for path, text in code} <= set(stack), (code, stack)


def test_an_apps_independent_problems_come_together_everywhere(plugin: ProviderPlugin) -> None:
    entry = merge(copy.deepcopy(APP), INVALID_APPS["app problems in several keys"])
    keys = [".backend.port", ".name", ".timeout", ".certificate"]
    assert [key for key, _ in app_in_stack_file("app problems in several keys")] == keys
    assert [key for key, _ in app_by_construct(plugin, entry)] == keys


def test_python_names_the_fields_as_python_does() -> None:
    """The same refusal, the other fields it mentions named as each place writes them."""
    with pytest.raises(InvalidValueError) as caught:
        build(AppRoute, merge(copy.deepcopy(APP), {"tlsMode": "MUTUAL"}), ())
    assert (
        str(caught.value)
        == "AppRoute: certificate.ca_object_name: missing; tls_mode MUTUAL verifies clients against a CA"
    )
    assert app_in_stack_file("app mutual without a ca") == [
        (".certificate.caObjectName", "missing; tlsMode MUTUAL verifies clients against a CA")
    ]


def test_another_language_is_told_its_own_names(plugin: ProviderPlugin) -> None:
    """Construct's error message, not only each property's, names the fields as the caller's SDK does."""
    entry = merge(copy.deepcopy(APP), {"tlsMode": "PASSTHROUGH", "timeout": "5s", "certificate": None})
    inputs = {"route": entry, "kubernetesProvider": resource_reference(PROVIDER_REF), **WIRING}
    with pytest.raises(grpc.RpcError) as caught:
        plugin.construct(APP_INGRESS, "parity", inputs)
    message = caught.value.details()
    assert "route.timeout: set, but tlsMode PASSTHROUGH routes by SNI only" in message, message
    assert "tls_mode" not in message, message
