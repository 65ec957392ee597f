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

PROD = json.loads((PACK_DIR / "config" / "prod.json").read_text())
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
    assert all(v.policy not in {"pack-resource-rule-raised", "pack-stack-rule-raised"} for v in verdicts)
