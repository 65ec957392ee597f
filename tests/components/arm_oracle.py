"""Check payloads against the Azure SDK's own models (azure-mgmt-containerservice, and any other azure-mgmt-* SDK
of the same generator such as azure-mgmt-containerservicefleet), field by field.

The SDK's models are generated from the same REST specs ARM validates against, so a key it does not know, an
enum value outside its enum, or a missing `Required.` field is a payload ARM would reject or silently ignore.
"""

from __future__ import annotations

import enum
import functools
import importlib
import re
import sys
import typing
from collections.abc import Mapping
from typing import Any

import azure.mgmt.containerservice.models as sdk
from azure.mgmt.containerservice._utils import model_base
from azure.mgmt.containerservice.models import _models

_NAMESPACE = {**vars(_models), **vars(sdk), "_models": sdk}


@functools.cache
def _namespace(module: str) -> dict[str, Any]:
    """The names a model's annotations refer to: its SDK's `_models` module and `models` package."""
    if module == _models.__name__:
        return _NAMESPACE
    package = importlib.import_module(module.rsplit(".", 1)[0])
    return {**vars(sys.modules[module]), **vars(package), "_models": package}


def _is_rest_field(value: Any) -> bool:
    """A REST field of any SDK (each vendors its own `model_base`)."""
    return isinstance(value, model_base._RestField) or type(value).__name__ == "_RestField"


@functools.cache
def wire_fields(model: type) -> dict[str, Any]:
    """Wire name -> annotation, for every REST field of `model` (inherited ones included)."""
    hints = typing.get_type_hints(model, globalns=_namespace(model.__module__))
    fields: dict[str, Any] = {}
    for cls in reversed(model.__mro__):
        for attr, value in vars(cls).items():
            if _is_rest_field(value):
                fields[value._rest_name_input or attr] = hints.get(attr)
    return fields


@functools.cache
def required_fields(model: type) -> set[str]:
    """Wire names the model's docstring marks `Required.`"""
    doc = model.__doc__ or ""
    required = set()
    names = {attr: wire for wire, attr in _attr_by_wire(model).items()}
    for match in re.finditer(r":ivar (\w+):(.*?)(?=:vartype|\Z)", doc, re.S):
        if "Required." in match.group(2):
            required.add(names.get(match.group(1), match.group(1)))
    return required


def _attr_by_wire(model: type) -> dict[str, str]:
    out = {}
    for cls in reversed(model.__mro__):
        for attr, value in vars(cls).items():
            if _is_rest_field(value):
                out[value._rest_name_input or attr] = attr
    return out


def _is_model(cls: type) -> bool:
    return issubclass(cls, model_base.Model) or any(base.__name__ == "Model" for base in cls.__mro__[1:])


def _unwrap(annotation: Any) -> tuple[str, Any]:
    """('model'|'enum'|'list'|'dict'|'scalar', inner)."""
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin is typing.Union:
        enums = [a for a in args if isinstance(a, type) and issubclass(a, enum.Enum)]
        if enums:
            return "enum", enums[0]
        models = [a for a in args if isinstance(a, type) and _is_model(a)]
        if models:
            return "model", models[0]
        lists = [a for a in args if typing.get_origin(a) is list]
        dicts = [a for a in args if typing.get_origin(a) is dict]
        if lists:
            return _unwrap(lists[0])
        if dicts:
            return _unwrap(dicts[0])
        return "scalar", None
    if origin is list:
        return "list", args[0]
    if origin is dict:
        return "dict", args[1]
    if isinstance(annotation, type) and _is_model(annotation):
        return "model", annotation
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "enum", annotation
    return "scalar", None


def problems(
    payload: Mapping[str, Any], model: type, path: str = "", *, skip: frozenset[str] = frozenset()
) -> list[str]:
    """Every way `payload` departs from `model`: unknown keys, bad enum values, missing required fields."""
    found: list[str] = []
    fields = wire_fields(model)
    for key, value in payload.items():
        if key in skip:
            continue
        where = f"{path}.{key}" if path else key
        if key not in fields:
            found.append(f"{where}: not a field of {model.__name__}")
            continue
        found += _check_value(value, fields[key], where)
    for key in required_fields(model) - set(payload) - skip:
        found.append(f"{path or model.__name__}: required field {key!r} of {model.__name__} is missing")
    return found


def _check_value(value: Any, annotation: Any, where: str) -> list[str]:
    kind, inner = _unwrap(annotation)
    if kind == "model" and isinstance(value, Mapping):
        return problems(value, inner, where)
    if kind == "enum" and isinstance(value, str):
        allowed = {e.value for e in inner}
        return [] if value in allowed else [f"{where}: {value!r} not in {sorted(allowed)}"]
    if kind == "list" and isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _check_value(v, inner, f"{where}[{i}]")]
    if kind == "dict" and isinstance(value, Mapping):
        return [p for k, v in value.items() for p in _check_value(v, inner, f"{where}[{k}]")]
    return []


def managed_cluster_problems(inputs: Mapping[str, Any]) -> list[str]:
    """azure-native flattens `properties` into the resource's inputs; path parameters are not body fields."""
    top = wire_fields(sdk.ManagedCluster)
    body = {k: v for k, v in inputs.items() if k in top}
    properties = {k: v for k, v in inputs.items() if k not in top and k not in ("resourceGroupName", "resourceName")}
    return problems(body, sdk.ManagedCluster, skip=frozenset({"properties"})) + problems(
        properties, sdk.ManagedClusterProperties, "properties"
    )


def agent_pool_problems(inputs: Mapping[str, Any]) -> list[str]:
    path_params = {"resourceGroupName", "resourceName", "agentPoolName"}
    properties = {k: v for k, v in inputs.items() if k not in path_params}
    return problems(properties, sdk.ManagedClusterAgentPoolProfileProperties, "properties")


def role_assignment_problems(inputs: Mapping[str, Any]) -> list[str]:
    """A RoleAssignment against azure-mgmt-authorization's RoleAssignmentCreateParameters of API 2022-04-01 (the
    version pulumi-azure-native 3.x's RoleAssignment speaks): azure-native flattens `properties`; `scope` and
    `roleAssignmentName` are path parameters. msrest-style models: `_attribute_map` holds the wire names,
    `_validation` the required and read-only ones."""
    from azure.mgmt.authorization.v2022_04_01 import models as authorization

    model = authorization.RoleAssignmentCreateParameters
    wire = {spec["key"].removeprefix("properties."): attr for attr, spec in model._attribute_map.items()}
    rules = model._validation
    body = {k: v for k, v in inputs.items() if k not in ("scope", "roleAssignmentName")}
    found = [f"properties.{key}: not a field of {model.__name__}" for key in body if key not in wire]
    found += [
        f"properties.{key}: read-only in {model.__name__}"
        for key in body
        if key in wire and rules.get(wire[key], {}).get("readonly")
    ]
    found += [
        f"properties: required field {key!r} of {model.__name__} is missing"
        for key, attr in wire.items()
        if rules.get(attr, {}).get("required") and key not in body
    ]
    principal_types = {member.value for member in authorization.PrincipalType}
    if "principalType" in body and body["principalType"] not in principal_types:
        found.append(f"properties.principalType: {body['principalType']!r} not in {sorted(principal_types)}")
    return found
