"""Settings of the Istio add-on's mesh: revision, application namespaces, mTLS, plug-in CA, shared MeshConfig."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from aks_istio.addon import rules
from aks_istio.addon import support_matrix as sm
from aks_istio.config._base import K8S_NAME_PATTERN, Problems, Settings, allowed
from aks_istio.config.canary import RevisionUpgradeSettings, check_revision_name, upgrade_problems

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
        top = sm.MESH_CONFIG_SUPPORTED_FIELDS | sm.MESH_CONFIG_ALLOWED_FIELDS
        problems = [f"{k!r} is blocked by the add-on" for k in fields if k not in top]
        proxy = fields.get("defaultConfig", {})
        if not isinstance(proxy, dict):
            problems.append("defaultConfig must be a mapping of ProxyConfig fields")
        else:
            proxy_ok = sm.PROXY_CONFIG_SUPPORTED_FIELDS | sm.PROXY_CONFIG_ALLOWED_FIELDS
            problems += [f"defaultConfig.{k!r} is blocked by the add-on" for k in proxy if k not in proxy_ok]
        mode = (
            (fields.get("outboundTrafficPolicy") or {}).get("mode")
            if isinstance(fields.get("outboundTrafficPolicy"), dict)
            else None
        )
        if mode is not None and mode not in sm.OUTBOUND_TRAFFIC_POLICY_MODES:
            problems.append(
                f"outboundTrafficPolicy.mode {mode!r}; allowed: {allowed(sm.OUTBOUND_TRAFFIC_POLICY_MODES)}"
            )
        if problems:
            raise ValueError(
                "; ".join(problems)
                + f". Allowed MeshConfig fields: {allowed(sorted(top))}; ProxyConfig fields: "
                + allowed(sorted(sm.PROXY_CONFIG_SUPPORTED_FIELDS | sm.PROXY_CONFIG_ALLOWED_FIELDS))
            )
        return fields


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

    @property
    def named_revisions(self) -> list[str]:
        """`revision` and, during an upgrade, its target: every revision the stack file puts on the cluster."""
        return [self.revision] + ([self.upgrade.to] if self.upgrade is not None else [])

    @field_validator("revision")
    @classmethod
    def _known_revision(cls, revision: str) -> str:
        return check_revision_name(revision)

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
