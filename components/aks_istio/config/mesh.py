"""Settings of the Istio add-on's mesh: revision, application namespaces, mTLS, plug-in CA, shared MeshConfig."""

from __future__ import annotations

import difflib
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from aks_istio import value_checks
from aks_istio.addon import lifecycle, rules
from aks_istio.addon import support_matrix as sm
from aks_istio.addon.catalog import active_catalog
from aks_istio.config._base import K8S_NAME_PATTERN, Problems, Settings, allowed
from aks_istio.config.canary import (
    RevisionUpgradeSettings,
    check_revision_name,
    upgrade_kubernetes_problems,
    upgrade_problems,
)

RESERVED_NAMESPACES = frozenset(
    {"kube-system", "kube-public", "kube-node-lease", "default", "gatekeeper-system"}
    | {sm.ADDON_SYSTEM_NAMESPACE, sm.ADDON_INGRESS_NAMESPACE}
)

MtlsMode = Literal["STRICT", "PERMISSIVE", "DISABLE"]


class MeshNamespaceSettings(Settings):
    """An application namespace in the mesh, labelled `istio.io/rev=<revision>` so its pods get sidecars."""

    name: str = Field(pattern=K8S_NAME_PATTERN, description="Namespace name.")
    mtls: MtlsMode = Field(
        default="STRICT",
        description="STRICT inherits the mesh-wide policy; PERMISSIVE/DISABLE adds a namespace exception.",
    )
    labels: dict[str, str] = Field(default_factory=dict, description="Extra namespace labels.")

    @field_validator("labels")
    @classmethod
    def _no_injection_labels(cls, labels: dict[str, str]) -> dict[str, str]:
        if sm.IGNORED_INJECTION_LABEL in labels:
            raise ValueError(
                f"{sm.IGNORED_INJECTION_LABEL!r} is ignored by the add-on (the namespace would get no sidecars); "
                f"the platform sets {sm.REVISION_LABEL} for you"
            )
        if sm.REVISION_LABEL in labels:
            raise ValueError(f"{sm.REVISION_LABEL!r} is set by the platform from mesh.revision; remove it")
        return labels


class PluginCaSettings(Settings):
    """Istio's CA from Key Vault (the add-on's plug-in CA), instead of its self-signed root."""

    key_vault_id: str | None = Field(
        default=None,
        pattern=sm.KEY_VAULT_ID_PATTERN.pattern,
        description="Existing vault holding the four secrets; unset: a vault is created (needs generateDevCa).",
    )
    generate_dev_ca: bool = Field(
        default=False, description="Generate a root + intermediate with pulumi-tls and store them (never in prod)."
    )
    cert_object_name: str = Field(default="ca-cert", description="Secret with the intermediate certificate.")
    key_object_name: str = Field(default="ca-key", description="Secret with the intermediate private key.")
    root_cert_object_name: str = Field(default="root-cert", description="Secret with the root certificate.")
    cert_chain_object_name: str = Field(default="cert-chain", description="Secret with the certificate chain.")
    rotation_poll_interval: str = Field(
        default="2m", pattern=r"^\d+[smh]$", description="How often the secrets provider re-reads the vault."
    )

    @model_validator(mode="after")
    def _source_of_secrets(self) -> PluginCaSettings:
        problems = Problems()
        names = [self.cert_object_name, self.key_object_name, self.root_cert_object_name, self.cert_chain_object_name]
        for key, problem in rules.plugin_ca_problems(
            self.key_vault_id, generate_dev_ca=self.generate_dev_ca, object_names=names
        ):
            problems.add(key, problem)
        problems.raise_if_any()
        return self


class MeshConfigSettings(Settings):
    """The shared MeshConfig (`istio-shared-configmap-<revision>`); only fields AKS admits."""

    fields: dict[str, Any] = Field(
        default_factory=dict,
        description="MeshConfig fields, e.g. outboundTrafficPolicy, accessLogFile, defaultConfig.",
    )

    @field_validator("fields")
    @classmethod
    def _admitted_fields(cls, fields: dict[str, Any]) -> dict[str, Any]:
        # One short line per field: a misspelling gets "did you mean", a real field the add-on's webhook rejects
        # says so, pointing at Microsoft's list (the whole list inline made a 1,000-character line).
        problems = Problems()
        top = sm.MESH_CONFIG_SUPPORTED_FIELDS | sm.MESH_CONFIG_ALLOWED_FIELDS
        for key in fields:
            if key not in top:
                problems.add(key, _not_admitted(key, top, "MeshConfig"))
        proxy = fields.get("defaultConfig", {})
        if not isinstance(proxy, dict):
            problems.add("defaultConfig", "must be a mapping of ProxyConfig fields")
        else:
            proxy_ok = sm.PROXY_CONFIG_SUPPORTED_FIELDS | sm.PROXY_CONFIG_ALLOWED_FIELDS
            for key in proxy:
                if key not in proxy_ok:
                    problems.add(f"defaultConfig.{key}", _not_admitted(key, proxy_ok, "ProxyConfig"))
        mode = (
            (fields.get("outboundTrafficPolicy") or {}).get("mode")
            if isinstance(fields.get("outboundTrafficPolicy"), dict)
            else None
        )
        if mode is not None and mode not in sm.OUTBOUND_TRAFFIC_POLICY_MODES:
            problems.add(
                "outboundTrafficPolicy.mode", f"{mode!r}; allowed: {allowed(sm.OUTBOUND_TRAFFIC_POLICY_MODES)}"
            )
        problems.raise_if_any()
        return fields


def _not_admitted(key: str, admitted: frozenset[str], kind: str) -> str:
    """A misspelt field gets a suggestion; any other is one the add-on does not admit."""
    close = difflib.get_close_matches(key, sorted(admitted), n=1, cutoff=0.75)
    if close:
        return f"not a {kind} field the add-on admits (did you mean {close[0]!r}?)"
    return f"the add-on does not admit this {kind} field; the ones it does: https://learn.microsoft.com/azure/aks/istio-meshconfig"


class MeshSettings(Settings):
    """The add-on's service mesh profile and the mesh defaults the platform lays on it."""

    revision: str = Field(description="Pinned control-plane revision, `asm-1-N` (never left to AKS's n-1 default).")
    upgrade: RevisionUpgradeSettings | None = Field(
        default=None, description="A canary revision upgrade in progress (docs/canary-upgrades.md)."
    )
    namespaces: list[MeshNamespaceSettings] = Field(
        default_factory=list, description="Application namespaces the platform creates and puts in the mesh."
    )
    plugin_ca: PluginCaSettings | None = Field(default=None, description="Plug-in CA from Key Vault.")
    mesh_config: MeshConfigSettings = Field(default_factory=MeshConfigSettings)
    new_revision_kubernetes: list[str] | None = Field(
        default=None,
        min_length=2,
        max_length=2,
        description="For a revision newer than the revision catalog: the Kubernetes minors it runs on, "
        "`[first, last]` as `az aks mesh get-revisions` lists them (e.g. ['1.33', '1.37']). Unset: the newest "
        "catalogued revision's range shifted by one minor per revision. Ignored for catalogued revisions.",
    )

    @property
    def named_revisions(self) -> list[str]:
        """`revision` and, during an upgrade, its target: every revision the stack file puts on the cluster."""
        return [self.revision] + ([self.upgrade.to] if self.upgrade is not None else [])

    @field_validator("revision")
    @classmethod
    def _known_revision(cls, revision: str) -> str:
        return check_revision_name(revision)

    @field_validator("new_revision_kubernetes")
    @classmethod
    def _minor_pair(cls, pair: list[str] | None) -> list[str] | None:
        minors = [sm.kubernetes_minor(v) for v in pair or []]
        if pair is not None and (None in minors or minors[0] > minors[1]):  # type: ignore[operator]
            raise ValueError(f"{pair!r}; allowed: [first, last] Kubernetes minors, e.g. ['1.33', '1.37']")
        return pair

    @property
    def assumed_kubernetes(self) -> tuple[int, int] | None:
        """`newRevisionKubernetes` as minors, for a revision newer than the catalog."""
        if self.new_revision_kubernetes is None:
            return None
        low, high = (sm.kubernetes_minor(v) or 0 for v in self.new_revision_kubernetes)
        return low, high

    @model_validator(mode="after")
    def _namespaces(self) -> MeshSettings:
        problems = Problems()
        seen: set[str] = set()
        for index, ns in enumerate(self.namespaces):
            if ns.name in RESERVED_NAMESPACES or ns.name.startswith("aks-istio-"):
                problems.add(f"namespaces[{index}].name", f"{ns.name!r} is reserved; use an application namespace")
            if ns.name in seen:
                problems.add(f"namespaces[{index}].name", f"{ns.name!r} is listed twice")
            seen.add(ns.name)
        if self.upgrade is not None:
            managed = [ns.name for ns in self.namespaces]
            upgrade_problems(self.upgrade, revision=self.revision, managed=managed, problems=problems)
        problems.raise_if_any()
        return self


def revision_kubernetes_problems(mesh: MeshSettings, kubernetes_version: str, problems: value_checks.Problems) -> None:
    """Every revision the cluster runs in this phase must run on its Kubernetes version: reported on the revision
    key and on `cluster.kubernetesVersion`, each listing what would work (addon/lifecycle.py)."""
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
