"""The components as Pulumi's component-provider host would serve them to other languages.

`pulumi.provider.experimental.analyzer` infers the package schema from the component classes and their Args
(the host serves Python components to TypeScript, Go, .NET and YAML through it). It refuses unions, `Literal`,
tuples, pydantic models and unresolved string annotations; these tests keep every public component in the shapes
it accepts, with a description on every input, output and nested field.
"""

import functools
import json
from typing import Any

import pulumi
import pytest
from pulumi.provider.experimental.analyzer import Analyzer, PropertyDefinition

import aks_istio
from aks_istio.component_package import DataclassArgsProvider
from aks_istio.tokens import PACKAGE

COMPONENTS = sorted(
    name
    for name in aks_istio.__all__
    if isinstance(getattr(aks_istio, name), type) and issubclass(getattr(aks_istio, name), pulumi.ComponentResource)
)


def analyze() -> Any:
    return Analyzer(PACKAGE).analyze([getattr(aks_istio, name) for name in COMPONENTS])


def test_the_analyzer_accepts_every_public_component() -> None:
    result = analyze()
    assert set(result["component_definitions"]) == set(COMPONENTS)
    assert {
        "AksIstioPlatform",
        "AksIstioCluster",
        "IngressGateway",
        "MeshNamespaces",
        "ManagedPrometheus",
        "ManagedGrafana",
    } <= set(COMPONENTS)


@functools.cache
def served_schema() -> dict[str, Any]:
    """The schema the component package serves: the inference's, amended by our provider (a field a base class
    declares is described where it is declared)."""
    components = [getattr(aks_istio, name) for name in COMPONENTS]
    served = DataclassArgsProvider(components, PACKAGE, "0.0.0").schema
    assert served is not None
    schema: dict[str, Any] = json.loads(served)
    return schema


@pytest.mark.parametrize("component", COMPONENTS)
def test_every_input_and_output_is_described(component: str) -> None:
    resource = served_schema()["resources"][f"{PACKAGE}:index:{component}"]
    assert resource.get("description"), component
    undescribed = [f"input {k}" for k, p in resource["inputProperties"].items() if not p.get("description")]
    undescribed += [f"output {k}" for k, p in resource["properties"].items() if not p.get("description")]
    assert undescribed == [], component


def test_every_nested_type_field_and_enum_is_described() -> None:
    undescribed: list[str] = []
    for name, type_def in served_schema()["types"].items():
        if not type_def.get("description"):
            undescribed.append(name)
        undescribed += [f"{name}.{k}" for k, p in type_def.get("properties", {}).items() if not p.get("description")]
    assert undescribed == []


def test_inputs_keep_their_python_types_in_the_schema() -> None:
    """Spot checks that the inferred schema says what the Args say: enums as enum types, wiring as inputs."""
    components = analyze()["component_definitions"]
    ingress = components["IngressGateway"].inputs
    assert ingress["mode"].ref == f"#/types/{PACKAGE}:index:IngressMode"
    assert ingress["staticIp"].optional
    wiring: PropertyDefinition = ingress["principalId"]
    assert wiring.plain is None  # a pulumi.Input: may be another resource's output
    cluster = components["AksIstioCluster"].inputs
    assert cluster["cluster"].ref == f"#/types/{PACKAGE}:index:ClusterSpec"
    assert not cluster["revisions"].optional
    platform = components["AksIstioPlatform"]
    assert platform.outputs["kubeconfig"].description
    assert set(platform.outputs) >= {"kubeconfig", "ingressIps", "grafanaEndpoint", "workspaceId"}
