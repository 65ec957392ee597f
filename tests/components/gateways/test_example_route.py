"""The TLS route pattern users copy (docs/examples/tls-route.yaml) is wired the way the add-on needs it."""

from __future__ import annotations

from typing import Any

import yaml

from aks_istio.addon import support_matrix as sm
from aks_istio.offline.stack_files import PROJECT_ROOT


def documents() -> dict[str, dict[str, Any]]:
    text = (PROJECT_ROOT / "docs" / "examples" / "tls-route.yaml").read_text()
    return {d["kind"]: d for d in yaml.safe_load_all(text)}


def test_certificate_secret_is_synced_into_the_gateway_namespace() -> None:
    spc, gateway = documents()["SecretProviderClass"], documents()["Gateway"]
    credential = gateway["spec"]["servers"][0]["tls"]["credentialName"]
    assert spc["metadata"]["namespace"] == sm.ADDON_INGRESS_NAMESPACE
    assert [o["secretName"] for o in spc["spec"]["secretObjects"]] == [credential]
    assert spc["spec"]["secretObjects"][0]["type"] == "kubernetes.io/tls"


def test_a_pod_mounts_the_secret_provider_class_so_the_secret_exists() -> None:
    spc, sync = documents()["SecretProviderClass"], documents()["Deployment"]
    assert sync["metadata"]["namespace"] == sm.ADDON_INGRESS_NAMESPACE
    volume = sync["spec"]["template"]["spec"]["volumes"][0]["csi"]
    assert volume["driver"] == "secrets-store.csi.k8s.io"
    assert volume["volumeAttributes"]["secretProviderClass"] == spc["metadata"]["name"]


def test_gateway_selects_the_add_on_external_gateway_and_the_route_binds_it() -> None:
    gateway, route = documents()["Gateway"], documents()["VirtualService"]
    assert gateway["spec"]["selector"] == {"istio": sm.INGRESS_GATEWAY_SERVICES["External"]}
    namespace, name = route["spec"]["gateways"][0].split("/")
    assert (namespace, name) == (gateway["metadata"]["namespace"], gateway["metadata"]["name"])
    assert route["spec"]["hosts"] == gateway["spec"]["servers"][0]["hosts"]
    assert gateway["spec"]["servers"][0]["port"]["number"] == 443  # a port the add-on's Service exposes
