"""Traffic analysis: an `istioctl analyze` that knows the add-on, as stack policies over the program's Istio,
Kubernetes and Gateway API objects (model.py: the objects and what the add-on provides; analysis.py: how a check
runs; one module per concern; policies.py: the checks grouped into the pack's policies)."""

from __future__ import annotations

from typing import Final

from . import gateway_api, gateways, mtls, placement, services, virtual_services
from .policies import POLICIES as POLICIES

MODULES: Final = (gateways, virtual_services, mtls, placement, services, gateway_api)
CHECKS: Final = tuple(c for module in MODULES for c in module.CHECKS)
