"""What every rule reads with: type-token matching and safe property reads.

Rules are pure `check_*` functions over read-only property bags. Three things make such a bag hostile, and all
three are handled here once so no rule has to think about them (issue #6, item 5):

* preview-time unknowns: the SDK wraps props in `Mapping`/`Sequence` proxies that raise `UnknownValueError` when
  an unknown value is read (pulumi_policy/proxy.py); `Remediate` hands over raw sentinel strings instead;
* wrong types and missing fields: other teams' programs send anything; ARM rejects ill-typed payloads itself;
* versioned type tokens: `azure-native:containerservice/v20250901:ManagedCluster` is the same kind of resource.

A value a rule cannot judge raises `Undecidable`: "cannot decide", which the factories (factories.py) turn into no
verdict for the item or resource. Any other exception is a rule that raised, which is a finding (failures.py).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final, TypeVar

from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

Props = Mapping[str, object]
Config = Mapping[str, Any]
T = TypeVar("T")

UNKNOWN_SENTINELS: Final = frozenset(
    {
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_STRING_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_OBJECT_VALUE,
    }
)
NO_CONFIG: Final[Config] = {}
RESOURCE_TYPE: Final = "resourceType"
"""Key the factory adds to a resource check's config: the type token (rules covering several kinds need it)."""

# Microsoft docs every rule links to (AKSDOCS, i.e. MicrosoftDocs/azure-aks-docs articles/aks/<file>).
DOCS: Final = "https://learn.microsoft.com/azure/aks/"


class Undecidable(Exception):  # noqa: N818 (a verdict, not an error)
    """A value the rule needs is unknown at preview, or has a type ARM would reject anyway."""


# --- Type tokens ---------------------------------------------------------------------------------------------------
# `pkg:module[/version]:Kind`. azure-native versions are `vYYYYMMDD[preview]`; Kubernetes API versions are `v1`,
# `v1alpha3`, `v2beta2`. Both are dropped, so one matcher covers every explicit-version module.
_TOKEN: Final = re.compile(r"^(?P<package>[^:]+):(?P<module>[^:/]*)(?:/v\d[0-9A-Za-z]*)?:(?P<kind>[^:]+)$")


@functools.lru_cache(maxsize=1024)
def kind_of(type_token: str) -> str:
    """`azure-native:containerservice/v20250901:ManagedCluster` -> `azure-native:containerservice:ManagedCluster`.

    Cached: a program has a few dozen type tokens, and every resource policy and stack rule asks for each
    resource's kind (the regex was ~120,000 calls per 3,000 Analyze requests, benchmarks/policy_throughput.py)."""
    match = _TOKEN.match(type_token)
    return f"{match['package']}:{match['module']}:{match['kind']}" if match else type_token


def matches(type_token: str, kinds: Iterable[str]) -> bool:
    return kind_of(type_token) in kinds


MANAGED_CLUSTER: Final = "azure-native:containerservice:ManagedCluster"
AGENT_POOL: Final = "azure-native:containerservice:AgentPool"
# The classic provider (pulumi-azure 6.x) keeps the version out of its tokens: kind_of leaves them as they are.
CLASSIC_CLUSTER: Final = "azure:containerservice/kubernetesCluster:KubernetesCluster"
CLASSIC_NODE_POOL: Final = "azure:containerservice/kubernetesClusterNodePool:KubernetesClusterNodePool"
# azure-native v3 moved the insights data-collection resources to the `monitor` module; v2 programs use `insights`.
DCR_ASSOCIATION_KINDS: Final = (
    "azure-native:monitor:DataCollectionRuleAssociation",
    "azure-native:insights:DataCollectionRuleAssociation",
)
NAMESPACE_KINDS: Final = ("kubernetes:core:Namespace", "kubernetes:core:NamespacePatch")
SERVICE_KINDS: Final = ("kubernetes:core:Service", "kubernetes:core:ServicePatch")
CONFIG_MAP_KINDS: Final = ("kubernetes:core:ConfigMap", "kubernetes:core:ConfigMapPatch")
HPA_KINDS: Final = (
    "kubernetes:autoscaling:HorizontalPodAutoscaler",
    "kubernetes:autoscaling:HorizontalPodAutoscalerPatch",
)
PEER_AUTHENTICATION_KINDS: Final = ("kubernetes:security.istio.io:PeerAuthentication",)
GATEWAY_API_GATEWAY_KINDS: Final = ("kubernetes:gateway.networking.k8s.io:Gateway",)
STATIC_GATEWAY_CONFIGURATION_KINDS: Final = (
    "kubernetes:egressgateway.kubernetes.azure.com:StaticGatewayConfiguration",
)


# --- Safe reads ----------------------------------------------------------------------------------------------------
def _known(value: object) -> object:
    if isinstance(value, str) and value in UNKNOWN_SENTINELS:
        raise Undecidable("unknown at preview")
    return value


def get(node: object, path: str) -> object:
    """The value at dotted `path`, None when a key is missing; Undecidable when unknown or not walkable."""
    current: object = node
    for part in path.split("."):
        current = child(current, part)
    return current


def child(node: object, key: str) -> object:
    """One key of an object (keys may contain dots, as annotation keys do); None when missing."""
    _known(node)
    if node is None:
        return None
    if not isinstance(node, Mapping):
        raise Undecidable(f"{key}: parent is not an object")
    try:
        return _known(node[key])
    except KeyError:
        return None
    except UnknownValueError as unknown:
        raise Undecidable(unknown.message) from None


def _typed(node: object, path: str, kinds: tuple[type, ...], exclude: tuple[type, ...] = ()) -> Any:
    value = get(node, path)
    if value is None or (isinstance(value, kinds) and not isinstance(value, exclude)):
        return value
    raise Undecidable(f"{path}: unexpected type {type(value).__name__}")


def get_str(node: object, path: str) -> str | None:
    return _typed(node, path, (str,))  # type: ignore[no-any-return]


def get_bool(node: object, path: str) -> bool | None:
    return _typed(node, path, (bool,))  # type: ignore[no-any-return]


def get_int(node: object, path: str) -> int | None:
    """Numbers arrive as doubles over the wire; an integral double counts as an int."""
    value = _typed(node, path, (int, float), exclude=(bool,))
    if isinstance(value, float):
        if not value.is_integer():
            raise Undecidable(f"{path}: not an integer")
        return int(value)
    return value  # type: ignore[no-any-return]


def get_map(node: object, path: str) -> Mapping[str, object] | None:
    return _typed(node, path, (Mapping,))  # type: ignore[no-any-return]


def get_list(node: object, path: str) -> Sequence[object] | None:
    return _typed(node, path, (Sequence,), exclude=(str, bytes))  # type: ignore[no-any-return]


def elements(sequence: Sequence[object] | None) -> Iterator[object]:
    """The known elements of a sequence (an unknown element cannot be judged, so it is skipped)."""
    for index in range(len(sequence) if sequence is not None else 0):
        try:
            yield _known(sequence[index])  # type: ignore[index]
        except (UnknownValueError, Undecidable):
            continue


def keys_of(mapping: Mapping[str, object] | None) -> list[str]:
    """A mapping's keys: always known, even where a value is not."""
    return [key for key in (mapping or {}) if isinstance(key, str)]


def str_values(mapping: Mapping[str, object] | None) -> dict[str, str]:
    """Known string entries of a mapping (labels, annotations, ConfigMap data)."""
    result: dict[str, str] = {}
    for key in keys_of(mapping):
        try:
            value = child(mapping, key)
        except Undecidable:
            continue
        if isinstance(value, str):
            result[key] = value
    return result


def each(items: Iterable[T], check: Callable[[T], list[str]]) -> list[str]:
    """Run `check` per item; an item that cannot be judged yields nothing and does not hide the others."""
    messages: list[str] = []
    for item in items:
        try:
            messages.extend(check(item))
        except (Undecidable, UnknownValueError):
            continue
    return messages


def metadata_name(props: Props) -> str | None:
    return get_str(props, "metadata.name")


def metadata_namespace(props: Props) -> str:
    """Kubernetes defaults a missing namespace to `default`."""
    return get_str(props, "metadata.namespace") or "default"


def decided(probe: Callable[[T], object], subject: T, default: bool = False) -> bool:
    """`probe(subject)` as a bool, or `default` when it cannot be decided."""
    try:
        return bool(probe(subject))
    except (Undecidable, UnknownValueError):
        return default


def set_path(props: Props, path: str, value: object) -> bool:
    """Set `path` inside existing objects (creating missing leaf parents); False when the path is not an object."""
    *parents, leaf = path.split(".")
    node: Any = props
    for part in parents:
        child = get(node, part)
        if child is None:
            node[part] = {}
            child = node[part]
        if not isinstance(child, Mapping):
            return False
        node = child
    node[leaf] = value
    return True
