"""Kubernetes YAML that a program hands to pulumi-kubernetes' `yaml.v2.ConfigFile` / `ConfigGroup`, expanded offline.

Those two are components the Kubernetes provider builds (remote components): under mocks they register as one
opaque resource, and the objects in the YAML would never reach the policy pack. We expand them as the provider does
(pulumi-kubernetes provider/pkg/provider/yaml/v2): documents from `files` (globs for ConfigGroup), `yaml` and `objs`;
`List` kinds unrolled; each object a `kubernetes:<group>/<version>:<Kind>` child named
`[<prefix>-][<namespace>/]<name>`, the prefix defaulting to the component's name; Secret `data`/`stringData` marked
secret. So the pack judges every object, each placed at its document's line in its file.
"""

from __future__ import annotations

import glob
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

from aks_istio.offline.capture import UNKNOWN
from aks_istio.offline.program_harness import SECRET_SIG, SIG_KEY, qualified_urn

CONFIG_FILE: Final = "kubernetes:yaml/v2:ConfigFile"
CONFIG_GROUP: Final = "kubernetes:yaml/v2:ConfigGroup"
YAML_COMPONENTS: Final = (CONFIG_FILE, CONFIG_GROUP)
_GLOB: Final = re.compile(r"(?:^|[^\\])[*?\[]")
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlNotExpandedError(Exception):
    """The YAML cannot be read offline (an input known only after apply, a URL): its objects are not judged."""


class YamlError(Exception):
    """The YAML is wrong in a way `pulumi preview` would fail on too (a missing file, bad YAML, no name)."""


@dataclass(frozen=True)
class KubernetesObject:
    type: str
    name: str
    properties: dict[str, Any]
    """On the wire (secrets as signature objects)."""
    file: Path | None
    line: int | None


def expand(type_: str, name: str, inputs: Mapping[str, Any], folder: Path) -> list[KubernetesObject]:
    """The objects a ConfigFile/ConfigGroup named `name` with wire `inputs` declares; files relative to `folder`."""
    if _has_unknown(inputs):
        raise YamlNotExpandedError("an input is known only after apply")
    prefix = inputs.get("resourcePrefix", name)
    skip_await = bool(inputs.get("skipAwait"))
    documents: list[tuple[Any, Path | None, int | None]] = []
    files = [inputs["file"]] if type_ == CONFIG_FILE else list(inputs.get("files") or [])
    for file in files:
        for path in _paths(str(file), folder, glob_=type_ == CONFIG_GROUP):
            documents.extend(_documents(_read(path), path))
    text = inputs.get("yaml")
    for chunk in text if isinstance(text, list) else [text] if text else []:
        documents.extend(_documents(str(chunk), None))
    documents.extend((obj, None, None) for obj in inputs.get("objs") or [])
    return [
        _object(item, str(prefix or ""), skip_await, path, line)
        for document, path, line in documents
        for item in _unrolled(document)
    ]


def _has_unknown(value: Any) -> bool:
    if isinstance(value, Mapping):
        return any(_has_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_unknown(v) for v in value)
    return bool(value == UNKNOWN)


def _paths(file: str, folder: Path, *, glob_: bool) -> list[Path]:
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", file):
        raise YamlNotExpandedError(f"{file} is a URL, which the offline check does not fetch")
    if glob_ and _GLOB.search(file):
        return [Path(p) for p in sorted(glob.glob(str(folder / file)))]
    return [folder / file]


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError as error:
        raise YamlError(f"cannot read {path}: {error.strerror or error}") from None


def _documents(text: str, path: Path | None) -> Iterator[tuple[Any, Path | None, int | None]]:
    """Each non-empty document with the line it starts on."""
    try:
        loader = _LOADER(text)
        try:
            while loader.check_node():
                node = loader.get_node()
                if node is None:
                    continue
                document = _json_values(loader.construct_document(node))
                if document:
                    yield document, path, node.start_mark.line + 1
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        raise YamlError(f"{path or 'yaml'}: not valid YAML: {error}") from None


def _json_values(value: Any) -> Any:
    """As Kubernetes' YAML-to-JSON decoder reads it: dates and other YAML-only scalars stay strings."""
    if isinstance(value, Mapping):
        return {str(k): _json_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_values(v) for v in value]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    return str(value)


def _unrolled(document: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(document, Mapping):
        raise YamlError(f"a YAML document is not a Kubernetes object: {str(document)[:100]}")
    if str(document.get("kind", "")).endswith("List") and isinstance(document.get("items"), list):
        for item in document["items"]:
            yield from _unrolled(item)
        return
    yield dict(document)


def _object(
    obj: dict[str, Any], prefix: str, skip_await: bool, path: Path | None, line: int | None
) -> KubernetesObject:
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not api_version or not kind:
        raise YamlError(f"Kubernetes resources require a kind and apiVersion: {str(obj)[:100]}")
    metadata = dict(obj.get("metadata") or {})
    if not metadata.get("name"):
        raise YamlError(f"YAML object does not have a .metadata.name: {str(obj)[:100]}")
    name = str(metadata["name"])
    if metadata.get("namespace"):
        name = f"{metadata['namespace']}/{name}"
    if prefix:
        name = f"{prefix}-{name}"
    properties = dict(obj)
    if skip_await:
        metadata["annotations"] = {**(metadata.get("annotations") or {}), "pulumi.com/skipAwait": "true"}
        properties["metadata"] = metadata
    if f"{api_version}/{kind}" == "v1/Secret":
        for key in ("data", "stringData"):
            if key in properties:
                properties[key] = {SIG_KEY: SECRET_SIG, "value": properties[key]}
    group, _, version = str(api_version).rpartition("/")
    return KubernetesObject(f"kubernetes:{group or 'core'}/{version}:{kind}", name, properties, path, line)


def child_urn(parent_urn: str, type_: str, name: str) -> str:
    stack, project = parent_urn.split("::")[0].removeprefix("urn:pulumi:"), parent_urn.split("::")[1]
    return qualified_urn(stack, project, parent_urn, type_, name)
