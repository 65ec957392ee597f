"""The pack, with every policy mandatory as prod runs it, reports nothing on what AppIngress declares: each variant's
objects, judged through the Analyzer protocol as one program (Analyze per resource, then AnalyzeStack)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aks_istio.gateways.app_ingress_values import AppAccess
from aks_istio.offline.capture import Unknown
from aks_istio.offline.verdict import PACK_DIR
from tests.components.gateways.app_ingress_cases import FULL, VARIANTS, declare
from tests.policy.conftest import Pack, mandatory

# prod's enforcement (everything mandatory), on a cluster that runs the add-on: an app team's program declares no
# cluster, so the pack is told (pack-settings) rather than left to report its add-on rules as advisory.
PROD = json.loads((PACK_DIR / "config" / "prod.json").read_text()) | {"pack-settings": {"clusterRunsIstioAddon": "yes"}}
EXTRAS: dict[str, dict[str, Any]] = {
    "simple": FULL,
    "mutual": FULL,
    "none": {**FULL, "retries": None, "gateway_external_traffic_policy": "Local"},
    "passthrough": {},
    "gateway-api": {"access": AppAccess(source_ranges=["10.0.0.0/8"]), "timeout": "10s"},
}


def plain(value: Any) -> Any:
    """Inputs as the engine sends them before apply: unknowns as empty strings (no marker the pack must read)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return "" if isinstance(value, Unknown) else value


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_the_pack_reports_nothing_mandatory_on_an_app_ingress(pack: Pack, variant: str) -> None:
    capture = declare(**VARIANTS[variant], **EXTRAS[variant])
    resources = [(r.type, r.name, plain(r.inputs)) for r in capture.resources if r.custom]
    verdicts = pack.program(resources, config=PROD)
    assert mandatory(verdicts) == []
    assert "stack-istio-addon-target-declared" not in {v.policy for v in verdicts}  # the add-on rules ran
    assert all(v.policy not in {"pack-resource-rule-raised", "pack-stack-rule-raised"} for v in verdicts)


def test_the_same_objects_with_upstreams_selector_are_reported(pack: Pack) -> None:
    """The check above can fail: the pack does judge these objects (here the add-on's most common mistake)."""
    capture = declare(**FULL)
    resources = [(r.type, r.name, plain(r.inputs)) for r in capture.resources if r.custom]
    for type_, _, props in resources:
        if type_ == "kubernetes:networking.istio.io/v1:Gateway":
            props["spec"]["selector"] = {"istio": "ingressgateway"}
    found = mandatory(pack.program(resources, config=PROD))
    assert [resource for _, resource in found] == ["shop-gateway"], found
