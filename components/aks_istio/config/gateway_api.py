"""Settings of Gateway API ingress with the add-on: managed CRDs, Gateways of class `istio`, customization.

Customization ConfigMaps take only the fields AKS allowlists (support_matrix); TLS rules are aks_istio.addon.rules'.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from aks_istio.addon import rules
from aks_istio.addon import support_matrix as sm
from aks_istio.config._base import K8S_NAME_PATTERN, Problems, Settings
from aks_istio.config.ingress import HOSTNAME_PATTERN, SUBNET_NAME_PATTERN


def _customization(data: dict[str, Any]) -> dict[str, Any]:
    problems = sm.gateway_api_customization_problems(data)
    if problems:
        raise ValueError("; ".join(problems))
    return data


class GatewayListenerSettings(Settings):
    """One listener of a Gateway API `Gateway`."""

    name: str = Field(pattern=K8S_NAME_PATTERN, description="Listener name.")
    port: int = Field(ge=1, le=65535, description="Port on the gateway's load balancer.")
    protocol: Literal["HTTP", "HTTPS"] = Field(default="HTTP", description="HTTPS terminates TLS at the gateway.")
    hostname: str | None = Field(default=None, pattern=HOSTNAME_PATTERN, description="Host the listener serves.")
    certificate_secret: str | None = Field(
        default=None, pattern=K8S_NAME_PATTERN, description="HTTPS: TLS Secret in the Gateway's namespace."
    )
    allowed_routes: Literal["Same", "All"] = Field(default="Same", description="Namespaces whose routes may attach.")

    @model_validator(mode="after")
    def _tls(self) -> GatewayListenerSettings:
        problems = Problems()
        for key, problem in rules.listener_tls_problems(self.protocol, self.certificate_secret):
            problems.add(key, problem)
        problems.raise_if_any()
        return self


class GatewayApiGatewaySettings(Settings):
    """A Gateway API `Gateway` of class `istio`; AKS provisions `<name>-istio` (Deployment, Service, HPA, PDB)."""

    name: str = Field(pattern=K8S_NAME_PATTERN, description="Gateway name.")
    namespace: str = Field(pattern=K8S_NAME_PATTERN, description="Namespace of the Gateway and its routes.")
    internal: bool = Field(default=True, description="Internal load balancer (else a public one).")
    internal_subnet: str | None = Field(
        default=None, pattern=SUBNET_NAME_PATTERN, description="Internal: subnet of the mesh VNet for the frontend."
    )
    annotations: dict[str, str] = Field(
        default_factory=dict, description="spec.infrastructure.annotations, copied onto the generated Service."
    )
    listeners: list[GatewayListenerSettings] = Field(
        default_factory=lambda: [GatewayListenerSettings(name="http", port=80)],
        min_length=1,
        description="Listeners; default one HTTP listener on 80.",
    )
    parameters: dict[str, Any] = Field(
        default_factory=dict,
        description="Per-gateway customization ConfigMap (deployment, service, horizontalPodAutoscaler, "
        "podDisruptionBudget), allowlisted fields only; wins over classDefaults.",
    )

    _parameters = field_validator("parameters")(_customization)

    @model_validator(mode="after")
    def _consistent(self) -> GatewayApiGatewaySettings:
        problems = Problems()
        if self.internal_subnet is not None and not self.internal:
            problems.add("internalSubnet", "only applies to internal gateways; allowed: internal: true")
        if sm.LOAD_BALANCER_INTERNAL_ANNOTATION in self.annotations:
            problems.add("annotations", f"{sm.LOAD_BALANCER_INTERNAL_ANNOTATION!r} is set from `internal`; remove it")
        names = [listener.name for listener in self.listeners]
        for index, name in enumerate(names):
            if names.index(name) != index:
                problems.add(f"listeners[{index}].name", f"{name!r} is used twice; listener names must be unique")
        problems.raise_if_any()
        return self


class GatewayApiSettings(Settings):
    """Gateway API ingress with the add-on (GA 2026-05, asm-1-26+): managed CRDs, Gateways, customization."""

    enabled: bool = Field(default=False, description="Install the managed Gateway API CRDs and the Gateways below.")
    class_defaults: dict[str, Any] = Field(
        default_factory=dict,
        description="Patched into AKS's istio-gateway-class-defaults ConfigMap; allowlisted fields only.",
    )
    gateways: list[GatewayApiGatewaySettings] = Field(default_factory=list, description="Gateways to create.")

    _class_defaults = field_validator("class_defaults")(_customization)

    @model_validator(mode="after")
    def _consistent(self) -> GatewayApiSettings:
        problems = Problems()
        if not self.enabled and (self.gateways or self.class_defaults):
            problems.add("enabled", "is false, so gateways/classDefaults would be ignored; allowed: true")
        seen: set[tuple[str, str]] = set()
        for index, gateway in enumerate(self.gateways):
            key = (gateway.namespace, gateway.name)
            if key in seen:
                problems.add(f"gateways[{index}].name", f"{gateway.name!r} is listed twice in {gateway.namespace!r}")
            seen.add(key)
        problems.raise_if_any()
        return self
