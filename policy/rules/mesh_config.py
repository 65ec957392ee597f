"""MeshConfig customization: only `istio-shared-configmap-<rev>` in aks-istio-system, only allowlisted fields.

https://learn.microsoft.com/azure/aks/istio-meshconfig: fields outside the tables are denied by admission control;
"allowed" fields work but
have no Azure support; the default `istio-<rev>` ConfigMap is reconciled by the add-on.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Final

import yaml
from pulumi_policy import EnforcementLevel, Severity

from aks_istio.addon import support_matrix as sm

from ._common import (
    CONFIG_MAP_KINDS,
    DOCS,
    NO_CONFIG,
    Config,
    Props,
    Undecidable,
    get_map,
    metadata_name,
    metadata_namespace,
    str_values,
)
from .factories import Meta, resource_policy

TAGS: Final = ("istio", "meshconfig")
URL: Final = DOCS + "istio-meshconfig"
MESH_FIELDS: Final = sm.MESH_CONFIG_SUPPORTED_FIELDS | sm.MESH_CONFIG_ALLOWED_FIELDS
PROXY_FIELDS: Final = sm.PROXY_CONFIG_SUPPORTED_FIELDS | sm.PROXY_CONFIG_ALLOWED_FIELDS


def _shared_mesh(props: Props) -> tuple[str, Mapping[str, object]] | None:
    """(ConfigMap name, parsed `data.mesh`) of a shared MeshConfig; None for other ConfigMaps."""
    name = metadata_name(props) or ""
    if metadata_namespace(props) != sm.ADDON_SYSTEM_NAMESPACE or not name.startswith(sm.SHARED_MESH_CONFIGMAP_PREFIX):
        return None
    text = str_values(get_map(props, "data")).get(sm.MESH_CONFIG_DATA_KEY)
    if text is None:
        return None
    try:
        mesh = _parsed(text)
    except yaml.YAMLError as error:
        raise Undecidable(f"data.mesh is not YAML: {error}") from None
    return (name, mesh) if isinstance(mesh, Mapping) else None


@functools.lru_cache(maxsize=64)
def _parsed(text: str) -> object:
    """`data.mesh`, parsed once for both field rules and every later request with the same text (pure-Python
    PyYAML: ~0.5 ms per prod MeshConfig, the slowest rules in benchmarks/policy_throughput.py). The rules only
    read the result, so sharing it is exact. A text that fails to parse raises each time (lru_cache keeps none)."""
    return yaml.safe_load(text)


def _fields(mesh: Mapping[str, object]) -> tuple[list[str], list[str]]:
    """(top-level fields, defaultConfig fields) as `path` strings."""
    top = [str(k) for k in mesh]
    proxy = mesh.get("defaultConfig")
    return top, [f"defaultConfig.{k}" for k in proxy] if isinstance(proxy, Mapping) else []


def check_mesh_fields_allowed(props: Props, config: Config = NO_CONFIG) -> list[str]:
    parsed = _shared_mesh(props)
    if parsed is None:
        return []
    name, mesh = parsed
    top, proxy = _fields(mesh)
    messages = [
        f"{name} data.mesh.{field} is not an allowed MeshConfig field; the add-on's admission control denies it. "
        f"Allowed: {', '.join(sorted(MESH_FIELDS))}."
        for field in top
        if field not in MESH_FIELDS
    ]
    messages.extend(
        f"{name} data.mesh.{field} is not an allowed ProxyConfig field; allowed under defaultConfig: "
        f"{', '.join(sorted(PROXY_FIELDS))}."
        for field in proxy
        if field.split(".", 1)[1] not in PROXY_FIELDS
    )
    suffix = name[len(sm.SHARED_MESH_CONFIGMAP_PREFIX) :]
    if not sm.REVISION_PATTERN.match(suffix):
        messages.append(
            f"{name}: the shared MeshConfig is named istio-shared-configmap-<revision>, e.g. "
            f"{sm.SHARED_MESH_CONFIGMAP_PREFIX}{sm.REVISIONS[-1].name}; {suffix!r} is not a revision."
        )
    return messages


def check_mesh_fields_supported(props: Props, config: Config = NO_CONFIG) -> list[str]:
    parsed = _shared_mesh(props)
    if parsed is None:
        return []
    name, mesh = parsed
    top, proxy = _fields(mesh)
    unsupported = [f for f in top if f in sm.MESH_CONFIG_ALLOWED_FIELDS]
    unsupported += [f for f in proxy if f.split(".", 1)[1] in sm.PROXY_CONFIG_ALLOWED_FIELDS]
    if not unsupported:
        return []
    return [
        f"{name} sets {', '.join(unsupported)}: allowed, but outside Azure support. Prefer supported fields "
        f"({', '.join(sorted(sm.MESH_CONFIG_SUPPORTED_FIELDS))}) or the Telemetry API where one fits."
    ]


def check_no_default_configmap_edit(props: Props, config: Config = NO_CONFIG) -> list[str]:
    name = metadata_name(props) or ""
    if metadata_namespace(props) != sm.ADDON_SYSTEM_NAMESPACE or not sm.DEFAULT_MESH_CONFIGMAP_PATTERN.match(name):
        return []
    return [
        f"ConfigMap {sm.ADDON_SYSTEM_NAMESPACE}/{name} is the add-on's own MeshConfig and is reconciled (edits are "
        f"reverted); put your settings in {sm.SHARED_MESH_CONFIGMAP_PREFIX}{name.removeprefix('istio-')} instead."
    ]


ALLOWED = resource_policy(
    Meta(
        "meshconfig-allowed-fields-only",
        "The shared MeshConfig sets only fields the add-on allows.",
        Severity.HIGH,
        "Remove fields outside the MeshConfig/ProxyConfig allowlists from istio-shared-configmap-<revision>.",
        URL,
        TAGS,
    ),
    CONFIG_MAP_KINDS,
    check_mesh_fields_allowed,
)
SUPPORTED = resource_policy(
    Meta(
        "meshconfig-supported-fields-only",
        "The shared MeshConfig sets only fields Azure supports (others work without support).",
        Severity.LOW,
        "Keep to supported fields where possible; accept that allowed-only fields are outside Azure support.",
        URL,
        TAGS,
        enforcement=EnforcementLevel.ADVISORY,
    ),
    CONFIG_MAP_KINDS,
    check_mesh_fields_supported,
)
DEFAULT_CONFIGMAP = resource_policy(
    Meta(
        "meshconfig-no-default-configmap-edits",
        "The add-on's own istio-<revision> ConfigMap is not declared or patched, because it is reconciled.",
        Severity.MEDIUM,
        "Move the settings into istio-shared-configmap-<revision> in aks-istio-system.",
        URL,
        TAGS,
    ),
    CONFIG_MAP_KINDS,
    check_no_default_configmap_edit,
)

POLICIES: Final = (ALLOWED, SUPPORTED, DEFAULT_CONFIGMAP)
