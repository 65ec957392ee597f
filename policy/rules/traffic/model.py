"""The program's mesh as traffic analysis sees it: its Kubernetes objects as plain data, and what the add-on adds.

Two halves, both pure (plain dicts in, frozen dataclasses out; no Pulumi, no provider SDK):

* `objects_of`: every Kubernetes object the program declares, identified by the `apiVersion`/`kind` of its body
  (a typed class, `CustomResource` and a YAML render all send them), else by its type token
  (`kubernetes:networking.istio.io/v1:Gateway`). `*Patch` resources change objects someone else declared, so they
  declare nothing here. Values unknown at preview are `UNKNOWN`, never guessed.
* `AddonMesh`: what the add-on runs that the program never declares (istioctl analyze's offline mode injects an
  `istio: ingressgateway` pod in istio-system instead, the very mistakes this models away): its ingress gateways
  per mode, egress gateways by name, each with its pod labels, namespace and Service ports; the revisions; the
  Key Vault secrets provider. From the clusters the program declares (both providers), else from `pack-settings`
  (`addonIngressGateways`, `addonEgressGateways`, `addonRevisions`, `keyVaultSecretsProvider`); None where
  neither says, which every rule reads as "cannot decide".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pulumi_policy.proxy import UnknownValueError

from aks_istio.addon import support_matrix as sm

from .. import pack_settings as ps
from .._common import UNKNOWN_SENTINELS

# --- Plain data ----------------------------------------------------------------------------------------------------


class Unknown:
    """A value unknown at preview (or hidden in a secret the pack cannot see into)."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = Unknown()
SECRET_SIGNATURE: Final = "4dabf18193072939515e22adb298388d"
MAX_DEPTH: Final = 24


def plain(value: object, depth: int = 0) -> Any:
    """`value` (the SDK's read-only proxies, raw sentinels, secrets) as plain dicts, lists and scalars."""
    if depth > MAX_DEPTH:
        return UNKNOWN
    if isinstance(value, str):
        return UNKNOWN if value in UNKNOWN_SENTINELS else value
    if isinstance(value, Mapping):
        if SECRET_SIGNATURE in value:
            return plain(value.get("value", UNKNOWN), depth + 1)
        result: dict[str, Any] = {}
        for key in list(value):
            try:
                result[str(key)] = plain(value[key], depth + 1)
            except UnknownValueError:
                result[str(key)] = UNKNOWN
        return result
    if isinstance(value, Sequence):
        items: list[Any] = []
        for index in range(len(value)):
            try:
                items.append(plain(value[index], depth + 1))
            except UnknownValueError:
                items.append(UNKNOWN)
        return items
    return value


def dig(node: object, *keys: str) -> Any:
    """The value under `keys` (None when absent or not an object; UNKNOWN when something on the way is unknown)."""
    for key in keys:
        if node is UNKNOWN:
            return UNKNOWN
        if not isinstance(node, dict):  # plain() made every object a dict: no ABC check on the hot path
            return None
        node = node.get(key)
    return node


def text(node: object, *keys: str) -> str | Unknown | None:
    value = dig(node, *keys)
    return value if isinstance(value, str) or value is UNKNOWN else None


def items(node: object, *keys: str) -> list[Any]:
    """The list under `keys` (empty when absent; a list whose length is unknown reads as empty)."""
    value = dig(node, *keys)
    return value if isinstance(value, list) else []


def labels_of(node: object, *keys: str) -> dict[str, str] | Unknown | None:
    """A label map: None when absent, UNKNOWN when any of it is unknown."""
    value = dig(node, *keys)
    if value is None or value is UNKNOWN:
        return value
    if not isinstance(value, Mapping) or any(not isinstance(v, str) for v in value.values()):
        return UNKNOWN
    return dict(value)


def selects(selector: Mapping[str, str], labels: Mapping[str, str] | Unknown | None) -> bool | None:
    """Does a label selector match these labels? None when the labels are unknown."""
    if labels is UNKNOWN:
        return None
    labels = labels if isinstance(labels, Mapping) else {}
    return all(labels.get(key) == value for key, value in selector.items())


# --- The program's Kubernetes objects ------------------------------------------------------------------------------
@dataclass(frozen=True)
class K8sObject:
    """One Kubernetes object the program declares."""

    group: str
    """API group: "" for the core group, `networking.istio.io`, `gateway.networking.k8s.io`..."""
    kind: str
    name: str | Unknown
    namespace: str | Unknown
    body: Mapping[str, Any]
    urn: str

    @property
    def spec(self) -> Any:
        return dig(self.body, "spec")

    @property
    def ref(self) -> str:
        """`namespace/name`, for messages."""
        return f"{_shown(self.namespace)}/{_shown(self.name)}"


def _shown(value: str | Unknown) -> str:
    return value if isinstance(value, str) else "(unknown)"


ISTIO_NETWORKING: Final = "networking.istio.io"
ISTIO_SECURITY: Final = "security.istio.io"
ISTIO_TELEMETRY: Final = "telemetry.istio.io"
GATEWAY_API: Final = sm.GATEWAY_API_GROUP
CORE: Final = ""
WORKLOAD_KINDS: Final = frozenset(
    {
        ("apps", "Deployment"),
        ("apps", "StatefulSet"),
        ("apps", "DaemonSet"),
        ("apps", "ReplicaSet"),
        ("", "Pod"),
        ("batch", "Job"),
        ("batch", "CronJob"),
        ("argoproj.io", "Rollout"),
    }
)
OPAQUE_KINDS: Final = frozenset({"kubernetes:helm.sh:Release", "kubernetes:helm.sh:Chart"})
"""Resources that deploy objects the pack cannot see (a Helm release): selectors into their namespace are not judged."""


def _identity(type_token: str, body: Mapping[str, Any]) -> tuple[str, str] | None:
    """(group, kind) from the body, else from the type token; None for what is not a Kubernetes object."""
    if not type_token.startswith("kubernetes:"):
        return None
    parts = type_token.split(":")
    if len(parts) != 3 or parts[2].endswith(("Patch", "List")) or parts[1].startswith(("helm.sh", "yaml", "kustomize")):
        return None
    api_version, kind = body.get("apiVersion"), body.get("kind")
    if not (isinstance(api_version, str) and isinstance(kind, str)):
        api_version, kind = parts[1], parts[2]
    group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
    return ("" if group == "core" else group), kind


@dataclass(frozen=True)
class Workload:
    """The pods a workload object runs: their namespace, labels and CSI volumes."""

    source: K8sObject
    labels: dict[str, str] | Unknown
    pod_spec: Any

    @property
    def namespace(self) -> str | Unknown:
        return self.source.namespace


def _pod_template(obj: K8sObject) -> tuple[Any, Any]:
    """(pod metadata, pod spec) of a workload object."""
    if obj.kind == "Pod":
        return dig(obj.body, "metadata"), obj.spec
    template = dig(obj.spec, "jobTemplate", "spec", "template") if obj.kind == "CronJob" else dig(obj.spec, "template")
    return dig(template, "metadata"), dig(template, "spec")


@dataclass(frozen=True)
class Objects:
    """The program's Kubernetes objects, indexed by (group, kind)."""

    by_kind: Mapping[tuple[str, str], tuple[K8sObject, ...]]
    workloads: tuple[Workload, ...]
    opaque_namespaces: frozenset[str | Unknown] = field(default_factory=frozenset)
    """Namespaces a Helm release deploys into (UNKNOWN: one whose namespace is unknown)."""

    def of(self, group: str, kind: str) -> tuple[K8sObject, ...]:
        return self.by_kind.get((group, kind), ())

    def named(self, group: str, kind: str, namespace: str, name: str) -> list[K8sObject]:
        return [o for o in self.of(group, kind) if o.namespace == namespace and o.name == name]

    def uncertain(self, group: str, kind: str) -> bool:
        """Is any object of this kind's name or namespace unknown (so it may be the one looked for)?"""
        return any(o.name is UNKNOWN or o.namespace is UNKNOWN for o in self.of(group, kind))

    def opaque(self, namespace: str | Unknown) -> bool:
        """May a Helm release the pack cannot see into declare workloads in `namespace`?"""
        return namespace in self.opaque_namespaces or UNKNOWN in self.opaque_namespaces

    def namespace_labels(self, name: str) -> dict[str, str] | Unknown | None:
        """A Namespace object's labels (None: the program does not declare it)."""
        for namespace in self.of(CORE, "Namespace"):
            if namespace.name == name:
                return labels_of(namespace.body, "metadata", "labels") or {}
        return None


def objects_of(resources: Iterable[tuple[str, str, Mapping[str, Any]]]) -> Objects:
    """The Kubernetes objects among (type token, urn, plain props)."""
    by_kind: dict[tuple[str, str], list[K8sObject]] = {}
    workloads: list[Workload] = []
    opaque: set[str | Unknown] = set()
    for type_token, urn, body in resources:
        if _opaque(type_token):
            namespace = text(body, "namespace")
            opaque.add(namespace if isinstance(namespace, str) else UNKNOWN)
            continue
        identity = _identity(type_token, body)
        if identity is None:
            continue
        name = text(body, "metadata", "name")
        namespace = text(body, "metadata", "namespace")
        obj = K8sObject(
            identity[0],
            identity[1],
            UNKNOWN if name is None else name,  # Pulumi auto-names a nameless object: unknown until apply
            "default" if namespace is None else namespace,
            body,
            urn,
        )
        by_kind.setdefault(identity, []).append(obj)
        if identity in WORKLOAD_KINDS:
            metadata, pod_spec = _pod_template(obj)
            labels = labels_of(metadata, "labels")
            workloads.append(Workload(obj, {} if labels is None else labels, pod_spec))
    return Objects({k: tuple(v) for k, v in by_kind.items()}, tuple(workloads), frozenset(opaque))


def _opaque(type_token: str) -> bool:
    parts = type_token.split(":")
    return len(parts) == 3 and f"{parts[0]}:{parts[1].split('/')[0]}:{parts[2]}" in OPAQUE_KINDS


# --- What the add-on provides --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GatewayWorkload:
    """A gateway the add-on runs: its Service (named as its `istio` label), namespace, pod labels and ports."""

    service: str
    namespace: str
    kind: str
    """`External`/`Internal` for an ingress gateway, `egress` for an egress gateway."""
    enabled: bool

    @property
    def labels(self) -> dict[str, str]:
        return {sm.GATEWAY_SELECTOR_LABEL: self.service, "app": self.service}

    @property
    def ports(self) -> frozenset[int]:
        return frozenset(sm.GATEWAY_SERVICE_PORTS.values())

    @property
    def host(self) -> str:
        return f"{self.service}.{self.namespace}.svc.cluster.local"

    @property
    def label(self) -> str:
        mode = "egress" if self.kind == "egress" else f"{self.kind.lower()} ingress"
        return f"{sm.GATEWAY_SELECTOR_LABEL}: {self.service} ({mode} gateway, {self.namespace})"


@dataclass(frozen=True)
class AddonMesh:
    """What the add-on runs on the program's target cluster(s); None: nobody says."""

    ingress: tuple[GatewayWorkload, ...] | None
    """Both modes, each enabled or not; None when unknown."""
    egress: tuple[GatewayWorkload, ...] | None
    revisions: tuple[str, ...] | None
    key_vault_secrets_provider: bool | None

    def gateways(self) -> list[GatewayWorkload]:
        """Every add-on gateway known to exist, enabled or not."""
        return [*(self.ingress or ()), *(self.egress or ())]

    def enabled_gateways(self) -> list[GatewayWorkload]:
        return [g for g in self.gateways() if g.enabled]

    def may_run(self, selector: Mapping[str, str]) -> bool:
        """Could an add-on gateway the model does not know select these labels? (ingress or egress unknown)"""
        value = selector.get(sm.GATEWAY_SELECTOR_LABEL)
        if value is None or set(selector) - {sm.GATEWAY_SELECTOR_LABEL, "app"}:
            return False
        if self.ingress is None and value in sm.INGRESS_GATEWAY_SERVICES.values():
            return True
        # An egress gateway is named by its owner (`egressgateway` too); an ingress gateway's label is fixed, so an
        # ingress label, the add-on's or upstream's `ingressgateway`, is never an unknown egress gateway.
        upstream_ingress = sm.UPSTREAM_GATEWAY_SELECTORS["ingress"][sm.GATEWAY_SELECTOR_LABEL]
        ingress_like = value in sm.INGRESS_GATEWAY_SERVICES.values() or value == upstream_ingress
        return self.egress is None and not ingress_like


def ingress_gateways(enabled: Mapping[str, bool]) -> tuple[GatewayWorkload, ...]:
    return tuple(
        GatewayWorkload(service, sm.ADDON_INGRESS_NAMESPACE, mode, enabled.get(mode, False))
        for mode, service in sm.INGRESS_GATEWAY_SERVICES.items()
    )


def egress_gateway(name: str, namespace: str | None, enabled: bool = True) -> GatewayWorkload:
    return GatewayWorkload(name, namespace or sm.ADDON_EGRESS_NAMESPACE, "egress", enabled)


def merge(meshes: Sequence[AddonMesh]) -> AddonMesh:
    """Several clusters: a Kubernetes object may go to any of them, so a gateway is enabled if one enables it and
    anything unknown on one cluster is unknown."""
    if len(meshes) == 1:
        return meshes[0]

    def union(parts: list[tuple[GatewayWorkload, ...] | None]) -> tuple[GatewayWorkload, ...] | None:
        if any(p is None for p in parts):
            return None
        found: dict[tuple[str, str], GatewayWorkload] = {}
        for gateway in (g for p in parts for g in p or ()):
            key = (gateway.namespace, gateway.service)
            if key not in found or gateway.enabled:
                found[key] = gateway
        return tuple(found.values())

    revisions = [m.revisions for m in meshes]
    providers = {m.key_vault_secrets_provider for m in meshes}
    return AddonMesh(
        union([m.ingress for m in meshes]),
        union([m.egress for m in meshes]),
        None if any(r is None for r in revisions) else tuple(sorted({x for r in revisions for x in r or ()})),
        providers.pop() if len(providers) == 1 else None,
    )


UNKNOWN_MESH: Final = AddonMesh(None, None, None, None)


def _enabled(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def native_mesh(cluster: Mapping[str, Any]) -> AddonMesh:
    """An azure-native ManagedCluster's `serviceMeshProfile.istio` (and its Key Vault secrets provider add-on)."""
    components = dig(cluster, "serviceMeshProfile", "istio", "components")
    ingress: tuple[GatewayWorkload, ...] | None = None
    listed = dig(components, "ingressGateways")
    if listed is None or isinstance(listed, list):
        modes: dict[str, bool] = {}
        for entry in listed or []:
            mode, enabled = text(entry, "mode"), _enabled(dig(entry, "enabled"))
            if not isinstance(mode, str) or enabled is None:
                break
            modes[mode.capitalize()] = modes.get(mode.capitalize(), False) or enabled
        else:
            ingress = ingress_gateways(modes)
    egress: tuple[GatewayWorkload, ...] | None = None
    listed = dig(components, "egressGateways")
    if listed is None or isinstance(listed, list):
        found: list[GatewayWorkload] = []
        for entry in listed or []:
            name, namespace, enabled = text(entry, "name"), text(entry, "namespace"), _enabled(dig(entry, "enabled"))
            if not isinstance(name, str) or namespace is UNKNOWN or enabled is None:
                break
            found.append(egress_gateway(name, namespace if isinstance(namespace, str) else None, enabled))
        else:
            egress = tuple(found)
    profiles = dig(cluster, "addonProfiles")
    provider: bool | None = None
    if isinstance(profiles, Mapping):
        entry = next((v for k, v in profiles.items() if k.lower() == sm.KEY_VAULT_SECRETS_PROVIDER_ADDON.lower()), None)
        provider = False if entry is None else _enabled(dig(entry, "enabled"))
    elif profiles is None:
        provider = False
    return AddonMesh(ingress, egress, _revisions(dig(cluster, "serviceMeshProfile", "istio", "revisions")), provider)


def classic_mesh(cluster: Mapping[str, Any]) -> AddonMesh:
    """A classic (pulumi-azure 6.x) KubernetesCluster: two booleans for the ingress gateways, no egress gateways."""
    profile = dig(cluster, "serviceMeshProfile")
    modes = {
        "External": _enabled(dig(profile, "externalIngressGatewayEnabled")) or False,
        "Internal": _enabled(dig(profile, "internalIngressGatewayEnabled")) or False,
    }
    unknown = any(dig(profile, f"{m.lower()}IngressGatewayEnabled") is UNKNOWN for m in modes) or profile is UNKNOWN
    provider = dig(cluster, "keyVaultSecretsProvider")
    return AddonMesh(
        None if unknown else ingress_gateways(modes),
        (),
        _revisions(dig(profile, "revisions")),
        None if provider is UNKNOWN else provider is not None,
    )


def _revisions(value: object) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not value or not all(isinstance(r, str) for r in value):
        return None
    return tuple(value)


def settings_mesh(settings: Mapping[str, Any]) -> AddonMesh:
    """The add-on of a cluster outside the program, as `pack-settings` describes it (absent keys: unknown).
    Egress gateways are `name` or `namespace/name`."""
    modes = settings.get(ps.ADDON_INGRESS_GATEWAYS)
    egress = settings.get(ps.ADDON_EGRESS_GATEWAYS)
    revisions = settings.get(ps.ADDON_REVISIONS)
    provider = settings.get(ps.KEY_VAULT_SECRETS_PROVIDER)
    return AddonMesh(
        ingress_gateways({str(m): True for m in modes}) if isinstance(modes, list) else None,
        tuple(_egress_setting(str(e)) for e in egress) if isinstance(egress, list) else None,
        _revisions(revisions),
        provider if isinstance(provider, bool) else None,
    )


def _egress_setting(entry: str) -> GatewayWorkload:
    namespace, _, name = entry.rpartition("/")
    return egress_gateway(name, namespace or None)


def iter_pairs(values: Sequence[Any]) -> Iterator[tuple[Any, Any]]:
    """Every unordered pair of `values`, in order."""
    for i, first in enumerate(values):
        for second in values[i + 1 :]:
            yield first, second
