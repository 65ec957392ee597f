"""Every key our components put in an azure-native payload is a property of the SDK's input type at that place.

Components pass nested dicts (`{"private_link_service_id": ..., "group_ids": [...]}`); the SDK renames the keys
it knows to their wire names and sends any other key unchanged, and ARM ignores what it does not know. A typo
in a nested key would deploy a resource without the setting and no error. The SDK's own type metadata (the
same the engine's property translation uses) names every property each input type has, so the captured wire
payload of every azure-native resource of every stack is walked against it, at every depth.
"""

from __future__ import annotations

import collections.abc
import sys
import typing
from typing import Any

import pulumi
import pytest
from pulumi import _types

from aks_istio.offline.capture import CapturedResource, run_program
from aks_istio.offline.stack_files import stack_config
from tests.sdk_types import input_types

PACKAGE = "pulumi_azure_native."


def _inner(typ: Any, origins: tuple[Any, ...], position: int) -> Any:
    """The element (position 0) or value (position -1) type of a sequence or mapping type inside `typ`."""
    pending = [typ]
    while pending:
        current = pending.pop()
        origin = typing.get_origin(current)
        if origin in origins:
            return typing.get_args(current)[position]
        if origin in (typing.Union, collections.abc.Awaitable):
            pending.extend(typing.get_args(current))
    return None


def unknown_keys(value: Any, typ: Any, path: str) -> list[str]:
    """Paths of `value`'s keys (at any depth) that the input type expected there does not have."""
    if isinstance(value, dict):
        candidates = input_types(typ)
        if candidates:
            properties: dict[str, Any] = {}
            for candidate in candidates:
                for name, property_type in _types.input_type_types(candidate).items():
                    properties.setdefault(name, property_type)
            return [
                problem
                for key, item in value.items()
                for problem in (
                    [f"{path}.{key}"] if key not in properties else unknown_keys(item, properties[key], f"{path}.{key}")
                )
            ]
        element = _inner(typ, (dict, collections.abc.Mapping), -1)
        return [p for key, item in value.items() for p in unknown_keys(item, element, f"{path}.{key}")]
    if isinstance(value, list):
        element = _inner(typ, (list, collections.abc.Sequence), 0)
        return [p for i, item in enumerate(value) for p in unknown_keys(item, element, f"{path}[{i}]")]
    return []


def resource_args() -> dict[str, type]:
    """`azure-native:<module>:<Kind>` -> the `<Kind>InitArgs` (or `<Kind>Args`) class of every loaded resource."""
    found: dict[str, type] = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith(PACKAGE) or name.count(".") != 2:
            continue
        for attribute, value in list(vars(module).items()):
            if isinstance(value, type) and issubclass(value, pulumi.CustomResource) and value.__module__ == name:
                args = getattr(module, f"{attribute}InitArgs", None) or getattr(module, f"{attribute}Args", None)
                if args is not None:
                    found[f"azure-native:{name.split('.')[1]}:{attribute}"] = args
    return found


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_every_azure_native_payload_key_is_a_property_of_its_input_type(stack: str) -> None:
    resources: list[CapturedResource] = [
        r for r in run_program(stack, stack_config(stack)).resources if r.type.startswith("azure-native:")
    ]
    args = resource_args()
    assert {r.type for r in resources} <= args.keys()
    problems = [f"{r.type} {r.name}: {p}" for r in resources for p in unknown_keys(r.inputs, args[r.type], "")]
    assert problems == []
    assert len(resources) > 10  # the walk covered the stack (it returns nothing for nothing)


def test_a_misspelt_nested_key_is_found() -> None:
    run_program("prod", stack_config("prod"))  # loads the resource modules the stack uses
    endpoint = resource_args()["azure-native:network:PrivateEndpoint"]
    payload = {"privateLinkServiceConnections": [{"name": "pe", "groupId": ["grafana"]}], "subnet": {"id": "s"}}
    assert unknown_keys(payload, endpoint, "") == [".privateLinkServiceConnections[0].groupId"]
