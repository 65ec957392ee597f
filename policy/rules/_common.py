"""Plumbing every rule shares: type-token matching, safe property reads, exemptions and the policy factories.

Rules are pure `check_*` functions over read-only property bags. Three things make such a bag hostile, and all
three are handled here once so no rule has to think about them (issue #6, item 5):

* preview-time unknowns: the SDK wraps props in `Mapping`/`Sequence` proxies that raise `UnknownValueError` when
  an unknown value is read (pulumi_policy/proxy.py); `Remediate` hands over raw sentinel strings instead;
* wrong types and missing fields: other teams' programs send anything; ARM rejects ill-typed payloads itself;
* versioned type tokens: `azure-native:containerservice/v20250901:ManagedCluster` is the same kind of resource.

A value a rule cannot judge raises `Undecidable`; the factories turn that into "no violation" for the item (or the
resource) being judged, so an unknown never becomes a false violation and never crashes the analyzer.
"""

from __future__ import annotations

import fnmatch
import functools
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
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


def istio_enabled(cluster: Props) -> bool:
    """`serviceMeshProfile.mode == Istio` (case-insensitive, as ARM enums are); Undecidable when unknown."""
    mode = get_str(cluster, "serviceMeshProfile.mode")
    return mode is not None and mode.lower() == "istio"


def mesh_revisions(cluster: Props) -> list[str]:
    """The known string entries of `serviceMeshProfile.istio.revisions`."""
    return [r for r in elements(get_list(cluster, "serviceMeshProfile.istio.revisions")) if isinstance(r, str)]


def addon_enabled(cluster: Props, addon: str) -> bool:
    """ARM add-on profile keys are case-insensitive (`openServiceMesh`, `OpenServiceMesh`)."""
    profiles = get_map(cluster, "addonProfiles")
    for key in keys_of(profiles):
        if key.lower() == addon.lower():
            try:
                if get_bool(profiles, f"{key}.enabled") is True:
                    return True
            except Undecidable:
                continue
    return False


def addon_profile(cluster: Props, addon: str) -> Mapping[str, object] | None:
    profiles = get_map(cluster, "addonProfiles")
    for key in keys_of(profiles):
        if key.lower() == addon.lower():
            return get_map(profiles, key)
    return None


def metadata_name(props: Props) -> str | None:
    return get_str(props, "metadata.name")


def metadata_namespace(props: Props) -> str:
    """Kubernetes defaults a missing namespace to `default`."""
    return get_str(props, "metadata.namespace") or "default"


def node_pools(props: Props, resource_type: str) -> list[object]:
    """The pools a resource declares: the inline `agentPoolProfiles` of a cluster, or an `AgentPool` itself."""
    if kind_of(resource_type) == AGENT_POOL:
        return [props]
    return list(elements(get_list(props, "agentPoolProfiles")))


def pool_label(pool: object, fallback: str = "agentPool") -> str:
    try:
        return get_str(pool, "name") or get_str(pool, "agentPoolName") or fallback
    except Undecidable:
        return fallback


# --- Policy config: one uniform exemption property --------------------------------------------------------------
EXEMPTIONS_SCHEMA: Final[dict[str, Any]] = {
    "type": "array",
    "description": "Resources this policy does not apply to. Each waiver names the resource (name, URN or "
    "fnmatch pattern) and the reason, so the waiver is reviewed with the stack it sits next to.",
    "items": {
        "type": "object",
        "properties": {"resource": {"type": "string"}, "reason": {"type": "string", "minLength": 1}},
        "required": ["resource", "reason"],
    },
    "default": [],
}


def exempt(config: Config, *identities: str) -> bool:
    for waiver in config.get("exemptions") or ():
        pattern = waiver.get("resource") if isinstance(waiver, Mapping) else None
        if isinstance(pattern, str) and any(fnmatch.fnmatchcase(i, pattern) for i in identities if i):
            return True
    return False


def _effective_config(schema: Mapping[str, Mapping[str, Any]], given: Mapping[str, Any] | None) -> dict[str, Any]:
    """JSON-Schema defaults, overlaid with what Configure sent (the engine applies defaults; tests may not)."""
    config = {key: spec["default"] for key, spec in schema.items() if "default" in spec}
    config.update(given or {})
    return config


def _safely(policy: str, run: Callable[[], list[T]]) -> list[T]:
    """A rule that cannot decide reports nothing; a rule bug is logged, never a crash of the whole preview."""
    try:
        return run()
    except (Undecidable, UnknownValueError):
        return []
    except Exception as error:
        print(f"aks-istio-guardrails: policy {policy} failed and was skipped: {error!r}", file=sys.stderr)
        return []


# --- Policy metadata and factories ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Meta:
    """What every policy states (style §9): a sentence, severity, tags, remediation and a Microsoft doc."""

    name: str
    description: str
    severity: Severity
    remediation: str
    url: str
    tags: tuple[str, ...]
    enforcement: EnforcementLevel = EnforcementLevel.MANDATORY
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def schema(self) -> dict[str, dict[str, Any]]:
        return {"exemptions": EXEMPTIONS_SCHEMA, **{k: dict(v) for k, v in self.config.items()}}

    def common(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "enforcement_level": self.enforcement,
            "config_schema": PolicyConfigSchema(properties=self.schema()),
            "severity": self.severity,
            "tags": list(self.tags),
            "remediation_steps": self.remediation,
            "url": self.url,
        }


class KindedResourcePolicy(ResourceValidationPolicy):  # type: ignore[misc]  # the SDK ships untyped
    """A ResourceValidationPolicy that states which kinds it judges (None: every type). Its `validate` reports
    nothing for other kinds, so the pack's Analyze (analyze_once.py) skips it for them without calling it."""

    def __init__(self, kinds: Sequence[str] | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kinds: frozenset[str] | None = None if kinds is None else frozenset(kinds)


ResourceCheck = Callable[[Props, Config], list[str]]
Fix = Callable[[Props, Config], bool]
"""Mutates the props in place (the SDK's proxies keep secrets secret on write); True when something changed."""


def resource_policy(
    meta: Meta, kinds: Sequence[str] | None, check: ResourceCheck, fix: Fix | None = None
) -> ResourceValidationPolicy:
    """A ResourceValidationPolicy that runs `check` on resources of `kinds` (any API version; None: every type)."""
    schema = meta.schema()

    def applicable(args: ResourceValidationArgs) -> dict[str, Any] | None:
        if kinds is not None and not matches(args.resource_type, kinds):
            return None
        config = _effective_config(schema, args.get_config())
        config[RESOURCE_TYPE] = args.resource_type
        return None if exempt(config, args.name, args.urn) else config

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        config = applicable(args)
        if config is not None:
            for message in _safely(meta.name, lambda: check(args.props, config)):
                report(message, None)

    def remediate(args: ResourceValidationArgs) -> Props | None:
        config = applicable(args)
        if config is None or fix is None:
            return None
        changed = _safely(meta.name, lambda: [True] if fix(args.props, config) else [])
        return args.props if changed else None

    return KindedResourcePolicy(kinds, validate=validate, remediate=remediate if fix else None, **meta.common())


@dataclass(frozen=True)
class StackResource:
    """One resource as a stack rule sees it: enough to link pools, namespaces and DCRAs to their cluster."""

    type: str
    name: str
    urn: str
    props: Props
    depends_on: frozenset[str] = frozenset()

    @property
    def kind(self) -> str:
        return kind_of(self.type)


Finding = tuple[str, str]
"""(urn of the offending resource, message)."""
StackCheck = Callable[[Sequence[StackResource], Config], list[Finding]]


def stack_policy(meta: Meta, check: StackCheck) -> StackValidationPolicy:
    schema = meta.schema()

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        config = _effective_config(schema, args.get_config())
        resources = _stack_resources(args.resources)
        names = {r.urn: r.name for r in resources}
        for urn, message in _safely(meta.name, lambda: check(resources, config)):
            if not exempt(config, names.get(urn, ""), urn):
                report(message, urn or None)

    return StackValidationPolicy(validate=validate, **meta.common())


_converted: list[tuple[object, list[StackResource]]] = []


def _stack_resources(resources: list[Any]) -> list[StackResource]:
    """The stack's resources as `StackResource`s, converted once per AnalyzeStack, not once per stack policy:
    the SDK (and policy/analyze_once.py) hand every stack policy of one request the same list, which no policy
    changes. Holding the last list keeps its identity from being reused by another request."""
    last = _converted[0] if _converted else None  # one read: another request's thread may replace it
    if last is not None and last[0] is resources:
        return last[1]
    converted = [_stack_resource(r) for r in resources]
    _converted[:] = [(resources, converted)]
    return converted


def _stack_resource(resource: Any) -> StackResource:
    linked = {d.urn for d in resource.dependencies or ()}
    if resource.parent is not None:
        linked.add(resource.parent.urn)
    for deps in (resource.property_dependencies or {}).values():
        linked.update(d.urn for d in deps)
    return StackResource(resource.resource_type, resource.name, resource.urn, resource.props, frozenset(linked))


def of_kind(resources: Iterable[StackResource], kinds: Iterable[str]) -> list[StackResource]:
    wanted = frozenset(kinds)
    return [r for r in resources if r.kind in wanted]


def decided(probe: Callable[[T], object], subject: T, default: bool = False) -> bool:
    """`probe(subject)` as a bool, or `default` when it cannot be decided."""
    try:
        return bool(probe(subject))
    except (Undecidable, UnknownValueError):
        return default


def mesh_clusters(resources: Iterable[StackResource]) -> list[StackResource]:
    """Clusters in the stack that run the Istio add-on (or may: an unknown mode counts, never a false pass)."""
    return [c for c in of_kind(resources, (MANAGED_CLUSTER,)) if decided(istio_enabled, c.props, True)]


def linked(resource: StackResource, cluster: StackResource, clusters: Sequence[StackResource]) -> bool:
    """Does `resource` (an AgentPool, a DCRA...) belong to `cluster`? By dependency, else when it is the only
    cluster and `resource` depends on none of them (names are unknown at preview, dependencies are not)."""
    if cluster.urn in resource.depends_on:
        return True
    return len(clusters) == 1 and not any(c.urn in resource.depends_on for c in clusters)


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
