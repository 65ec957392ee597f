"""Gateway API ingress: the CRD installation command, the Gateway objects and customization ConfigMaps sent."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from aks_istio.addon import support_matrix as sm
from aks_istio.gateways.gateway_api import (
    GatewayApiIngressArgs,
    GatewayListener,
    ListenerProtocol,
    gateway_api_ingress_profile,
)
from tests.support import capture_stack, merge, one, raw_platform

GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
COMMAND = "command:local:Command"

SETTINGS = {
    "enabled": True,
    "classDefaults": {"horizontalPodAutoscaler": {"spec": {"minReplicas": 3, "maxReplicas": 8}}},
    "gateways": [
        {
            "name": "web",
            "namespace": "apps",
            "internalSubnet": "snet-ingress",
            "listeners": [
                {
                    "name": "https",
                    "port": 443,
                    "protocol": "HTTPS",
                    "hostname": "shop.example.com",
                    "certificateSecret": "shop-tls",
                }
            ],
            "parameters": {"deployment": {"spec": {"replicas": 2}}},
        }
    ],
}


@pytest.fixture(scope="module")
def dev() -> Any:
    return capture_stack("dev", merge(raw_platform("dev"), {"gateways": {"gatewayApi": SETTINGS}}))


def test_crds_are_installed_by_the_documented_cli_call_on_this_cluster(dev: Any) -> None:
    command = one(dev, COMMAND).inputs
    assert "--enable-gateway-api" in command["create"] and "--disable-gateway-api" in command["delete"]
    assert command["environment"]["AKS_CLUSTER"] == "aks-istio-dev"
    assert command["environment"]["ARM_FRAGMENT"] == (
        '{"ingressProfile": {"gatewayAPI": {"installation": "Standard"}}}'
    )


def test_the_arm_fragment_names_fields_of_api_2026_02_and_later() -> None:
    from azure.mgmt.containerservice import models

    profile = gateway_api_ingress_profile()["ingressProfile"]
    parsed = models.ManagedClusterIngressProfile(profile)
    assert parsed.gateway_api is not None
    assert parsed.gateway_api.installation == "Standard"


def test_gateway_is_class_istio_internal_on_its_subnet_with_its_parameters(dev: Any) -> None:
    gateway = one(dev, GATEWAY)
    spec = gateway.inputs["spec"]
    assert spec["gatewayClassName"] == "istio"
    assert spec["infrastructure"]["annotations"] == {
        sm.LOAD_BALANCER_INTERNAL_ANNOTATION: "true",
        sm.GATEWAY_SERVICE_ANNOTATION_INTERNAL_SUBNET: "snet-ingress",
    }
    assert spec["infrastructure"]["parametersRef"] == {"group": "", "kind": "ConfigMap", "name": "web-gateway-params"}
    assert spec["listeners"][0]["tls"] == {
        "mode": "Terminate",
        "certificateRefs": [{"kind": "Secret", "name": "shop-tls"}],
    }
    assert one(dev, COMMAND).urn in gateway.dependencies


def test_customization_configmaps_carry_yaml_under_the_allowlisted_keys(dev: Any) -> None:
    params = one(dev, "kubernetes:core/v1:ConfigMap", "web-params").inputs
    assert params["metadata"] == {"name": "web-gateway-params", "namespace": "apps"}
    assert yaml.safe_load(params["data"]["deployment"]) == {"spec": {"replicas": 2}}
    defaults = one(dev, "kubernetes:core/v1:ConfigMapPatch").inputs
    assert defaults["metadata"]["name"] == sm.GATEWAY_API_CLASS_DEFAULTS_CONFIGMAP
    assert defaults["metadata"]["namespace"] == sm.ADDON_SYSTEM_NAMESPACE
    assert yaml.safe_load(defaults["data"]["horizontalPodAutoscaler"]) == {"spec": {"maxReplicas": 8, "minReplicas": 3}}


def test_stacks_without_gateway_api_run_no_command() -> None:
    assert capture_stack("dev").of_type(COMMAND) == []


def test_args_refuse_old_revisions_and_app_routing_istio() -> None:
    common: dict[str, Any] = {"resource_group_name": "rg", "cluster_name": "c", "cluster_id": "id"}
    # In the Args' own words: their fields, not the stack file's keys.
    with pytest.raises(
        ValueError, match=r"needs revision asm-1-26 or newer.*allowed: only asm-1-26 or newer in revisions$"
    ):
        GatewayApiIngressArgs(revisions=["asm-1-25"], **common)
    with pytest.raises(ValueError, match=r"cannot coexist with app-routing's Istio .*\(app_routing_istio: false after"):
        GatewayApiIngressArgs(revisions=["asm-1-30"], app_routing_istio=True, **common)


def test_an_https_listener_needs_its_certificate() -> None:
    with pytest.raises(ValueError, match="certificate_secret: is required for HTTPS"):
        GatewayListener(name="https", port=443, protocol=ListenerProtocol.HTTPS)


def upgrading(upgrade: dict[str, Any]) -> dict[str, Any]:
    return merge(
        raw_platform("dev"),
        {
            "gateways": {"gatewayApi": SETTINGS},
            "mesh": {"revision": "asm-1-29", "upgrade": {"to": "asm-1-30", **upgrade}},
        },
    )


def test_a_canary_upgrade_can_keep_gateways_on_the_old_revision_until_they_are_moved() -> None:
    # AKS hands Gateways to the higher revision at start unless istio.io/rev pins them (https://learn.microsoft.com/azure/aks/istio-gateway-api).
    pinned = one(capture_stack("dev", upgrading({"phase": "start", "gatewayRevision": "asm-1-29"})), GATEWAY)
    assert pinned.inputs["metadata"]["labels"] == {sm.REVISION_LABEL: "asm-1-29"}
    moved = one(
        capture_stack("dev", upgrading({"phase": "migrate", "migrated": "all", "gatewayRevision": "asm-1-30"})), GATEWAY
    )
    assert moved.inputs["metadata"]["labels"] == {sm.REVISION_LABEL: "asm-1-30"}
    assert "labels" not in one(capture_stack("dev", upgrading({"phase": "start"})), GATEWAY).inputs["metadata"]


@pytest.mark.parametrize(("phase", "pinned"), [("complete", "asm-1-29"), ("rollback", "asm-1-30")])
def test_gateways_cannot_stay_on_the_revision_a_phase_removes(phase: str, pinned: str) -> None:
    from aks_istio.config import ConfigError, load_stack_config

    with pytest.raises(ConfigError) as raised:
        load_stack_config(upgrading({"phase": phase, "migrated": "all", "gatewayRevision": pinned}))
    [problem] = raised.value.problems
    assert f"mesh.upgrade.gatewayRevision: '{pinned}' ({phase} removes {pinned}); allowed in {phase}:" in problem
