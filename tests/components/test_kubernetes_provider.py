"""Every component that declares Kubernetes objects takes the cluster's Kubernetes provider in its Args and refuses to
start without one (never the ambient default provider, which deploys wherever the local kubeconfig points)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pulumi_azure_native as azure_native
import pulumi_kubernetes as k8s
import pytest

from aks_istio import (
    CanaryUpgradeArgs,
    EgressGateway,
    EgressGatewaysArgs,
    GatewayApiIngressArgs,
    IngressGatewayArgs,
    IngressMode,
    ManagedPrometheusArgs,
    MeshNamespace,
    MeshNamespaces,
    MeshNamespacesArgs,
    SharedMeshConfigArgs,
)
from aks_istio.mesh.values import UpgradePhase
from aks_istio.offline.capture import ProgramError, run_program
from aks_istio.testing import FAKE_KUBECONFIG
from tests.components.gateways.app_ingress_cases import make_args
from tests.components.stand_ins import INGRESS_GATEWAY_WIRING, kubernetes_provider

# Each Kubernetes-declaring component's Args, with valid values for everything but the provider.
KUBERNETES_ARGS: dict[str, Callable[..., Any]] = {
    "MeshNamespaces": lambda **p: MeshNamespacesArgs(
        namespaces=[MeshNamespace(name="apps")], revisions={"apps": "asm-1-27"}, **p
    ),
    "SharedMeshConfig": lambda **p: SharedMeshConfigArgs(fields={}, revisions=["asm-1-27"], **p),
    "CanaryUpgrade": lambda **p: CanaryUpgradeArgs(phase=UpgradePhase.START, revisions=["asm-1-29", "asm-1-30"], **p),
    "IngressGateway": lambda **p: IngressGatewayArgs(
        mode=IngressMode.INTERNAL,
        **INGRESS_GATEWAY_WIRING,
        **p,
    ),
    "EgressGateways": lambda **p: EgressGatewaysArgs(
        pool_name="egress",
        gateways=[EgressGateway(name="eg", gateway_configuration_name="eg-sgc")],
        hpa_revision="asm-1-30",
        **p,
    ),
    "GatewayApiIngress": lambda **p: GatewayApiIngressArgs(
        revisions=["asm-1-30"], resource_group_name="rg", cluster_name="c", cluster_id="id", **p
    ),
    "ManagedPrometheus": lambda **p: ManagedPrometheusArgs(
        cluster_name="c", cluster_id="id", resource_group_name="rg", location="westeurope", **p
    ),
    "AppIngress": lambda **p: make_args(p.get("kubernetes_provider")),
}
REVIEWED_SCHEMA = Path(__file__).resolve().parents[1] / "provider" / "schema.json"


@pytest.mark.parametrize("component", KUBERNETES_ARGS)
def test_args_without_a_provider_are_refused_saying_what_to_pass(component: str) -> None:
    with pytest.raises(ValueError) as refused:
        KUBERNETES_ARGS[component]()
    message = str(refused.value)
    assert "kubernetes_provider: missing; pass the pulumi_kubernetes.Provider of the cluster" in message
    assert "AksIstioCluster.k8s_provider" in message
    KUBERNETES_ARGS[component](kubernetes_provider=kubernetes_provider())  # and accepted with one


@pytest.mark.parametrize("component", KUBERNETES_ARGS)
def test_a_provider_of_another_package_or_an_output_is_refused(component: str) -> None:
    azure = object.__new__(pulumi.ProviderResource)
    azure.package = "azure-native"
    with pytest.raises(ValueError, match="kubernetes_provider: a provider for azure-native is not a Kubernetes"):
        KUBERNETES_ARGS[component](kubernetes_provider=azure)
    with pytest.raises(ValueError, match="kubernetes_provider: an Output cannot choose where resources go"):
        KUBERNETES_ARGS[component](kubernetes_provider=pulumi.Output.from_input(kubernetes_provider()))


def test_every_kubernetes_declaring_component_asks_for_the_provider_in_every_language() -> None:
    """The component package's reviewed schema: a required resource reference to a Kubernetes provider."""
    resources = json.loads(REVIEWED_SCHEMA.read_text())["resources"]
    for component in KUBERNETES_ARGS:
        resource = resources[f"aks-istio:index:{component}"]
        assert "kubernetesProvider" in resource["requiredInputs"], component
        reference = resource["inputProperties"]["kubernetesProvider"]["$ref"]
        assert reference.endswith("/schema.json#/resources/pulumi:providers:kubernetes"), component
    without = {name for name, r in resources.items() if "kubernetesProvider" not in r["inputProperties"]}
    # The rest declare no Kubernetes object of their own (the platform and the cluster build their providers).
    assert without == {
        f"aks-istio:index:{name}"
        for name in (
            "AksIstioPlatform",
            "AksIstioCluster",
            "PluginCa",
            "ManagedGrafana",
            "KeyVaultSecretsReader",
            "AksIstioFleetManager",
        )
    }


def test_a_component_without_a_provider_declares_nothing() -> None:
    def program() -> None:
        MeshNamespaces(
            "mesh", MeshNamespacesArgs(namespaces=[MeshNamespace(name="apps")], revisions={"apps": "asm-1-27"})
        )

    with pytest.raises(ProgramError, match="MeshNamespacesArgs: kubernetes_provider: missing") as refused:
        run_program("test", {}, program)
    assert refused.value.capture.resources == []


def test_every_object_goes_through_the_args_provider_whatever_the_options_carry() -> None:
    def program() -> None:
        cluster = k8s.Provider("cluster", kubeconfig=FAKE_KUBECONFIG)
        ambient = k8s.Provider("ambient", kubeconfig=FAKE_KUBECONFIG)
        namespaces = [MeshNamespace(name="apps"), MeshNamespace(name="legacy")]
        revisions = {"apps": "asm-1-27", "legacy": "asm-1-27"}
        args = MeshNamespacesArgs(kubernetes_provider=cluster, namespaces=namespaces, revisions=revisions)
        MeshNamespaces("mesh", args, opts=pulumi.ResourceOptions(providers=[ambient, azure_native.Provider("azure")]))

    capture = run_program("test", {}, program)
    providers = {r.name: r.urn for r in capture.resources if r.type == "pulumi:providers:kubernetes"}
    objects = [r for r in capture.resources if r.type.startswith("kubernetes:")]
    assert len(objects) == 3  # mesh-wide mTLS STRICT and two namespaces
    assert {r.provider.rsplit("::", 1)[0] for r in objects} == {providers["cluster"]}
