"""The TLS route pattern users copy (docs/examples/tls-route.yaml) is wired the way the add-on needs it, and is
exactly what `AppIngress` declares for the same app: one procedure, whether written by hand or declared."""

from __future__ import annotations

from typing import Any

import yaml

from aks_istio.addon import secure_ingress as si
from aks_istio.addon import support_matrix as sm
from aks_istio.gateways import app_ingress_objects as objects
from aks_istio.gateways.app_ingress_values import AppBackend, AppRoute, KeyVaultCertificate, TlsMode
from aks_istio.gateways.modes import IngressMode
from aks_istio.offline.stack_files import PROJECT_ROOT
from aks_istio.value_checks import camel

# What the reader replaces (the example's <...> values), and what the test puts there instead.
CLIENT_ID = "22222222-3333-4444-5555-666666666666"
TENANT = "11111111-2222-3333-4444-555555555555"
VAULT = "kv-apps-prod"
PLACEHOLDERS = {
    "<client id of the Key Vault secrets provider add-on's identity>": CLIENT_ID,
    "<tenant id of the vault>": TENANT,
    "<kv-apps-prod>": VAULT,
}
# The app the example is written for, as AppIngress takes it.
ROUTE = AppRoute(
    name="shop",
    hosts=["shop.example.com"],
    backend=AppBackend(service="shop", namespace="apps", port=8080),
    gateway=IngressMode.EXTERNAL,
    tls_mode=TlsMode.SIMPLE,
    certificate=KeyVaultCertificate(
        key_vault_id=f"/subscriptions/0/resourceGroups/rg-certs/providers/Microsoft.KeyVault/vaults/{VAULT}",
        tenant_id=TENANT,
        cert_object_name="shop-crt",
        key_object_name="shop-key",
    ),
)


def documents() -> dict[str, dict[str, Any]]:
    text = (PROJECT_ROOT / "docs" / "examples" / "tls-route.yaml").read_text()
    return {d["kind"]: d for d in yaml.safe_load_all(text)}


def as_kubectl_reads_it(value: Any) -> Any:
    """A payload as the component hands it to pulumi_kubernetes (snake_case typed args) in the API's own names."""
    if isinstance(value, dict):
        return {(camel(k) if "_" in k else k): as_kubectl_reads_it(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_kubectl_reads_it(v) for v in value]
    return value


def filled_in(document: dict[str, Any]) -> dict[str, Any]:
    """The example's document with its placeholders filled in, and the driver's `objects` parameter (a YAML
    string of YAML strings) parsed, so its indentation does not matter."""

    def fill(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return PLACEHOLDERS.get(value, value) if isinstance(value, str) else value

    filled: dict[str, Any] = fill(document)
    parameters = filled.get("spec", {}).get("parameters")
    if parameters is not None:
        parameters["objects"] = [yaml.safe_load(item) for item in yaml.safe_load(parameters["objects"])["array"]]
    return filled


def test_the_example_is_what_app_ingress_declares_for_the_same_app() -> None:
    declared = [
        objects.secret_provider_class(ROUTE, CLIENT_ID),
        {"api_version": "apps/v1", "kind": "Deployment", **objects.secret_sync_deployment(ROUTE)},
        objects.istio_gateway(ROUTE),
        objects.virtual_service(ROUTE),
    ]
    expected = {d["kind"]: filled_in(as_kubectl_reads_it(d)) for d in declared}
    assert {kind: filled_in(d) for kind, d in documents().items()} == expected


def test_certificate_is_read_with_the_secrets_provider_add_ons_identity() -> None:
    """The add-on's user-assigned identity (its client id, from the cluster's
    addonProfiles.azureKeyvaultSecretsProvider), not a workload identity: nothing federates one here."""
    parameters = documents()["SecretProviderClass"]["spec"]["parameters"]
    assert (parameters["useVMManagedIdentity"], parameters["usePodIdentity"]) == ("true", "false")
    assert "clientID" not in parameters  # the workload-identity parameter
    assert "secrets provider add-on" in parameters["userAssignedIdentityID"]
    pod = documents()["Deployment"]["spec"]["template"]
    assert "serviceAccountName" not in pod["spec"]
    assert "azure.workload.identity/use" not in pod["metadata"]["labels"]


def test_certificate_secret_is_synced_into_the_gateway_namespace() -> None:
    spc, gateway = documents()["SecretProviderClass"], documents()["Gateway"]
    credential = gateway["spec"]["servers"][0]["tls"]["credentialName"]
    assert spc["metadata"]["namespace"] == sm.ADDON_INGRESS_NAMESPACE
    assert [o["secretName"] for o in spc["spec"]["secretObjects"]] == [credential]
    assert spc["spec"]["secretObjects"][0]["type"] == si.TLS_SECRET_TYPE


def test_a_pod_mounts_the_secret_provider_class_so_the_secret_exists() -> None:
    spc, sync = documents()["SecretProviderClass"], documents()["Deployment"]
    assert sync["metadata"]["namespace"] == sm.ADDON_INGRESS_NAMESPACE
    volume = sync["spec"]["template"]["spec"]["volumes"][0]["csi"]
    assert volume["driver"] == si.SECRETS_STORE_CSI_DRIVER
    assert volume["volumeAttributes"]["secretProviderClass"] == spc["metadata"]["name"]


def test_gateway_selects_the_add_on_external_gateway_and_the_route_binds_it() -> None:
    gateway, route = documents()["Gateway"], documents()["VirtualService"]
    assert gateway["spec"]["selector"] == {"istio": sm.INGRESS_GATEWAY_SERVICES["External"]}
    namespace, name = route["spec"]["gateways"][0].split("/")
    assert (namespace, name) == (gateway["metadata"]["namespace"], gateway["metadata"]["name"])
    assert route["spec"]["hosts"] == gateway["spec"]["servers"][0]["hosts"]
    assert {s["port"]["number"] for s in gateway["spec"]["servers"]} <= set(sm.INGRESS_GATEWAY_PORTS)
