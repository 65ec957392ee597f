"""Environment rules (config/presets.py): prod hardening refusals name the key path, the bad value and what is
allowed in prod."""

from __future__ import annotations

from tests.config.gateway_support import ROOT, problems_of


def test_prod_external_gateway_must_be_limited_by_service_tags_or_ip_ranges() -> None:
    found = problems_of("prod", {"gateways": {"ingress": {"external": {"allowedServiceTags": []}}}})
    assert found == [
        f"{ROOT}.ingress.external: is open to the whole internet (no allowed service tags or IP ranges limit who "
        "reaches it); allowed in prod: allowedServiceTags (e.g. AzureFrontDoor.Backend) or allowedIpRanges other "
        "than Internet and 0.0.0.0/0"
    ]


def test_prod_static_ip_must_be_zone_redundant() -> None:
    [problem] = problems_of("prod", {"gateways": {"ingress": {"external": {"staticIp": {"zones": ["1"]}}}}})
    assert problem.startswith(f"{ROOT}.ingress.external.staticIp.zones: ['1'] is not zone-redundant")
