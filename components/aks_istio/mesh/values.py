"""The mesh's values: revision, application namespaces, mTLS, plug-in CA, shared MeshConfig, a canary upgrade.

Each is defined once, here: the stack file's `mesh:` section is these classes (camelCase keys), the mesh
components take them, and Pulumi's component-provider host describes them to other languages. Their rules run
wherever they are made (`aks_istio.value_checks`). No pydantic, no Pulumi.

A canary upgrade is shaped to make an illegal step *visible* in the stack file itself (docs/canary-upgrades.md,
"Why the stack file can gate phases"): `migrate` names the namespaces it moves and later phases keep that list;
`complete` is refused unless every managed namespace moved; `start` moves nothing; a `rollback` whose `to` is
already `mesh.revision` can only mean "after complete", and is refused; a target that is not an allowed upgrade
(n+1 or n+2, never older) is refused.
"""

import difflib
import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from aks_istio.addon import lifecycle, rules
from aks_istio.addon import support_matrix as sm
from aks_istio.addon.catalog import Catalog, active_catalog
from aks_istio.value_checks import K8S_NAME, STACK_FILE, Key, Problems, check, constrained

RESERVED_NAMESPACES: Final = frozenset(
    {"kube-system", "kube-public", "kube-node-lease", "default", "gatekeeper-system"}
    | {sm.ADDON_SYSTEM_NAMESPACE, sm.ADDON_INGRESS_NAMESPACE}
)
ALL_NAMESPACES: Final = "*"
"""`migrated: ["*"]` moves every managed namespace; a stack file writes it `migrated: all`."""
ALL_NAMESPACES_IN_STACK_FILE: Final = "all"


def allowed(values: object) -> str:
    """Render the allowed values the same way in every message."""
    if isinstance(values, str):
        return values
    items = list(values)  # type: ignore[call-overload]
    return ", ".join(str(v) for v in items) if items else "(none)"


def revision_reason(revision: str, catalog: Catalog | None = None) -> str | None:
    """Why `revision` is not a well-formed `asm-1-N` that is catalogued or newer than the catalog (accepted with a
    warning, see mesh/phases.py `revision_warnings`), or None."""
    if not sm.REVISION_PATTERN.match(revision):
        return f"{revision!r} is not a revision name; allowed: asm-<major>-<minor>, e.g. asm-1-30"
    return lifecycle.unknown_revision_problem(catalog or active_catalog(), revision)


class MtlsMode(enum.StrEnum):
    """mTLS of a namespace: STRICT inherits the mesh-wide policy, the others add a namespace exception."""

    STRICT = "STRICT"
    """Only mTLS traffic is accepted."""
    PERMISSIVE = "PERMISSIVE"
    """mTLS and plain text are accepted (while clients outside the mesh move in)."""
    DISABLE = "DISABLE"
    """Plain text only."""


def namespace_labels_reason(labels: dict[str, str]) -> str | None:
    """Why `labels` may not go on a mesh namespace (the platform sets the revision label), or None."""
    if sm.IGNORED_INJECTION_LABEL in labels:
        return (
            f"{sm.IGNORED_INJECTION_LABEL!r} is ignored by the add-on (the namespace would get no sidecars); "
            f"the platform sets {sm.REVISION_LABEL} for you"
        )
    if sm.REVISION_LABEL in labels:
        return f"{sm.REVISION_LABEL!r} is set by the platform from mesh.revision; remove it"
    return None


@dataclass(frozen=True, kw_only=True)
class MeshNamespace:
    """An application namespace in the mesh, labelled `istio.io/rev=<revision>` so its pods get sidecars."""

    __pydantic_config__: ClassVar = STACK_FILE

    name: str = constrained(**K8S_NAME)
    """Namespace name."""
    mtls: MtlsMode = MtlsMode.STRICT
    """STRICT inherits the mesh-wide policy; PERMISSIVE/DISABLE adds a namespace exception."""
    labels: dict[str, str] = constrained(default_factory=dict, check=namespace_labels_reason)
    """Extra namespace labels."""

    def __post_init__(self) -> None:
        check(self)

    def rules(self, problems: Problems) -> None:
        if problems.fine("name") and (self.name in RESERVED_NAMESPACES or self.name.startswith("aks-istio-")):
            problems.add("name", f"{self.name!r} is reserved; use an application namespace")


@dataclass(frozen=True, kw_only=True)
class PluginCaSource:
    """Istio's CA from Key Vault (the add-on's plug-in CA), instead of its self-signed root: an existing vault
    holding the four secrets, or a generated dev CA in a vault we create."""

    __pydantic_config__: ClassVar = STACK_FILE

    key_vault_id: str | None = constrained(
        None,
        pattern=sm.KEY_VAULT_ID_PATTERN.pattern,
        words="an Azure resource id of the form /subscriptions/<...>/resourceGroups/<...>/providers/"
        "Microsoft.KeyVault/vaults/<...>",
    )
    """Existing vault holding the four secrets; unset: a vault is created (needs generateDevCa)."""
    generate_dev_ca: bool = False
    """Generate a root + intermediate with pulumi-tls and store them (never in prod)."""
    cert_object_name: str = "ca-cert"
    """Secret with the intermediate certificate."""
    key_object_name: str = "ca-key"
    """Secret with the intermediate private key."""
    root_cert_object_name: str = "root-cert"
    """Secret with the root certificate."""
    cert_chain_object_name: str = "cert-chain"
    """Secret with the certificate chain."""
    rotation_poll_interval: str = constrained("2m", pattern=r"^\d+[smh]$", words="<n>s, <n>m or <n>h, e.g. 2m")
    """How often the secrets provider re-reads the vault."""

    def __post_init__(self) -> None:
        check(self)

    def rules(self, problems: Problems) -> None:
        names = [self.cert_object_name, self.key_object_name, self.root_cert_object_name, self.cert_chain_object_name]
        for key, problem in rules.plugin_ca_problems(
            self.key_vault_id, generate_dev_ca=self.generate_dev_ca, object_names=names
        ):
            problems.add(key, problem)


def mesh_config_problems(fields: Mapping[str, Any], problems: Problems, *, at: str = "fields") -> None:
    """The shared MeshConfig holds only fields AKS admits. One short line per field: a misspelling gets "did you
    mean", a real field the add-on's webhook rejects says so, pointing at Microsoft's list (the whole list inline
    made a 1,000-character line)."""
    top = sm.MESH_CONFIG_SUPPORTED_FIELDS | sm.MESH_CONFIG_ALLOWED_FIELDS
    for key in fields:
        if key not in top:
            problems.add((at, Key(key)), _not_admitted(key, top, "MeshConfig"))
    proxy = fields.get("defaultConfig", {})
    if not isinstance(proxy, dict):
        problems.add((at, Key("defaultConfig")), "must be a mapping of ProxyConfig fields")
    else:
        proxy_ok = sm.PROXY_CONFIG_SUPPORTED_FIELDS | sm.PROXY_CONFIG_ALLOWED_FIELDS
        for key in proxy:
            if key not in proxy_ok:
                problems.add((at, Key("defaultConfig"), Key(key)), _not_admitted(key, proxy_ok, "ProxyConfig"))
    policy = fields.get("outboundTrafficPolicy")
    mode = policy.get("mode") if isinstance(policy, dict) else None
    if mode is not None and mode not in sm.OUTBOUND_TRAFFIC_POLICY_MODES:
        problems.add(
            (at, Key("outboundTrafficPolicy"), Key("mode")),
            f"{mode!r}; allowed: {allowed(sm.OUTBOUND_TRAFFIC_POLICY_MODES)}",
        )


def _not_admitted(key: str, admitted: frozenset[str], kind: str) -> str:
    """A misspelt field gets a suggestion; any other is one the add-on does not admit."""
    close = difflib.get_close_matches(key, sorted(admitted), n=1, cutoff=0.75)
    if close:
        return f"not a {kind} field the add-on admits (did you mean {close[0]!r}?)"
    return f"the add-on does not admit this {kind} field; the ones it does: https://learn.microsoft.com/azure/aks/istio-meshconfig"


def outbound_mode(fields: Mapping[str, Any]) -> str | None:
    """`outboundTrafficPolicy.mode` of MeshConfig fields, or None (the add-on's ALLOW_ANY)."""
    policy = fields.get("outboundTrafficPolicy")
    return str(policy.get("mode")) if isinstance(policy, Mapping) and policy.get("mode") else None


@dataclass(frozen=True, kw_only=True)
class MeshConfig:
    """The shared MeshConfig (`istio-shared-configmap-<revision>`); only fields AKS admits."""

    __pydantic_config__: ClassVar = STACK_FILE

    fields: dict[str, Any] = field(default_factory=dict)
    """MeshConfig fields, e.g. outboundTrafficPolicy, accessLogFile, defaultConfig (any JSON: MeshConfig is
    Istio's open schema, held to the add-on's allowlist by its rules)."""

    def __post_init__(self) -> None:
        check(self)

    def rules(self, problems: Problems) -> None:
        mesh_config_problems(self.fields, problems)


class UpgradePhase(enum.StrEnum):
    """How far a canary revision upgrade has gone."""

    START = "start"
    """Both control planes; workloads stay."""
    MIGRATE = "migrate"
    """Move the `migrated` namespaces and restart their workloads."""
    COMPLETE = "complete"
    """Remove the old revision."""
    ROLLBACK = "rollback"
    """Remove the new revision; namespaces go back."""


def _list_or_all(schema: dict[str, Any]) -> None:
    """`migrated` in the stack file's JSON Schema: a list of namespaces, or `all`."""
    listed = {key: schema.pop(key) for key in ("type", "items") if key in schema}
    schema["anyOf"] = [listed, {"const": ALL_NAMESPACES_IN_STACK_FILE}]


@dataclass(frozen=True, kw_only=True)
class RevisionUpgrade:
    """An upgrade in progress: the target revision and how far the procedure has gone."""

    __pydantic_config__: ClassVar = STACK_FILE

    to: str = constrained(check=revision_reason)
    """Target revision, `asm-1-N`: an allowed upgrade of `mesh.revision` (n+1 or n+2)."""
    phase: UpgradePhase
    """start: both control planes, workloads stay; migrate: move `migrated` namespaces and restart their
    workloads; complete: remove the old revision; rollback: remove the new one, namespaces go back."""
    migrated: list[str] = constrained(
        default_factory=list, words="a list of mesh namespaces, e.g. [apps], or all", json_schema=_list_or_all
    )
    """Namespaces (of mesh.namespaces) relabelled to `to`, or `all` (in code: ["*"]). Set in migrate; keep it in
    complete (which needs every namespace) and rollback (whose restarts it selects)."""
    restarts: dict[str, list[str]] = field(default_factory=dict)
    """Deployments to restart per migrated namespace, so their pods get the sidecar of the revision the namespace
    now points at (once on migrate, once more on rollback)."""
    gateway_revision: str | None = None
    """Revision that owns the Gateway API Gateways during the upgrade (their `istio.io/rev` label):
    mesh.revision keeps them on the old control plane, `to` moves them. Unset: AKS's default, the higher revision
    owns them from start on. Move them as an edit of its own before complete (to `to`) or rollback (to
    mesh.revision)."""

    def __post_init__(self) -> None:
        check(self)

    def rules(self, problems: Problems) -> None:
        for ns, deployments in self.restarts.items():
            for index, deployment in enumerate(deployments):
                if not re.match(K8S_NAME["pattern"], deployment):
                    problems.add(
                        ("restarts", Key(ns), index),
                        f"{deployment!r} is not a Deployment name; allowed: lower-case DNS label, e.g. frontend",
                    )
                elif deployments.index(deployment) != index:
                    problems.add(("restarts", Key(ns), index), f"{deployment!r} is listed twice")

    @property
    def migrates_all(self) -> bool:
        return ALL_NAMESPACES in self.migrated

    def migrated_namespaces(self, managed: Sequence[str]) -> list[str]:
        """The managed namespaces this upgrade has moved to `to`, in `managed` order."""
        if self.migrates_all:
            return list(managed)
        return [ns for ns in managed if ns in self.migrated]


def upgrade_problems(upgrade: RevisionUpgrade, *, revision: str, managed: Sequence[str], problems: Problems) -> None:
    """Rules that need `mesh.revision` and the managed namespaces; paths are relative to `mesh`."""
    if problems.fine(("upgrade", "to"), "revision"):
        _target_problems(upgrade, revision, problems)
        _gateway_revision_problems(upgrade, revision, problems)
    _migrated_problems(upgrade, revision, managed, problems)
    _restart_problems(upgrade, managed, problems)


def upgrade_kubernetes_problems(
    upgrade: RevisionUpgrade | None,
    *,
    revision: str,
    kubernetes_version: str,
    problems: Problems,
    catalog: Catalog | None = None,
    assumed_kubernetes: tuple[int, int] | None = None,
) -> None:
    """Both revisions run side by side, so the target must run on the cluster's Kubernetes version too."""
    if upgrade is None or not problems.fine(("mesh", "upgrade", "to")):
        return
    catalog = catalog or active_catalog()
    target = lifecycle.resolve(catalog, upgrade.to, assumed_kubernetes)
    if target is None:
        return  # refused by revision_reason already
    for key, message in lifecycle.kubernetes_problems(
        catalog, target, kubernetes_version, revision_key="mesh.upgrade.to", kubernetes_key="cluster.kubernetesVersion"
    ):
        if key == "mesh.upgrade.to":
            fits = [t for t in catalog.upgrades_of(revision) if t in catalog.supporting(kubernetes_version)]
            message += f"; upgrade the cluster first; allowed targets from {revision} on {kubernetes_version}: "
            message += allowed(fits)
        problems.add(key, message)


def _target_problems(upgrade: RevisionUpgrade, revision: str, problems: Problems) -> None:
    catalog = active_catalog()
    targets = catalog.upgrades_of(revision) or [
        f"none in the catalog ({revision} is the newest catalogued revision; a newer one is accepted with a warning)"
    ]
    if upgrade.to == revision:
        if upgrade.phase == UpgradePhase.ROLLBACK:
            problems.add(
                "upgrade.to",
                f"{upgrade.to!r} is already mesh.revision, so this rollback would come after complete, which "
                f"removed the old control plane: refused; allowed: roll back only during start or migrate "
                f"(mesh.revision is still the revision you upgrade from), or start a new upgrade to "
                f"{allowed(targets)}",
            )
        else:
            problems.add(
                "upgrade.to",
                f"{upgrade.to!r} is mesh.revision already; allowed targets from {revision}: {allowed(targets)}",
            )
    elif not lifecycle.is_allowed_target(catalog, revision, upgrade.to):
        older = sm.parse_revision(upgrade.to) < sm.parse_revision(revision)
        why = (
            "is older than mesh.revision: downgrades are refused (going back is only a rollback of an upgrade "
            "in progress)"
            if older
            else f"is not an allowed upgrade of {revision} (n+1, or n+2 skipping one)"
        )
        problems.add("upgrade.to", f"{upgrade.to!r} {why}; allowed: {allowed(targets)}")


def _gateway_revision_problems(upgrade: RevisionUpgrade, revision: str, problems: Problems) -> None:
    pinned = upgrade.gateway_revision
    if pinned is None:
        return
    # complete removes mesh.revision and rollback removes `to`: Gateways must already be on the one that stays.
    staying = {UpgradePhase.COMPLETE: [upgrade.to], UpgradePhase.ROLLBACK: [revision]}.get(
        upgrade.phase, [revision, upgrade.to]
    )
    if pinned not in staying:
        why = f" ({upgrade.phase} removes {pinned})" if pinned in (revision, upgrade.to) else ""
        problems.add("upgrade.gatewayRevision", f"{pinned!r}{why}; allowed in {upgrade.phase}: {allowed(staying)}")


def _migrated_problems(upgrade: RevisionUpgrade, revision: str, managed: Sequence[str], problems: Problems) -> None:
    listed = [] if upgrade.migrates_all else upgrade.migrated
    for index, ns in enumerate(listed):
        if ns not in managed:
            problems.add(f"upgrade.migrated[{index}]", f"{ns!r} is not a mesh namespace; allowed: {allowed(managed)}")
        elif listed.index(ns) != index:
            problems.add(f"upgrade.migrated[{index}]", f"{ns!r} is listed twice")
    moved = upgrade.migrated_namespaces(managed)
    shown: object = ALL_NAMESPACES_IN_STACK_FILE if upgrade.migrates_all else upgrade.migrated
    if upgrade.phase == UpgradePhase.START and upgrade.migrated:
        problems.add(
            "upgrade.migrated",
            f"{shown!r}: start moves no namespace (check both control planes first); allowed: "
            "omit migrated in start, or set phase: migrate",
        )
    elif upgrade.phase == UpgradePhase.MIGRATE and not moved and managed:
        problems.add(
            "upgrade.migrated",
            f"migrate needs the namespaces to move to {upgrade.to}; allowed: a list of {allowed(managed)}, or all",
        )
    elif upgrade.phase == UpgradePhase.COMPLETE:
        left = [ns for ns in managed if ns not in moved]
        if left:
            problems.add(
                "upgrade.phase",
                f"'complete' removes {revision} while namespaces {allowed(left)} still point at it (not in "
                f"upgrade.migrated); allowed: phase migrate with them added to migrated, apply and check, "
                f"then complete",
            )


def _restart_problems(upgrade: RevisionUpgrade, managed: Sequence[str], problems: Problems) -> None:
    moved = upgrade.migrated_namespaces(managed)
    for ns in upgrade.restarts:
        if ns not in moved:
            problems.add(
                ("upgrade", "restarts", Key(ns)),
                f"namespace {ns!r} is not migrated in this phase, so a restart would not change its revision; "
                f"allowed: restarts for {allowed(moved)}",
            )


def minor_pair_reason(pair: list[str]) -> str | None:
    """Why `pair` is not `[first, last]` Kubernetes minors, or None."""
    minors = [sm.kubernetes_minor(v) for v in pair]
    low, high = [*minors, None, None][:2]
    if len(pair) != 2 or low is None or high is None or low > high:
        return f"{pair!r}; allowed: [first, last] Kubernetes minors, e.g. ['1.33', '1.37']"
    return None


@dataclass(frozen=True, kw_only=True)
class MeshSettings:
    """The add-on's service mesh profile and the mesh defaults the platform lays on it."""

    __pydantic_config__: ClassVar = STACK_FILE

    revision: str = constrained(check=revision_reason)
    """Pinned control-plane revision, `asm-1-N` (never left to AKS's n-1 default)."""
    upgrade: RevisionUpgrade | None = None
    """A canary revision upgrade in progress (docs/canary-upgrades.md)."""
    namespaces: list[MeshNamespace] = field(default_factory=list)
    """Application namespaces the platform creates and puts in the mesh."""
    plugin_ca: PluginCaSource | None = None
    """Plug-in CA from Key Vault."""
    mesh_config: MeshConfig = field(default_factory=MeshConfig)
    """The shared MeshConfig (`istio-shared-configmap-<revision>`); only fields AKS admits."""
    new_revision_kubernetes: list[str] | None = constrained(None, check=minor_pair_reason)
    """For a revision newer than the revision catalog: the Kubernetes minors it runs on, `[first, last]` as
    `az aks mesh get-revisions` lists them (e.g. ['1.33', '1.37']). Unset: the newest catalogued revision's
    range shifted by one minor per revision. Ignored for catalogued revisions."""

    def __post_init__(self) -> None:
        check(self)

    @property
    def named_revisions(self) -> list[str]:
        """`revision` and, during an upgrade, its target: every revision the stack file puts on the cluster."""
        return [self.revision] + ([self.upgrade.to] if self.upgrade is not None else [])

    @property
    def assumed_kubernetes(self) -> tuple[int, int] | None:
        """`newRevisionKubernetes` as minors, for a revision newer than the catalog."""
        if self.new_revision_kubernetes is None or minor_pair_reason(self.new_revision_kubernetes) is not None:
            return None
        low, high = (sm.kubernetes_minor(v) or 0 for v in self.new_revision_kubernetes)
        return low, high

    def rules(self, problems: Problems) -> None:
        seen: set[str] = set()
        for index, ns in enumerate(self.namespaces):
            if ns.name in seen and problems.fine(("namespaces", index, "name")):
                problems.add(("namespaces", index, "name"), f"{ns.name!r} is listed twice")
            seen.add(ns.name)
        if self.upgrade is not None:
            managed = [ns.name for ns in self.namespaces]
            upgrade_problems(self.upgrade, revision=self.revision, managed=managed, problems=problems)


def revision_kubernetes_problems(mesh: MeshSettings, kubernetes_version: str, problems: Problems) -> None:
    """Every revision the cluster runs in this phase must run on its Kubernetes version: reported on the revision
    key and on `cluster.kubernetesVersion`, each listing what would work (addon/lifecycle.py). Paths are the
    stack file's, from its root."""
    if not problems.fine(("mesh", "revision"), ("mesh", "new_revision_kubernetes")):
        return
    catalog = active_catalog()
    revision = lifecycle.resolve(catalog, mesh.revision, mesh.assumed_kubernetes)
    if revision is not None:
        for key, message in lifecycle.kubernetes_problems(
            catalog,
            revision,
            kubernetes_version,
            revision_key="mesh.revision",
            kubernetes_key="cluster.kubernetesVersion",
        ):
            problems.add(key, message)
    upgrade_kubernetes_problems(
        mesh.upgrade,
        revision=mesh.revision,
        kubernetes_version=kubernetes_version,
        problems=problems,
        catalog=catalog,
        assumed_kubernetes=mesh.assumed_kubernetes,
    )
