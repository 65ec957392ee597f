"""Gateway API ingress config refusals (config/gateway_api.py and its cross-stack prerequisites)."""

from __future__ import annotations

from tests.config.gateway_support import ROOT, problems_of


def test_gateway_api_refused_on_a_revision_older_than_asm_1_26() -> None:
    changes = {
        "cluster": {"kubernetesVersion": "1.31"},
        "mesh": {"revision": "asm-1-25"},
        "gateways": {"gatewayApi": {"enabled": True}},
    }
    [problem] = problems_of("dev", changes)
    assert problem.startswith(
        f"{ROOT}.gatewayApi.enabled: true needs revision asm-1-26 or newer, the mesh runs asm-1-25"
    )


def test_gateway_api_refused_beside_app_routing_istio() -> None:
    [problem] = problems_of("dev", {"gateways": {"gatewayApi": {"enabled": True}, "appRoutingIstio": True}})
    assert problem.startswith(f"{ROOT}.gatewayApi.enabled: true cannot coexist with app-routing's Istio")


def test_gateway_api_customization_outside_the_allowlist_is_refused() -> None:
    gateway = {
        "name": "web",
        "namespace": "apps",
        "parameters": {"deployment": {"spec": {"template": {"spec": {"hostNetwork": True}}}}},
    }
    [problem] = problems_of("dev", {"gateways": {"gatewayApi": {"enabled": True, "gateways": [gateway]}}})
    assert problem.startswith(f"{ROOT}.gatewayApi.gateways[0].parameters: ")
    assert "deployment.spec.template.spec.hostNetwork is blocked by the add-on" in problem


def test_gateway_api_class_defaults_hpa_below_two_is_refused() -> None:
    defaults = {"horizontalPodAutoscaler": {"spec": {"minReplicas": 1}}}
    [problem] = problems_of("dev", {"gateways": {"gatewayApi": {"enabled": True, "classDefaults": defaults}}})
    assert "horizontalPodAutoscaler.spec.minReplicas 1 is below 2" in problem


def test_https_listener_needs_a_certificate_secret() -> None:
    gateway = {"name": "web", "namespace": "apps", "listeners": [{"name": "https", "port": 443, "protocol": "HTTPS"}]}
    [problem] = problems_of("dev", {"gateways": {"gatewayApi": {"enabled": True, "gateways": [gateway]}}})
    assert problem.startswith(f"{ROOT}.gatewayApi.gateways[0].listeners[0].certificateSecret: is required for HTTPS")
