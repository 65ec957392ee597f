"""Traffic analysis: an `istioctl analyze` that knows the add-on, as stack policies over the program's Istio,
Kubernetes and Gateway API objects (model.py: the objects and what the add-on provides; analysis.py: how a rule
runs; one module per concern)."""

from __future__ import annotations

from typing import Final

from . import gateway_api, gateways, mtls, placement, services, virtual_services

MODULES: Final = (gateways, virtual_services, mtls, placement, services, gateway_api)
POLICIES: Final = tuple(p for module in MODULES for p in module.POLICIES)
