"""Egress gateway config refusals (config/egress.py and its cross-stack rules)."""

from __future__ import annotations

from tests.config.gateway_support import ROOT, egress, problems_of


def test_egress_gateway_needs_a_pool() -> None:
    [problem] = problems_of("prod", egress(pool=None))
    assert (
        problem
        == f"{ROOT}.egress.pool: is required for egress gateways (Static Egress Gateway); allowed: {{name, ...}}"
    )


def test_egress_gateway_needs_registry_only_outbound_traffic() -> None:
    changes = {"mesh": {"meshConfig": {"fields": {"outboundTrafficPolicy": {"mode": "ALLOW_ANY"}}}}}
    [problem] = problems_of("prod", changes)
    assert problem == (
        "aks-istio:platform.mesh.meshConfig.fields.outboundTrafficPolicy.mode: 'ALLOW_ANY' lets workloads bypass "
        "gateways.egress; allowed with egress gateways: REGISTRY_ONLY"
    )


def test_egress_gateway_name_must_match_the_add_on_pattern() -> None:
    found = problems_of("prod", egress(gateways=[{"name": "Egress_1"}]))
    assert found[0].startswith(f"{ROOT}.egress.gateways[0].name: 'Egress_1' is not valid: allowed: 1-53 lowercase")


def test_gateway_pool_count_must_fit_the_public_ip_prefix() -> None:
    [problem] = problems_of("prod", egress(pool={"publicIpPrefixSize": 31, "count": 3}))
    assert problem == f"{ROOT}.egress.pool.count: 3 nodes do not fit a /31 prefix; allowed: 1..2"


def test_gateway_pool_prefix_size_outside_28_to_31_is_refused() -> None:
    [problem] = problems_of("prod", egress(pool={"publicIpPrefixSize": 27}))
    assert problem.startswith(f"{ROOT}.egress.pool.publicIpPrefixSize: 27 is not valid")
