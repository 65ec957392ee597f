"""The aks-istio component package itself (provider/), as another language's program meets it: its schema, the
reviewed copy of it, and AksIstioPlatform constructed with the dev stack's settings over the real protocol."""

import functools
import json
import os
import re
from pathlib import Path
from typing import Any

import grpc  # type: ignore[import-untyped]  # grpcio ships no type stubs
import pulumi
import pytest
import yaml

import aks_istio
from aks_istio.component_package import inference_errors, public_components, wire_value
from aks_istio.offline.capture import Secret, run_program
from aks_istio.offline.stack_files import stack_config
from tests.provider.plugin import (
    PROVIDER_DIR,
    ROOT,
    ProviderPlugin,
    RecordingEngine,
    input_errors,
    metaschema_errors,
    resource_reference,
)
from tests.provider.schema_check import annotation_problems, program_problems

REVIEWED_SCHEMA = Path(__file__).resolve().parent / "schema.json"
EXAMPLE = ROOT / "examples" / "yaml-dev-cluster" / "Pulumi.yaml"
GOLDEN_DEV = ROOT / "tests" / "golden" / "preview-dev.json"


@functools.cache
def package_schema() -> dict[str, Any]:
    with RecordingEngine() as engine, ProviderPlugin(PROVIDER_DIR, engine) as plugin:
        return plugin.schema()


def component(name: str) -> type[pulumi.ComponentResource]:
    found: type[pulumi.ComponentResource] = getattr(aks_istio, name)
    return found


def test_every_public_component_is_accepted_by_the_schema_inference() -> None:
    """Which components are public (at least the six issue #15 names) is pinned by
    tests/components/test_component_schema.py; every one of them is served."""
    assert inference_errors(public_components()) == {}


def test_package_serves_every_public_component_under_its_unchanged_token() -> None:
    resources = package_schema()["resources"]
    assert set(resources) == {f"aks-istio:index:{c.__name__}" for c in public_components()}
    assert all(resource["isComponent"] for resource in resources.values())


def test_package_schema_meets_the_pulumi_package_metaschema() -> None:
    assert metaschema_errors(package_schema()) == []


def test_schema_matches_its_reviewed_copy() -> None:
    """Regenerate with `UPDATE_GOLDEN=1 python -m pytest tests/provider`, review the diff, commit it."""
    current = json.dumps(package_schema(), indent=1, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        REVIEWED_SCHEMA.write_text(current)
    assert REVIEWED_SCHEMA.read_text() == current, "the package schema changed: review it (see this test's doc)"


def test_every_input_and_output_is_described_and_only_wiring_accepts_outputs() -> None:
    assert annotation_problems(package_schema(), public_components()) == []


def python_call(monkeypatch: pytest.MonkeyPatch, name: str) -> tuple[str, Any]:
    """The resource name and Args the Python program gives component `name` for the dev stack (read as it runs)."""
    cls = component(name)
    seen: list[tuple[str, Any]] = []
    original: Any = cls.__init__

    def recording(self: Any, name: str, args: Any, opts: pulumi.ResourceOptions | None = None, **more: Any) -> None:
        # `more`: wiring the Python program passes beside the Args (not served: other languages leave it out).
        seen.append((name, args))
        original(self, name, args, opts, **more)

    monkeypatch.setattr(cls, "__init__", recording)
    run_program("dev", stack_config("dev"))
    assert len(seen) == 1, f"the dev stack declares {len(seen)} {name}"
    return seen[0]


def subtree(golden: list[dict[str, Any]], token: str, name: str) -> tuple[str, list[dict[str, Any]]]:
    """The golden component `token`/`name` (its URN) and everything declared under it."""
    root = next(r["urn"] for r in golden if r["type"] == token and r["urn"].endswith(f"::{name}"))
    by_urn = {r["urn"]: r for r in golden}

    def under(resource: dict[str, Any]) -> bool:
        parent = resource["parent"]
        return parent == root or (parent in by_urn and under(by_urn[parent]))

    return root, [r for r in golden if under(r)]


def by_urn(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(resources, key=lambda resource: str(resource["urn"]))


def rebased(value: Any, old: str, new: str) -> Any:
    """`value` with URNs under the type chain `old` moved under `new` (nested in the platform -> constructed at
    the stack's top level)."""
    if isinstance(value, str):
        return value.replace(f"::{old}$", f"::{new}$").replace(f"::{old}::", f"::{new}::")
    if isinstance(value, list):
        return [rebased(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: rebased(v, old, new) for k, v in value.items()}
    return value


@pytest.mark.parametrize("name", ["AksIstioPlatform", "MeshNamespaces"])
def test_constructed_for_dev_declares_what_the_python_program_declares(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Another language's program constructing the component with the Python program's dev settings gets the
    same children with the same payloads (tests/golden/preview-dev.json)."""
    token = f"aks-istio:index:{name}"
    resource_name, args = python_call(monkeypatch, name)
    # Aliases left out: the offline preview drops azure-native's per-API-version aliases, the plugin keeps them.
    golden = [{k: v for k, v in r.items() if k != "aliases"} for r in json.loads(GOLDEN_DEV.read_text())]
    root, expected = subtree(golden, token, resource_name)
    # The Kubernetes provider the Python program handed the component (the platform's own), passed as a caller's
    # resource reference reaches Construct: the `kubernetesProvider` input, not the ambient `providers` option.
    inside = {r["urn"] for r in expected}
    refs = {r["provider"] for r in expected if r["provider"] and r["provider"].rsplit("::", 1)[0] not in inside}
    inputs = wire_value(args)
    if "kubernetesProvider" in inputs:
        [ref] = refs
        inputs["kubernetesProvider"] = resource_reference(ref)
    else:
        assert refs == set()  # everything the component declares goes through providers it declares itself

    with RecordingEngine() as engine, ProviderPlugin(PROVIDER_DIR, engine) as plugin:
        constructed = plugin.construct(token, resource_name, inputs)

    declared = [
        {
            "urn": r.urn,
            "type": r.type,
            "parent": r.parent,
            "protect": r.protect,
            "provider": r.provider,
            "ignoreChanges": r.ignore_changes,
            "dependsOn": sorted(r.dependencies),
            "additionalSecretOutputs": r.additional_secret_outputs,
            "inputs": r.inputs,
        }
        for r in engine.monitor.registrations.values()
        if r.urn != constructed.urn
    ]
    chain = root.split("::")[2]
    expected = rebased(expected, chain, token)
    assert by_urn(json.loads(json.dumps(declared, default=str))) == by_urn(expected)


def test_kubeconfig_reaches_another_language_as_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    resource_name, args = python_call(monkeypatch, "AksIstioPlatform")
    with RecordingEngine() as engine, ProviderPlugin(PROVIDER_DIR, engine) as plugin:
        constructed = plugin.construct("aks-istio:index:AksIstioPlatform", resource_name, wire_value(args))
    assert isinstance(constructed.state["kubeconfig"], Secret)


def test_yaml_example_uses_the_package_as_its_schema_says() -> None:
    schema = json.loads(REVIEWED_SCHEMA.read_text())
    assert program_problems(schema, yaml.safe_load(EXAMPLE.read_text())) == []


def test_yaml_example_constructs_a_platform_with_the_cluster_and_mesh_it_describes() -> None:
    """The schema types `platform` as a free-form object: what the example puts in it is judged by Construct (the
    stack file's validation), as `pulumi up` of the example would."""
    platform = yaml.safe_load(EXAMPLE.read_text())["resources"]["platform"]
    with RecordingEngine() as engine, ProviderPlugin(PROVIDER_DIR, engine) as plugin:
        constructed = plugin.construct(platform["type"], "platform", platform["properties"])
    assert constructed.state["revisions"] == ["asm-1-30"]
    assert constructed.state["namespaces"] == ["apps", "legacy"]
    types = {r.type for r in engine.monitor.registrations.values()}
    assert "azure-native:containerservice:ManagedCluster" in types


def test_readme_typescript_snippet_uses_the_schemas_names() -> None:
    """The README's snippet (the SDK's property names are the schema's, camelCase in every language)."""
    section = (ROOT / "README.md").read_text().split("## Use from another language\n")[1].split("\n## ")[0]
    snippet = section.split("```typescript\n")[1].split("```")[0]
    found = re.search(r"const (\w+) = new aksIstio\.(\w+)\(", snippet)
    assert found, "the snippet constructs no aks-istio component"
    variable, cls = found.groups()
    resource = json.loads(REVIEWED_SCHEMA.read_text())["resources"][f"aks-istio:index:{cls}"]
    inputs = set(re.findall(r"^    (\w+):", snippet, re.MULTILINE))  # the args object's own keys
    outputs = set(re.findall(rf"\b{variable}\.(\w+)", snippet))
    assert set(resource["requiredInputs"]) <= inputs <= set(resource["inputProperties"])
    assert outputs and outputs <= set(resource["properties"])


def test_a_bad_platform_object_is_refused_with_every_key_named() -> None:
    platform = yaml.safe_load(EXAMPLE.read_text())["resources"]["platform"]
    bad = {"platform": {**platform["properties"]["platform"], "location": 5, "environment": "qa"}}
    with RecordingEngine() as engine, ProviderPlugin(PROVIDER_DIR, engine) as plugin:
        with pytest.raises(grpc.RpcError) as error:
            plugin.construct(platform["type"], "platform", bad)
        assert engine.monitor.registrations == {}  # refused before anything is declared
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [problem.split(":")[0] for problem in input_errors(error.value)] == [
        "platform.environment",
        "platform.location",
    ]


def test_plugin_folder_is_what_pulumi_runs() -> None:
    """`pulumi package add` runs `python provider <engine address>` in a virtualenv built from the folder's
    requirements.txt (pulumi-language-python RunPlugin); the example names the folder it adds."""
    assert yaml.safe_load((PROVIDER_DIR / "PulumiPlugin.yaml").read_text()) == {"runtime": "python"}
    assert (PROVIDER_DIR / "__main__.py").is_file()
    included = [
        line.split()[1]
        for line in (PROVIDER_DIR / "requirements.txt").read_text().splitlines()
        if line.startswith("-r ")
    ]
    assert [(PROVIDER_DIR / path).resolve() for path in included] == [ROOT / "requirements.txt"]
    assert "pulumi package add github.com/" in EXAMPLE.read_text() and ".git/provider@v" in EXAMPLE.read_text()
