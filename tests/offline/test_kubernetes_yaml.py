"""yaml.v2 ConfigFile/ConfigGroup expanded offline as the Kubernetes provider expands them (names, types, secrets,
lists, globs), and what cannot be expanded is said, never skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from aks_istio.offline.capture import UNKNOWN
from aks_istio.offline.kubernetes_yaml import (
    CONFIG_FILE,
    CONFIG_GROUP,
    YamlError,
    YamlNotExpandedError,
    child_urn,
    expand,
)
from aks_istio.offline.program_harness import SECRET_SIG, SIG_KEY

GATEWAY = """apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: web, namespace: apps}
spec: {selector: {istio: aks-istio-ingressgateway-internal}}
"""
NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n"


def test_objects_are_named_and_typed_as_the_provider_names_them(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text(f"{NAMESPACE}---\n\n---\n# the gateway\n{GATEWAY}")
    objects = expand(CONFIG_FILE, "app", {"file": "app.yaml"}, tmp_path)
    assert [(o.type, o.name, o.line) for o in objects] == [
        ("kubernetes:core/v1:Namespace", "app-apps", 1),
        ("kubernetes:networking.istio.io/v1:Gateway", "app-apps/web", 8),
    ]
    assert objects[1].file == tmp_path / "app.yaml"
    unprefixed = expand(CONFIG_GROUP, "group", {"yaml": GATEWAY, "resourcePrefix": ""}, tmp_path)
    assert [o.name for o in unprefixed] == ["apps/web"]


def test_config_group_reads_globs_strings_objects_and_unrolls_lists(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(NAMESPACE)
    (tmp_path / "b.yaml").write_text("apiVersion: v1\nkind: List\nitems:\n- " + GATEWAY.replace("\n", "\n  ").rstrip())
    inputs = {"files": ["*.yaml"], "yaml": GATEWAY.replace("web", "api"), "objs": [{**_config_map()}]}
    names = [o.name for o in expand(CONFIG_GROUP, "g", inputs, tmp_path)]
    assert names == ["g-apps", "g-apps/web", "g-apps/api", "g-apps/settings"]


def test_secret_data_is_marked_secret_and_skip_await_annotated(tmp_path: Path) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "tls"}, "data": {"tls.key": "a2V5"}}
    (obj,) = expand(CONFIG_GROUP, "g", {"objs": [secret], "skipAwait": True}, tmp_path)
    assert obj.properties["data"] == {SIG_KEY: SECRET_SIG, "value": {"tls.key": "a2V5"}}
    assert obj.properties["metadata"]["annotations"] == {"pulumi.com/skipAwait": "true"}


def test_yaml_only_scalars_stay_strings_as_kubernetes_decodes_them(tmp_path: Path) -> None:
    text = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a, annotations: {since: 2026-01-01}}\n"
    (obj,) = expand(CONFIG_GROUP, "g", {"yaml": text}, tmp_path)
    assert obj.properties["metadata"]["annotations"] == {"since": "2026-01-01"}


@pytest.mark.parametrize(
    "inputs",
    [{"file": "https://raw.githubusercontent.com/istio/istio/master/samples/bookinfo.yaml"}, {"file": UNKNOWN}],
)
def test_urls_and_values_known_only_after_apply_are_not_expanded(inputs: dict[str, str], tmp_path: Path) -> None:
    with pytest.raises(YamlNotExpandedError):
        expand(CONFIG_FILE, "remote", inputs, tmp_path)


@pytest.mark.parametrize(
    ("inputs", "says"),
    [
        ({"file": "missing.yaml"}, "cannot read"),
        ({"yaml": "kind: Namespace\nmetadata: {name: a}\n"}, "require a kind and apiVersion"),
        ({"yaml": "apiVersion: v1\nkind: Namespace\n"}, "does not have a .metadata.name"),
        ({"yaml": "a: [b"}, "not valid YAML"),
    ],
)
def test_what_pulumi_preview_would_fail_on_is_an_error(inputs: dict[str, str], says: str, tmp_path: Path) -> None:
    with pytest.raises(YamlError, match=says.replace(".", r"\.")):
        expand(CONFIG_FILE if "file" in inputs else CONFIG_GROUP, "bad", inputs, tmp_path)


def test_children_urns_carry_the_components_type_chain() -> None:
    parent = "urn:pulumi:dev::shop::kubernetes:yaml/v2:ConfigFile::mesh"
    assert child_urn(parent, "kubernetes:core/v1:Namespace", "mesh-apps") == (
        "urn:pulumi:dev::shop::kubernetes:yaml/v2:ConfigFile$kubernetes:core/v1:Namespace::mesh-apps"
    )


def _config_map() -> dict[str, object]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "apps"}}
