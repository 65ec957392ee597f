"""Issue #19 item 5: an API server open to the whole internet (an authorized range of the whole address space) is
refused in staging and prod and warned in dev, judged by aks_istio.addon.exposure, as the pack judges it."""

from __future__ import annotations

import pytest

from aks_istio.addon.exposure import api_server_open_to_internet
from aks_istio.config import ConfigError, load_stack_config
from aks_istio.config.presets import config_warnings
from tests.support import capture_stack, merge, raw_platform

KEY = "aks-istio:platform.cluster.apiServer.authorizedIpRanges"


def opened(environment: str, *ranges: str) -> dict[str, object]:
    api = {"authorizedIpRanges": list(ranges), "privateCluster": False}
    return merge(raw_platform(environment), {"cluster": {"apiServer": api}})


@pytest.mark.parametrize("environment", ["staging", "prod"])
def test_the_whole_address_space_is_refused_in_staging_and_prod(environment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_stack_config(opened(environment, "203.0.113.0/24", "0.0.0.0/0"))
    [problem] = [p for p in caught.value.problems if p.startswith(f"{KEY}:")]
    assert f"{KEY}: ['0.0.0.0/0'] opens the API server to the whole internet" in problem
    assert f"allowed in {environment}: your office/CI CIDRs" in problem


def test_dev_accepts_it_with_a_warning_the_program_logs() -> None:
    platform = opened("dev", "0.0.0.0/0")
    [warning] = config_warnings(load_stack_config(platform))
    assert warning.startswith(f"{KEY}: ['0.0.0.0/0'] opens the API server to the whole internet (allowed in dev")
    assert warning in capture_stack("dev", platform, preview=True).warnings


def test_ranges_that_limit_who_reaches_it_are_not_open() -> None:
    assert api_server_open_to_internet(["203.0.113.0/24"], private_cluster=False) is None
    assert api_server_open_to_internet(["0.0.0.0/0"], private_cluster=True) is None
    assert api_server_open_to_internet([], private_cluster=False) is not None
    assert "'::/0' is the whole address space" in str(api_server_open_to_internet(["::/0"], private_cluster=False))
    assert config_warnings(load_stack_config(raw_platform("dev"))) == []
