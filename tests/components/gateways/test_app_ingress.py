"""AppIngress: one app behind the add-on's gateway, Microsoft's secure-ingress procedure in one resource. Each
variant declares exactly what the procedure needs, wired the way the add-on reads it; bad values are refused
naming the field; every payload checks against its owner's schema."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pulumi_kubernetes.apps.v1 as apps
import pytest

from aks_istio.addon import secure_ingress as si
from aks_istio.addon import support_matrix as sm
from aks_istio.gateways.app_ingress import AppIngressArgs, addon_identity
from aks_istio.gateways.app_ingress_values import (
    AppAccess,
    AppBackend,
    AppPathRoute,
    AppRetries,
    JwtRequirement,
)
from aks_istio.offline.capture import Capture, CapturedResource
from tests.components import arm_oracle
from tests.components.crd_schemas import SCHEMAS, crd_problems
from tests.components.gateways.app_ingress_cases import (
    API_GATEWAY,
    AUTHZ,
    CLIENT_ID,
    CONFIG_MAP,
    DEPLOYMENT,
    FULL,
    HTTP_ROUTE,
    ISTIO_GATEWAY,
    OBJECT_ID,
    REQUEST_AUTHN,
    ROLE_ASSIGNMENT,
    SPC,
    VARIANTS,
    VAULT_ID,
    VIRTUAL_SERVICE,
    certificate,
    declare,
    make_args,
)
from tests.components.stand_ins import kubernetes_provider
from tests.components.test_sdk_schema_payloads import unknown_keys
from tests.support import one

EXPECTED: dict[str, Counter[str]] = {
    "simple": Counter({ROLE_ASSIGNMENT: 1, SPC: 1, DEPLOYMENT: 1, ISTIO_GATEWAY: 1, VIRTUAL_SERVICE: 1}),
    "mutual": Counter({ROLE_ASSIGNMENT: 1, SPC: 1, DEPLOYMENT: 1, ISTIO_GATEWAY: 1, VIRTUAL_SERVICE: 1}),
    "passthrough": Counter({ISTIO_GATEWAY: 1, VIRTUAL_SERVICE: 1}),
    "none": Counter({ISTIO_GATEWAY: 1, VIRTUAL_SERVICE: 1}),
    # the HTTPS route and the HTTP listener's redirect
    "gateway-api": Counter({ROLE_ASSIGNMENT: 1, SPC: 1, DEPLOYMENT: 1, API_GATEWAY: 1, HTTP_ROUTE: 2}),
}


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def variant(request: pytest.FixtureRequest) -> tuple[str, Capture]:
    return request.param, declare(**VARIANTS[request.param])


def declared(capture: Capture) -> list[CapturedResource]:
    """What the component declared (its children), without the test's provider and the component itself."""
    return [r for r in capture.resources if r.custom and "AppIngress" in r.parent]


def test_each_variant_declares_exactly_what_its_procedure_needs(variant: tuple[str, Capture]) -> None:
    name, capture = variant
    assert Counter(r.type for r in declared(capture)) == EXPECTED[name]


def test_every_kubernetes_object_goes_to_the_given_cluster_provider(variant: tuple[str, Capture]) -> None:
    _, capture = variant
    kubernetes = [r for r in declared(capture) if r.type.startswith("kubernetes:")]
    assert kubernetes and all(r.provider.split("::")[-2] == "cluster" for r in kubernetes)


def test_istio_gateway_selects_the_add_on_gateway_of_the_mode_on_ports_it_exposes() -> None:
    for mode in ("External", "Internal"):
        gateway = one(declare(gateway=mode), ISTIO_GATEWAY).inputs["spec"]
        assert gateway["selector"] == {sm.INGRESS_GATEWAY_SELECTOR_LABEL: sm.INGRESS_GATEWAY_SERVICES[mode]}
        assert {s["port"]["number"] for s in gateway["servers"]} <= set(sm.INGRESS_GATEWAY_PORTS)


def test_the_certificate_is_synced_in_aks_istio_ingress_by_a_pod_that_mounts_it() -> None:
    capture = declare()
    spc, sync = one(capture, SPC).inputs, one(capture, DEPLOYMENT).inputs
    server = one(capture, ISTIO_GATEWAY).inputs["spec"]["servers"][0]
    assert spc["metadata"]["namespace"] == sync["metadata"]["namespace"] == sm.ADDON_INGRESS_NAMESPACE
    secret = spc["spec"]["secretObjects"][0]
    assert secret["secretName"] == server["tls"]["credentialName"]
    assert secret["type"] == si.TLS_SECRET_TYPE
    assert {d["key"]: d["objectName"] for d in secret["data"]} == {"tls.crt": "shop-crt", "tls.key": "shop-key"}
    assert spc["spec"]["parameters"]["userAssignedIdentityID"] == CLIENT_ID
    assert spc["spec"]["parameters"]["keyvaultName"] == "kv-apps"
    volume = sync["spec"]["template"]["spec"]["volumes"][0]["csi"]
    assert volume["driver"] == si.SECRETS_STORE_CSI_DRIVER
    assert volume["volumeAttributes"]["secretProviderClass"] == spc["metadata"]["name"]
    mounts = sync["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    assert [m["name"] for m in mounts] == ["certificate"]


def test_the_sync_pod_is_small_non_root_and_unprivileged() -> None:
    pod = one(declare(), DEPLOYMENT).inputs["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["resources"]["limits"] == {"cpu": "50m", "memory": "32Mi"}
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert pod["automountServiceAccountToken"] is False


def test_mutual_syncs_the_client_ca_and_asks_for_client_certificates() -> None:
    capture = declare(**VARIANTS["mutual"])
    secret = one(capture, SPC).inputs["spec"]["secretObjects"][0]
    assert {d["key"]: d["objectName"] for d in secret["data"]}["ca.crt"] == "shop-client-ca"
    assert secret["type"] == si.MUTUAL_SECRET_TYPE
    assert one(capture, ISTIO_GATEWAY).inputs["spec"]["servers"][0]["tls"]["mode"] == "MUTUAL"


def test_the_vault_grant_goes_to_the_add_on_identity_under_a_name_fixed_by_what_it_grants() -> None:
    grant = one(declare(), ROLE_ASSIGNMENT).inputs
    assert grant["principalId"] == OBJECT_ID
    assert grant["scope"] == VAULT_ID
    assert grant["roleDefinitionId"].endswith(f"/roleDefinitions/{sm.ROLE_KEY_VAULT_SECRETS_USER}")
    again = one(declare(name="shop-two", hosts=["two.example.com"]), ROLE_ASSIGNMENT).inputs
    assert again["roleAssignmentName"] == grant["roleAssignmentName"]  # one ARM object, never a duplicate
    assert arm_oracle.role_assignment_problems(grant) == []


def test_apps_sharing_a_vault_leave_the_grant_to_the_vault_reader() -> None:
    capture = declare(grant_vault_access=False, secrets_provider_object_id=None, subscription_id=None)
    assert capture.of_type(ROLE_ASSIGNMENT) == []
    assert len(capture.of_type(SPC)) == 1


def test_the_route_binds_the_hosts_to_the_gateway_by_namespace_and_reaches_the_service() -> None:
    capture = declare(**FULL)
    gateway, route = one(capture, ISTIO_GATEWAY).inputs, one(capture, VIRTUAL_SERVICE).inputs["spec"]
    assert route["gateways"] == [f"{gateway['metadata']['namespace']}/{gateway['metadata']['name']}"]
    assert route["hosts"] == gateway["spec"]["servers"][0]["hosts"] == ["shop.example.com"]
    api, default = route["http"]
    assert api["match"] == [{"uri": {"prefix": "/api"}}]
    assert api["route"][0]["destination"] == {"host": "shop-api.apps.svc.cluster.local", "port": {"number": 9090}}
    assert default["route"][0]["destination"] == {"host": "shop.apps.svc.cluster.local", "port": {"number": 8080}}
    assert default["timeout"] == "30s"
    assert default["retries"] == {
        "attempts": 3,
        "perTryTimeout": "5s",
        "retryOn": "connect-failure,refused-stream,unavailable",
    }


def test_http_redirects_to_https_when_tls_terminates_and_not_when_turned_off() -> None:
    servers = one(declare(), ISTIO_GATEWAY).inputs["spec"]["servers"]
    assert [s["port"]["number"] for s in servers] == [443, 80]
    assert servers[1]["tls"] == {"httpsRedirect": True}
    assert len(one(declare(https_redirect=False), ISTIO_GATEWAY).inputs["spec"]["servers"]) == 1


def test_passthrough_routes_by_sni_and_needs_no_certificate() -> None:
    capture = declare(**VARIANTS["passthrough"])
    server = one(capture, ISTIO_GATEWAY).inputs["spec"]["servers"][0]
    assert server["tls"] == {"mode": "PASSTHROUGH"}
    tls = one(capture, VIRTUAL_SERVICE).inputs["spec"]["tls"][0]
    assert tls["match"] == [{"port": 443, "sniHosts": ["shop.example.com"]}]


def test_access_denies_only_the_apps_hosts_at_the_shared_gateway() -> None:
    capture = declare(**FULL)
    policy = one(capture, AUTHZ).inputs
    assert policy["metadata"]["namespace"] == sm.ADDON_INGRESS_NAMESPACE
    spec = policy["spec"]
    # DENY scoped to the app's hosts: an ALLOW here would deny every other app behind the shared gateway.
    assert spec["action"] == "DENY"
    assert spec["selector"] == {"matchLabels": {"istio": sm.INGRESS_GATEWAY_SERVICES["External"]}}
    assert all(r["to"] == [{"operation": {"hosts": ["shop.example.com", "shop.example.com:*"]}}] for r in spec["rules"])
    assert [r["from"][0]["source"] for r in spec["rules"]] == [
        {"notRemoteIpBlocks": ["203.0.113.0/24"]},
        {"notRequestPrincipals": ["*"]},
    ]
    jwt = one(capture, REQUEST_AUTHN).inputs["spec"]
    assert jwt["selector"] == spec["selector"]
    assert jwt["jwtRules"] == [{"issuer": "https://issuer.example.com", "jwksUri": "https://issuer.example.com/keys"}]


def test_gateway_api_variant_serves_the_synced_secret_from_its_own_namespace() -> None:
    capture = declare(**VARIANTS["gateway-api"])
    spc, gateway = one(capture, SPC).inputs, one(capture, API_GATEWAY).inputs
    assert gateway["spec"]["gatewayClassName"] == sm.GATEWAY_API_CLASS_NAME
    assert spc["metadata"]["namespace"] == gateway["metadata"]["namespace"] == "apps"
    https = gateway["spec"]["listeners"][0]
    assert https["hostname"] == "shop.example.com"
    assert https["tls"]["certificateRefs"] == [
        {"kind": "Secret", "name": spc["spec"]["secretObjects"][0]["secretName"]}
    ]
    routes = {r.inputs["metadata"]["name"]: r.inputs["spec"] for r in capture.of_type(HTTP_ROUTE)}
    assert routes["shop"]["parentRefs"] == [{"name": "shop", "namespace": "apps", "sectionName": "https-0"}]
    assert routes["shop"]["rules"][-1]["backendRefs"] == [{"name": "shop", "port": 8080}]
    assert routes["shop-redirect"]["rules"][0]["filters"][0]["requestRedirect"] == {
        "scheme": "https",
        "statusCode": 301,
    }


def test_gateway_api_source_ranges_keep_client_addresses_on_the_apps_own_gateway() -> None:
    access = AppAccess(source_ranges=["10.0.0.0/8"])
    capture = declare(**VARIANTS["gateway-api"], access=access)
    params = one(capture, CONFIG_MAP).inputs
    assert "externalTrafficPolicy: Local" in params["data"]["service"]
    policy = one(capture, AUTHZ).inputs
    assert policy["spec"]["targetRefs"] == [{"group": sm.GATEWAY_API_GROUP, "kind": "Gateway", "name": "shop"}]


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_payload_checks_against_its_owners_schema(name: str) -> None:
    extra: dict[str, Any] = {} if name in ("passthrough", "gateway-api") else FULL
    if name == "gateway-api":
        extra = {"access": AppAccess(source_ranges=["10.0.0.0/8"]), "timeout": "10s"}
    capture = declare(**VARIANTS[name], **extra)
    checked = 0
    for resource in declared(capture):
        if resource.type in SCHEMAS:
            assert crd_problems(resource.type, resource.inputs) == [], resource.name
        elif resource.type == DEPLOYMENT:
            assert unknown_keys(resource.inputs, apps.DeploymentInitArgs, "") == []
        elif resource.type == ROLE_ASSIGNMENT:
            assert arm_oracle.role_assignment_problems(resource.inputs) == []
        elif resource.type == CONFIG_MAP:
            continue  # its data is the Gateway API customization YAML the gateway_api tests judge
        else:
            pytest.fail(f"no schema judges {resource.type}")
        checked += 1
    assert checked >= 2


def test_the_schemas_catch_a_misspelt_field_and_a_bad_enum() -> None:
    gateway = one(declare(), ISTIO_GATEWAY).inputs
    gateway["spec"]["servers"][0]["tls"]["mode"] = "SIMPEL"
    gateway["spec"]["servers"][0]["tls"]["credentialname"] = "x"
    found = crd_problems(ISTIO_GATEWAY, gateway)
    assert any("mode" in p for p in found) and any("credentialname" in p for p in found)
    bad = {"principalId": "x", "roleDefinitionId": "y", "principalType": "Robot", "principalTyp": "z"}
    assert len(arm_oracle.role_assignment_problems(bad)) == 2


# --- refused values -----------------------------------------------------------------------------------------


def refused(**changes: Any) -> str:
    with pytest.raises(ValueError) as error:
        make_args(PROVIDER, **changes)
    return str(error.value)


PROVIDER = kubernetes_provider()


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"tls_mode": "STRICT"}, "tls_mode", "allowed: 'NONE', 'SIMPLE', 'MUTUAL' or 'PASSTHROUGH'"),
        ({"gateway": "Public"}, "gateway", "allowed: 'Internal' or 'External'"),
        ({"api": "Ingress"}, "api", "allowed: 'Istio' or 'GatewayApi'"),
        ({"https_port": 8443}, "https_port", "aks-istio-ingressgateway-external"),
        ({"http_port": 8080}, "http_port", "allowed: 80"),
        ({"tls_mode": "MUTUAL"}, "certificate.ca_object_name", "MUTUAL"),
        ({"certificate": None}, "certificate", "missing"),
        (
            {"path_routes": [AppPathRoute(prefix="/a", service="a", port=1, host="other.example.com")]},
            "path_routes[0].host",
            "not one of the app's hosts",
        ),
        ({"hosts": ["Shop_Example"]}, "hosts[0]", "allowed: a lowercase DNS name"),
        ({"secrets_provider_client_id": None}, "secrets_provider_client_id", "cluster.keyVaultSecretsProvider"),
        ({"access": AppAccess(source_ranges=["10.0.0.0/8"])}, "gateway_external_traffic_policy", "needs Local"),
        (
            {
                "tls_mode": "PASSTHROUGH",
                "certificate": None,
                "path_routes": [AppPathRoute(prefix="/a", service="a", port=1)],
            },
            "path_routes",
            "SNI",
        ),
        ({"tls_mode": "PASSTHROUGH", "certificate": None, "retries": AppRetries(attempts=2)}, "retries", "SNI"),
        (
            {
                "tls_mode": "PASSTHROUGH",
                "certificate": None,
                "access": AppAccess(jwt=JwtRequirement(issuer="i", jwks_uri="https://k")),
            },
            "access.jwt",
            "SNI",
        ),
        ({"tls_mode": "NONE", "certificate": None, "https_redirect": True}, "https_redirect", "NONE"),
        ({"api": "GatewayApi", "revisions": ["asm-1-25"]}, "api", "asm-1-26"),
        (
            {
                "api": "GatewayApi",
                "revisions": ["asm-1-27"],
                "tls_mode": "MUTUAL",
                "certificate": certificate(ca_object_name="ca"),
            },
            "tls_mode",
            "use api Istio",
        ),
    ],
)
def test_a_bad_value_is_refused_naming_the_field(changes: dict[str, Any], field: str, words: str) -> None:
    message = refused(**changes)
    assert f"{field}:" in message and words in message, message


def test_a_missing_provider_is_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match="kubernetes_provider: missing; pass the pulumi_kubernetes"):
        make_args(None)


def test_every_problem_of_one_value_is_reported_at_once() -> None:
    message = refused(https_port=8443, http_port=81, hosts=["shop.example.com", "Bad_Host"])
    assert message.startswith("AppRoute: hosts[1]: 'Bad_Host' is not valid: does not have the allowed form"), message
    assert "; https_port: 8443 is not exposed by aks-istio-ingressgateway-external" in message
    assert "; http_port: 81 is not exposed by aks-istio-ingressgateway-external" in message


def test_nested_values_name_their_own_fields() -> None:
    with pytest.raises(ValueError, match=r"^AppBackend: port: 0 is not valid: allowed: >= 1$"):
        AppBackend(service="shop", namespace="apps", port=0)
    with pytest.raises(ValueError, match=r"^KeyVaultCertificate: key_vault_id: 'kv-apps' is not valid: .*/vaults/<"):
        certificate(key_vault_id="kv-apps")
    with pytest.raises(
        ValueError, match=r"^AppAccess: source_ranges: \['everyone'\] is not valid: 'everyone' is not a"
    ):
        AppAccess(source_ranges=["everyone"])
    with pytest.raises(ValueError, match=r"^AppAccess: neither source_ranges nor jwt is set; allowed: at least one"):
        AppAccess()


def test_a_cluster_without_the_secrets_provider_add_on_is_refused_by_name() -> None:
    """The cluster reports its add-on identity as None when the add-on is off (checked as the Output resolves)."""
    with pytest.raises(ValueError, match="secrets_provider_client_id is None: the cluster runs no Key Vault"):
        addon_identity(None, "secrets_provider_client_id")
    assert addon_identity(CLIENT_ID, "secrets_provider_client_id") == CLIENT_ID


def test_another_languages_bad_mode_is_refused_naming_its_field() -> None:
    """The component package rebuilds the Args from the wire's camelCase objects and strings (`from_wire`)."""
    from aks_istio.component_package import from_wire

    route = {
        "name": "shop",
        "hosts": ["shop.example.com"],
        "backend": {"service": "shop", "namespace": "apps", "port": 8080},
    }
    wire = {"route": route | {"tlsMode": "STRICT"}, "kubernetesProvider": PROVIDER}
    with pytest.raises(ValueError, match=r"^AppRoute: tls_mode: 'STRICT' is not valid: allowed: 'NONE', 'SIMPLE'"):
        from_wire(AppIngressArgs, wire, "", "AppIngress")
