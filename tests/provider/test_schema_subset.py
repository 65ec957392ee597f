"""Our subset of Pulumi's package metaschema (data/pulumi-package-subset.schema.json) refuses what Pulumi or a
generated SDK's user would trip over: one well-formed package schema, then one mutation per test."""

import copy
from typing import Any

import pytest

from tests.provider.plugin import metaschema_errors

COMPONENT = "aks-istio:index:MeshNamespaces"
MTLS = "aks-istio:index:MtlsMode"
WELL_FORMED: dict[str, Any] = {
    "name": "aks-istio",
    "version": "0.1.0",
    "resources": {
        COMPONENT: {
            "isComponent": True,
            "type": "object",
            "description": "Application namespaces in the mesh.",
            "inputProperties": {
                "names": {"type": "array", "items": {"type": "string"}, "description": "Namespace names."},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Labels."},
                "mtls": {"$ref": f"#/types/{MTLS}", "plain": True, "description": "mTLS mode."},
                "clusterId": {"type": "string", "description": "ARM id of the cluster."},
            },
            "requiredInputs": ["names"],
            "properties": {"namespaces": {"type": "array", "items": {"type": "string"}, "description": "Names."}},
            "required": ["namespaces"],
        }
    },
    "types": {
        MTLS: {
            "type": "string",
            "description": "mTLS of a namespace.",
            "enum": [{"name": "STRICT", "value": "STRICT", "description": "Only mTLS traffic is accepted."}],
        }
    },
}


def mutated(path: str, value: Any) -> dict[str, Any]:
    """WELL_FORMED with the value at `path` (keys separated by '|', as type tokens hold '/') replaced, or
    removed when `value` is `...`."""
    schema = copy.deepcopy(WELL_FORMED)
    *parents, last = path.split("|")
    node: Any = schema
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is ...:
        del node[last]
    else:
        node[int(last) if isinstance(node, list) else last] = value
    return schema


def test_a_well_formed_package_schema_passes() -> None:
    assert metaschema_errors(WELL_FORMED) == []


INPUTS = f"resources|{COMPONENT}|inputProperties"


@pytest.mark.parametrize(
    ("path", "value", "error"),
    [
        pytest.param(
            f"{INPUTS}|clusterId",
            {"description": "ARM id of the cluster."},
            f"resources/{COMPONENT}/inputProperties/clusterId: 'type' is a required property",
            id="property-without-type-or-ref",
        ),
        pytest.param(
            f"{INPUTS}|clusterId|description",
            ...,
            f"resources/{COMPONENT}/inputProperties/clusterId: 'description' is a required property",
            id="property-without-description",
        ),
        pytest.param(
            f"types|{MTLS}|enum|0|description",
            None,
            f"types/{MTLS}/enum/0/description: None is not of type 'string'",
            id="enum-value-description-null",
        ),
        pytest.param(
            f"{INPUTS}|names|items",
            ...,
            f"resources/{COMPONENT}/inputProperties/names: 'items' is a required property",
            id="array-without-items",
        ),
        pytest.param(
            f"{INPUTS}|clusterId|type",
            "str",
            f"resources/{COMPONENT}/inputProperties/clusterId/type: 'str' is not one of "
            "['boolean', 'integer', 'number', 'string', 'array', 'object']",
            id="unknown-type",
        ),
        pytest.param(
            f"{INPUTS}|mtls|items",
            {"type": "string"},
            f"resources/{COMPONENT}/inputProperties/mtls: False schema does not allow {{'type': 'string'}}",
            id="ref-with-items",
        ),
        pytest.param(
            f"resources|{COMPONENT}|isComponent",
            False,
            f"resources/{COMPONENT}/isComponent: True was expected",
            id="not-a-component",
        ),
        pytest.param(
            "version",
            "0.1",
            "version: '0.1' does not match '^v?(0|[1-9][0-9]*)\\\\.(0|[1-9][0-9]*)\\\\.(0|[1-9][0-9]*)"
            "(-[0-9A-Za-z-]+(\\\\.[0-9A-Za-z-]+)*)?(\\\\+[0-9A-Za-z-]+(\\\\.[0-9A-Za-z-]+)*)?$'",
            id="version-not-semver",
        ),
        pytest.param(
            f"{INPUTS}|clusterId|secret",
            "yes",
            f"resources/{COMPONENT}/inputProperties/clusterId/secret: 'yes' is not of type 'boolean'",
            id="secret-not-boolean",
        ),
        pytest.param(
            f"{INPUTS}|clusterId|default",
            "x",
            f"resources/{COMPONENT}/inputProperties/clusterId: 'default' is not one of "
            "['plain', 'type', 'items', 'additionalProperties', '$ref', 'description', 'secret']",
            id="unreviewed-key",
        ),
    ],
)
def test_a_malformed_package_schema_is_rejected(path: str, value: Any, error: str) -> None:
    assert metaschema_errors(mutated(path, value)) == [error]


def test_a_type_token_without_a_module_is_rejected() -> None:
    schema = copy.deepcopy(WELL_FORMED)
    schema["resources"]["aks-istio::MeshNamespaces"] = schema["resources"].pop(COMPONENT)
    assert metaschema_errors(schema) == [
        "resources: 'aks-istio::MeshNamespaces' does not match "
        "'^[a-zA-Z][-a-zA-Z0-9_]*:[^0-9:][a-zA-Z0-9._/-]*:[^0-9:][a-zA-Z0-9._/-]*$'"
    ]
