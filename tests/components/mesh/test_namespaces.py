"""The mesh defaults: namespaces in the mesh by revision label, mesh-wide mTLS STRICT, the shared MeshConfig."""

from __future__ import annotations

import functools

import yaml

from aks_istio.offline.capture import Capture
from tests.support import (
    CONFIG_MAP,
    MANAGED_CLUSTER,
    NAMESPACE,
    PEER_AUTHENTICATION,
    capture_stack,
    merge,
    one,
    raw_platform,
)


@functools.cache
def dev() -> Capture:
    return capture_stack("dev")


def test_application_namespaces_carry_the_revision_label_not_istio_injection() -> None:
    namespaces = {r.inputs["metadata"]["name"]: r.inputs["metadata"] for r in dev().of_type(NAMESPACE)}
    assert set(namespaces) == {"apps", "legacy"}
    for metadata in namespaces.values():
        assert metadata["labels"]["istio.io/rev"] == "asm-1-30"
        assert "istio-injection" not in metadata["labels"]


def test_mtls_is_strict_mesh_wide_in_the_add_on_root_namespace() -> None:
    root = next(
        p for p in dev().of_type(PEER_AUTHENTICATION) if p.inputs["metadata"]["namespace"] == "aks-istio-system"
    )
    assert root.inputs["metadata"]["name"] == "default"
    assert root.inputs["spec"] == {"mtls": {"mode": "STRICT"}}
    assert root.inputs["apiVersion"] == "security.istio.io/v1"


def test_only_namespaces_configured_as_exceptions_relax_mtls() -> None:
    relaxed = [
        p.inputs for p in dev().of_type(PEER_AUTHENTICATION) if p.inputs["metadata"]["namespace"] != "aks-istio-system"
    ]
    assert relaxed == [
        {
            "apiVersion": "security.istio.io/v1",
            "kind": "PeerAuthentication",
            "metadata": {"name": "default", "namespace": "legacy"},
            "spec": {"mtls": {"mode": "PERMISSIVE"}},
        }
    ]
    prod = capture_stack("prod")
    assert [p.inputs["metadata"]["namespace"] for p in prod.of_type(PEER_AUTHENTICATION)] == ["aks-istio-system"]


def test_kubernetes_resources_go_through_the_cluster_provider() -> None:
    # The mesh side has its own provider for the same cluster (aks_istio.mesh.canary explains why); outside an
    # upgrade its credentials wait for the cluster, like the cluster's own provider.
    provider = one(dev(), "pulumi:providers:kubernetes", "-mesh-k8s")
    assert one(dev(), MANAGED_CLUSTER).urn in provider.dependencies
    for resource in dev().of_type(NAMESPACE) + dev().of_type(PEER_AUTHENTICATION):
        assert resource.provider.startswith(provider.urn + "::"), resource.name


def test_shared_mesh_config_is_yaml_under_mesh_for_the_revision() -> None:
    configmap = one(dev(), CONFIG_MAP, "meshconfig-asm-1-30")
    assert configmap.inputs["metadata"] == {"name": "istio-shared-configmap-asm-1-30", "namespace": "aks-istio-system"}
    mesh = yaml.safe_load(configmap.inputs["data"]["mesh"])
    assert mesh == {"accessLogFile": "/dev/stdout", "defaultConfig": {"holdApplicationUntilProxyStarts": True}}
    assert "\t" not in configmap.inputs["data"]["mesh"]  # AKS rejects tabs


def test_no_mesh_config_declares_no_configmap() -> None:
    raw = merge(raw_platform("dev"), {"mesh": {"meshConfig": None}})
    assert capture_stack("dev", raw).of_type(CONFIG_MAP) == []
