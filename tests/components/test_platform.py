"""AksIstioPlatform as a library: its children are reachable and what users wire onward is registered."""

import dataclasses
from datetime import date

import pulumi
import pytest

from aks_istio.config import ConfigError, load_stack_config
from aks_istio.offline.capture import Secret
from aks_istio.offline.program_harness import FAKE_KUBECONFIG
from aks_istio.platform import AksIstioPlatform, AksIstioPlatformArgs
from aks_istio.value_checks import InvalidValueError
from tests.support import capture_program, config_of, merge, raw_platform

TODAY = date(2026, 11, 30)


def platform_program(stack: str) -> None:
    platform = AksIstioPlatform("lib", AksIstioPlatformArgs(platform=config_of(stack)), today=TODAY)
    pulumi.export("kubeconfig", platform.kubeconfig)
    pulumi.export("kubeconfigIsSecret", platform.kubeconfig.is_secret())
    pulumi.export("ingressIps", platform.ingress_ips)
    pulumi.export("grafanaEndpoint", platform.grafana_endpoint)
    pulumi.export("workspaceId", platform.workspace_id)
    pulumi.export("externalIp", platform.ingress_gateways["External"].public_ip_id)
    assert platform.prometheus is not None and platform.grafana is not None
    pulumi.export("grafanaId", platform.grafana.grafana_id)
    pulumi.export("prometheusWorkspace", platform.prometheus.workspace_id)
    pulumi.export("clusterName", platform.cluster.cluster_name)
    pulumi.export("meshNamespaces", platform.mesh_namespaces.namespaces)


def test_prod_platform_registers_what_users_wire_onward() -> None:
    outputs = capture_program(lambda: platform_program("prod"), stack="prod").outputs
    assert outputs["kubeconfig"] == Secret(FAKE_KUBECONFIG)
    assert outputs["kubeconfigIsSecret"] is True
    assert set(outputs["ingressIps"]) == set(config_of("prod").gateways.ingress.gateways())
    assert outputs["externalIp"] is not None  # the External gateway's static IP is created in prod
    assert outputs["grafanaEndpoint"] is not None
    assert outputs["workspaceId"] is not None
    assert outputs["workspaceId"] == outputs["prometheusWorkspace"]
    assert outputs["clusterName"] == "aks-istio-prod"


def test_without_observability_the_platform_has_no_grafana_or_workspace() -> None:
    def program() -> None:
        platform = AksIstioPlatform(
            "lib",
            AksIstioPlatformArgs(platform=config_of("dev", observability={"enabled": False})),
            today=TODAY,
        )
        assert platform.prometheus is None and platform.grafana is None
        pulumi.export("grafanaEndpoint", platform.grafana_endpoint)
        pulumi.export("workspaceId", platform.workspace_id)

    outputs = capture_program(program, stack="dev").outputs
    assert outputs["grafanaEndpoint"] is None
    assert outputs["workspaceId"] is None


def test_bad_platform_args_list_every_problem_before_anything_is_declared() -> None:
    bad = merge(raw_platform("dev"), {"location": "West Europe", "mesh": {"revision": "asm-1-9"}})
    with pytest.raises(ConfigError) as error:
        AksIstioPlatformArgs(platform=load_stack_config(bad))
    assert "location" in str(error.value) and "mesh.revision" in str(error.value)


def test_a_platform_built_in_code_checks_itself_in_the_words_of_the_stack_file() -> None:
    config = config_of("dev")
    with pytest.raises(InvalidValueError) as error:
        dataclasses.replace(config, location="West Europe")
    [problem] = error.value.problems
    assert problem.line(stack_file=True) == (
        "location: 'West Europe' is not valid: does not have the allowed form; allowed: an Azure region's name in "
        "lowercase, e.g. westeurope (`az account list-locations -o table`)"
    )
