"""Settings of the add-on's gateways."""

from __future__ import annotations

from pydantic import Field

from ._base import Settings


class IngressGatewaySettings(Settings):
    """One of the add-on's two classic ingress gateways (`aks-istio-ingressgateway-{internal,external}`)."""

    enabled: bool = Field(default=False, description="Deploy this gateway.")


class IngressSettings(Settings):
    """The internal and the external ingress gateway; the external one is opt-in."""

    internal: IngressGatewaySettings = Field(default_factory=IngressGatewaySettings)
    external: IngressGatewaySettings = Field(default_factory=IngressGatewaySettings)


class GatewaySettings(Settings):
    """Ingress and egress gateways."""

    ingress: IngressSettings = Field(default_factory=IngressSettings)
