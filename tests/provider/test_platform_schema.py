"""Other languages get the stack file's schema: AksIstioPlatform's `platform` input, object by object, is the stack
file's JSON Schema (same keys, same required keys, same enum values, same maps and lists), with `Any` only where
the stack file takes any JSON (listed below, each for its reason)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter

from aks_istio.config import StackConfig
from tests.provider.test_package import REVIEWED_SCHEMA

PLATFORM = "aks-istio:index:AksIstioPlatform"

ANY_JSON = {
    # MeshConfig is Istio's open schema; the add-on's allowlist is checked by the value's rules.
    "mesh.meshConfig.fields",
    # Kubernetes object fields of AKS's Gateway API customization ConfigMaps, allowlisted by the rules.
    "gateways.gatewayApi.classDefaults",
    "gateways.gatewayApi.gateways[].parameters",
}


def package_shape(schema: dict[str, Any], node: dict[str, Any], path: str) -> Any:
    """A comparable shape of a package-schema property: objects by key (with their required keys), enums by
    value, arrays and maps by element, `Any` as such."""
    if "$ref" in node:
        ref = node["$ref"]
        if ref == "pulumi.json#/Any":
            return "any"
        target = schema["types"][ref.removeprefix("#/types/")]
        if "enum" in target:
            return ("enum", sorted(str(member["value"]) for member in target["enum"]))
        return (
            "object",
            sorted(target.get("required", [])),
            {k: package_shape(schema, v, f"{path}.{k}") for k, v in target["properties"].items()},
        )
    if node.get("type") == "array":
        return ("list", package_shape(schema, node["items"], f"{path}[]"))
    if node.get("type") == "object":
        return ("map", package_shape(schema, node.get("additionalProperties", {"$ref": "pulumi.json#/Any"}), path))
    return node.get("type")


def stack_shape(defs: dict[str, Any], node: dict[str, Any], path: str) -> Any:
    """The same shape of a node of the stack file's JSON Schema (pydantic's, from the value types)."""
    if "anyOf" in node:
        options = [o for o in node["anyOf"] if o.get("type") != "null" and "const" not in o]
        return stack_shape(defs, options[0], path)  # X | None; migrated: a list or the shorthand `all`
    if "$ref" in node:
        target = defs[node["$ref"].removeprefix("#/$defs/")]
        if "enum" in target:  # an Enum of the value types
            return ("enum", sorted(str(v) for v in target["enum"]))
        return stack_shape(defs, target, path)
    if node.get("type") == "object" and "properties" in node:
        return (
            "object",
            sorted(node.get("required", [])),
            {k: stack_shape(defs, v, f"{path}.{k}") for k, v in node["properties"].items()},
        )
    if node.get("type") == "array":
        return ("list", stack_shape(defs, node.get("items", {}), f"{path}[]"))
    if node.get("type") == "object":
        extra = node.get("additionalProperties", True)
        return ("map", "any" if extra is True else stack_shape(defs, extra, path))
    if node == {} or node.get("additionalProperties") is True:
        return "any"
    return node.get("type")


def test_the_platform_input_is_the_stack_files_schema_object_by_object() -> None:
    package = json.loads(REVIEWED_SCHEMA.read_text())
    platform = package["resources"][PLATFORM]["inputProperties"]["platform"]
    stack = TypeAdapter(StackConfig).json_schema(by_alias=True)
    assert package_shape(package, platform, "") == stack_shape(stack["$defs"], stack, "")


def test_any_only_where_the_stack_file_takes_any_json() -> None:
    package = json.loads(REVIEWED_SCHEMA.read_text())
    found: list[str] = []

    def walk(shape: Any, path: str) -> None:
        if shape == "any" or shape == ("map", "any"):
            found.append(path)
        elif isinstance(shape, tuple) and shape[0] == "object":
            for key, inner in shape[2].items():
                walk(inner, f"{path}.{key}" if path else key)
        elif isinstance(shape, tuple) and shape[0] == "list":
            walk(shape[1], f"{path}[]")
        elif isinstance(shape, tuple) and shape[0] == "map":
            walk(shape[1], path)

    walk(package_shape(package, package["resources"][PLATFORM]["inputProperties"]["platform"], ""), "")
    assert sorted(found) == sorted(ANY_JSON)


def test_no_test_seam_and_secrets_are_marked() -> None:
    platform = json.loads(REVIEWED_SCHEMA.read_text())["resources"][PLATFORM]
    assert "today" not in platform["inputProperties"]
    assert platform["inputProperties"]["grafanaDashboardsToken"]["secret"] is True
    assert platform["properties"]["kubeconfig"]["secret"] is True
