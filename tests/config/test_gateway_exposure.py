"""prod refuses an external gateway the whole internet reaches, however it is opened, and accepts one limited
through the allowlisted annotation as well as through the typed keys."""

from __future__ import annotations

from typing import Any

import pytest

from aks_istio.addon.support_matrix import GATEWAY_SERVICE_ANNOTATION_SERVICE_TAGS
from aks_istio.config import ConfigError
from tests.support import config_of

EXTERNAL = "aks-istio:platform.gateways.ingress.external"


def external(**settings: Any) -> dict[str, Any]:
    # prod's sample limits the gateway with allowedServiceTags; each case replaces that.
    return {"ingress": {"external": {"allowedServiceTags": [], **settings}}}


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        ({}, "no allowed service tags or IP ranges"),
        ({"allowedServiceTags": ["Internet"]}, "the service tag 'Internet'"),
        ({"allowedIpRanges": ["0.0.0.0/0"]}, "the range '0.0.0.0/0'"),
        ({"annotations": {GATEWAY_SERVICE_ANNOTATION_SERVICE_TAGS: "Internet"}}, "the service tag 'Internet'"),
    ],
)
def test_prod_refuses_an_external_gateway_open_to_the_internet(settings: dict[str, Any], reason: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_of("prod", gateways=external(**settings))
    [problem] = caught.value.problems
    assert problem.startswith(f"{EXTERNAL}: is open to the whole internet ({reason}")


def test_prod_accepts_a_gateway_limited_through_the_allowlisted_annotation() -> None:
    config = config_of(
        "prod", gateways=external(annotations={GATEWAY_SERVICE_ANNOTATION_SERVICE_TAGS: "AzureFrontDoor.Backend"})
    )
    assert config.gateways.ingress.external.enabled


def test_dev_may_open_its_external_gateway() -> None:
    config = config_of("dev", gateways={"ingress": {"external": {"enabled": True, "allowedServiceTags": ["Internet"]}}})
    assert config.gateways.ingress.external.enabled
