"""Classic ingress gateway config refusals (config/ingress.py): each names the key path, the bad value and what
is allowed."""

from __future__ import annotations

from pathlib import Path

from aks_istio.addon import support_matrix as sm
from aks_istio.config import load_stack_config
from tests.config.gateway_support import ROOT, ingress, problems_of
from tests.support import merge, raw_platform


def test_each_unknown_annotation_is_refused_at_its_entry_naming_the_nearest_allowed_ones() -> None:
    bad = {"service.beta.kubernetes.io/port_8080_no_lb_rule": "x", "service.beta.kubernetes.io/azure-pip-nam": "y"}
    first, second = problems_of("dev", ingress("internal", annotations=bad))
    prefix = f"{ROOT}.ingress.internal.annotations"
    assert first.startswith(f"{prefix}.service.beta.kubernetes.io/port_8080_no_lb_rule: ")
    assert "'service.beta.kubernetes.io/port_8080_no_lb_rule' cannot be set" in first
    assert "allowed: service.beta.kubernetes.io/port_80_no_lb_rule, " in first  # the nearest first, not all 26
    assert "service.beta.kubernetes.io/azure-pip-name" not in first
    assert f"the nearest of {len(sm.allowed_gateway_annotations())}; all of them: " in first
    assert second.startswith(f"{prefix}.service.beta.kubernetes.io/azure-pip-nam: ")
    assert "allowed: service.beta.kubernetes.io/azure-pip-name, " in second


def test_the_documented_annotation_list_is_the_allowlist() -> None:
    documented = (Path(__file__).resolve().parents[2] / "docs" / "gateways.md").read_text()
    section = documented.split("### Allowed Service annotations", 1)[1].split("\n## ", 1)[0]
    listed = [line[3:-1] for line in section.splitlines() if line.startswith("- `")]
    assert listed == sm.allowed_gateway_annotations()


def test_health_probe_annotations_for_80_and_443_are_accepted() -> None:
    config = load_stack_config(
        merge(
            raw_platform("dev"),
            ingress("internal", annotations={"service.beta.kubernetes.io/port_443_no_probe_rule": "true"}),
        )
    )
    assert config.gateways.ingress.internal.annotations


def test_hpa_below_two_replicas_is_refused() -> None:
    [problem] = problems_of("dev", ingress("internal", hpa={"minReplicas": 1, "maxReplicas": 3}))
    assert problem.startswith(f"{ROOT}.ingress.internal.hpa.minReplicas: 1 is below the add-on's minimum")
    assert "allowed: >= 2" in problem


def test_max_replicas_below_a_refused_min_replicas_is_measured_against_what_is_allowed() -> None:
    """minReplicas 1 is refused: maxReplicas 0 is not "below minReplicas 1" (a value the same list refuses) but
    below the add-on's minimum, with what is allowed."""
    found = problems_of("dev", ingress("internal", hpa={"minReplicas": 1, "maxReplicas": 0}))
    assert f"{ROOT}.ingress.internal.hpa.maxReplicas: 0 is below the add-on's minimum of 2 replicas; allowed: >= 2" in (
        found
    ), found
    assert not any("below minReplicas 1" in problem for problem in found)
    [above] = problems_of("dev", ingress("internal", hpa={"minReplicas": 3, "maxReplicas": 2}))
    assert above == f"{ROOT}.ingress.internal.hpa.maxReplicas: 2 is below minReplicas 3; allowed: >= 3"


def test_static_ip_on_the_internal_gateway_and_subnet_on_the_external_are_refused_together() -> None:
    found = problems_of(
        "dev",
        {
            "gateways": {
                "ingress": {
                    "internal": {"staticIp": {}},
                    "external": {"enabled": True, "subnet": {"prefix": "10.20.8.0/24"}},
                }
            }
        },
    )
    assert any(p.startswith(f"{ROOT}.ingress.internal.staticIp: is for the external gateway") for p in found)
    assert any(p.startswith(f"{ROOT}.ingress.external.subnet: is for the internal gateway") for p in found)


def test_settings_on_a_disabled_gateway_are_refused() -> None:
    [problem] = problems_of("dev", ingress("external", allowedServiceTags=["AzureFrontDoor.Backend"]))
    assert problem.startswith(f"{ROOT}.ingress.external.enabled: is false")


def test_typed_key_and_its_raw_annotation_cannot_both_be_set() -> None:
    [problem] = problems_of(
        "dev",
        ingress(
            "internal",
            allowedIpRanges=["10.0.0.0/8"],
            annotations={sm.GATEWAY_SERVICE_ANNOTATION_IP_RANGES: "10.0.0.0/8"},
        ),
    )
    assert f"{sm.GATEWAY_SERVICE_ANNOTATION_IP_RANGES!r} is set from" in problem


def test_internal_subnet_outside_the_vnet_is_refused() -> None:
    [problem] = problems_of("dev", ingress("internal", subnet={"prefix": "172.16.0.0/24"}))
    assert problem == (
        f"{ROOT}.ingress.internal.subnet.prefix: '172.16.0.0/24' is outside cluster.network.vnetAddressSpace "
        "'10.20.0.0/16'"
    )
