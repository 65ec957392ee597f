"""Checks of a package schema that both the probe's and the package's tests run: what a caller's program (YAML
here) may write against it, and whether it says what the Python Args say."""

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi.provider.experimental.analyzer import is_input, is_optional, unwrap_optional
from pulumi.provider.experimental.util import camel_case

from aks_istio.component_package import args_type, field_annotations, field_default
from aks_istio.kubernetes_provider import REQUIRED

SCALARS: dict[str, type | tuple[type, ...]] = {"string": str, "integer": int, "number": (int, float), "boolean": bool}


def property_problems(value: Any, prop: Mapping[str, Any], types: Mapping[str, Any], path: str) -> list[str]:
    """Where a program's property value does not fit its schema property (type, enum, nested object, required)."""
    if isinstance(value, str) and value.startswith("${"):
        return []  # an interpolated output: its type is the referenced output's
    ref = prop.get("$ref", "")
    if ref and not ref.startswith("#/types/"):
        return []  # `pulumi.json#/Any`, assets, other packages' resources: nothing this schema can tell
    if ref:
        spec = types[ref.removeprefix("#/types/")]
        if "enum" in spec:
            allowed = [member["value"] for member in spec["enum"]]
            return [] if value in allowed else [f"{path}: {value!r} is not one of {allowed}"]
        return object_problems(value, spec.get("properties", {}), spec.get("required", []), types, path)
    kind = str(prop.get("type"))
    if kind == "array":
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {value!r}"]
        return [p for i, v in enumerate(value) for p in property_problems(v, prop["items"], types, f"{path}[{i}]")]
    if kind == "object":
        if not isinstance(value, dict):
            return [f"{path}: expected a map, got {value!r}"]
        item = prop.get("additionalProperties", {"type": "string"})
        return [p for k, v in value.items() for p in property_problems(v, item, types, f"{path}.{k}")]
    number_as_bool = kind in ("integer", "number") and isinstance(value, bool)
    return (
        [] if isinstance(value, SCALARS[kind]) and not number_as_bool else [f"{path}: expected {kind}, got {value!r}"]
    )


def object_problems(
    value: Any, properties: Mapping[str, Any], required: Sequence[str], types: Mapping[str, Any], path: str
) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}: expected an object, got {value!r}"]
    problems = [f"{path}.{key}: no such property" for key in value if key not in properties]
    problems += [f"{path}.{key}: required but missing" for key in required if key not in value]
    for key, item in value.items():
        if key in properties:
            problems += property_problems(item, properties[key], types, f"{path}.{key}")
    return problems


def program_problems(schema: Mapping[str, Any], program: Mapping[str, Any]) -> list[str]:
    """Every use of the package in a Pulumi YAML program that its schema does not allow: unknown types,
    unknown or missing properties, values of the wrong type, outputs the component does not have."""
    package = f"{schema['name']}:"
    ours = {key: r for key, r in program.get("resources", {}).items() if str(r.get("type")).startswith(package)}
    problems = [] if ours else [f"no resource of the {schema['name']} package"]
    for key, resource in ours.items():
        spec = schema["resources"].get(resource["type"])
        if spec is None:
            problems.append(f"{key}: the package has no {resource['type']}")
            continue
        inputs, required = spec["inputProperties"], spec.get("requiredInputs", [])
        problems += object_problems(resource.get("properties", {}), inputs, required, schema.get("types", {}), key)
    for name, expression in program.get("outputs", {}).items():
        key, _, output = str(expression).removeprefix("${").removesuffix("}").partition(".")
        spec = schema["resources"].get(ours[key]["type"]) if key in ours else None
        if spec is not None and output not in spec["properties"]:
            problems.append(f"outputs.{name}: {ours[key]['type']} has no output {output!r}")
    return problems


def annotation_problems(schema: Mapping[str, Any], components: Sequence[type[pulumi.ComponentResource]]) -> list[str]:
    """Where a served component's schema does not say what its Python code says: an input or output without a
    description, a field that is `plain` in the schema but `pulumi.Input[...]` in the Args (or the reverse), a
    field required in one and not the other, or a default the description does not state."""
    problems: list[str] = []
    for component in components:
        resource = schema["resources"].get(f"{schema['name']}:index:{component.__name__}")
        if resource is None:
            continue
        for key, prop in [*resource["inputProperties"].items(), *resource["properties"].items()]:
            if not prop.get("description"):
                problems.append(f"{component.__name__}.{key}: no description")
        annotations = field_annotations(args_type(component))
        for field in dataclasses.fields(args_type(component)):
            annotation, default, key = annotations[field.name], field_default(field), camel_case(field.name)
            prop = resource["inputProperties"][key]
            # `Input[X] | None` flattens into one Union with None, which is_input reads as an Input already.
            bare = unwrap_optional(annotation) if is_optional(annotation) and not is_input(annotation) else annotation
            if ("plain" in prop) == is_input(bare):
                problems.append(f"{component.__name__}.{field.name}: plain={prop.get('plain')} for {annotation}")
            # A REQUIRED field has a Python default only so that leaving it out gets a message saying what to pass.
            required = default is dataclasses.MISSING or bool(field.metadata.get(REQUIRED))
            required_in_python = required and not is_optional(annotation)
            if (key in resource.get("requiredInputs", [])) != required_in_python:
                problems.append(f"{component.__name__}.{field.name}: required={not required_in_python} in the schema")
            stated = "Default: `" in prop.get("description", "")
            if stated != (default not in (dataclasses.MISSING, None)):
                problems.append(f"{component.__name__}.{field.name}: default {default!r}, stated={stated}")
    return problems
