"""Programs for the traffic analysis, written from upstream Istio's analyzer testdata behaviour
(istio/istio pkg/config/analysis/analyzers/testdata: gateway selectors, secrets, ports, conflicting gateways,
virtual service gateways and hosts, destination hosts and subsets, ...) and the add-on's docs (istio-deploy-ingress,
istio-secure-gateway, istio-gateway-api), each with the verdict the pack must give, recorded beside it.

A case is a program (resources as the engine sends them), the pack config, and the expected traffic findings:
(policy, resource name, level, words of the message). `tests/policy/test_traffic.py` runs every case through the
Analyzer gRPC interface and compares the findings of the traffic policies exactly: a mistake is reported on the
program that makes it and on no other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.policy.fixtures import CLASSIC_CLUSTER, CLASSIC_MESH, CLUSTER, MANAGED_CLUSTER, mutate

Resource = tuple[str, str, dict[str, Any]]

GATEWAY = "kubernetes:networking.istio.io/v1:Gateway"
GATEWAY_V1BETA1 = "kubernetes:networking.istio.io/v1beta1:Gateway"
VIRTUAL_SERVICE = "kubernetes:networking.istio.io/v1:VirtualService"
DESTINATION_RULE = "kubernetes:networking.istio.io/v1:DestinationRule"
SERVICE_ENTRY = "kubernetes:networking.istio.io/v1:ServiceEntry"
SIDECAR = "kubernetes:networking.istio.io/v1:Sidecar"
PEER_AUTHENTICATION = "kubernetes:security.istio.io/v1:PeerAuthentication"
AUTHORIZATION_POLICY = "kubernetes:security.istio.io/v1:AuthorizationPolicy"
REQUEST_AUTHENTICATION = "kubernetes:security.istio.io/v1:RequestAuthentication"
TELEMETRY = "kubernetes:telemetry.istio.io/v1:Telemetry"
SECRET = "kubernetes:core/v1:Secret"
SERVICE = "kubernetes:core/v1:Service"
NAMESPACE = "kubernetes:core/v1:Namespace"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SPC = "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass"
CERTIFICATE = "kubernetes:cert-manager.io/v1:Certificate"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
API_GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
TLS_ROUTE = "kubernetes:gateway.networking.k8s.io/v1alpha2:TLSRoute"
REFERENCE_GRANT = "kubernetes:gateway.networking.k8s.io/v1beta1:ReferenceGrant"
GATEWAY_CLASS = "kubernetes:gateway.networking.k8s.io/v1:GatewayClass"

INGRESS_NS = "aks-istio-ingress"
INTERNAL = {"istio": "aks-istio-ingressgateway-internal"}
EXTERNAL = {"istio": "aks-istio-ingressgateway-external"}
UPSTREAM = {"istio": "ingressgateway"}
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
YES = {"pack-settings": {"clusterRunsIstioAddon": "yes"}}


def _body(api_version: str, kind: str, name: str, namespace: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": name, "namespace": namespace}, "spec": spec}


def https_server(host: str = "shop.example.com", credential: str = "shop-tls", mode: str = "SIMPLE") -> dict[str, Any]:
    return {
        "port": {"number": 443, "name": "https", "protocol": "HTTPS"},
        "hosts": [host],
        "tls": {"mode": mode, "credentialName": credential},
    }


def http_server(host: str = "shop.example.com", port: int = 80) -> dict[str, Any]:
    return {"port": {"number": port, "name": f"http-{port}", "protocol": "HTTP"}, "hosts": [host]}


def gateway(
    name: str = "shop",
    namespace: str = "apps",
    selector: dict[str, str] | None = None,
    servers: list[Any] | None = None,
) -> Resource:
    spec = {"selector": INTERNAL if selector is None else selector, "servers": servers or [https_server()]}
    return GATEWAY, name, _body("networking.istio.io/v1", "Gateway", name, namespace, spec)


def tls_secret(
    name: str = "shop-tls", namespace: str = INGRESS_NS, keys: tuple[str, ...] = ("tls.crt", "tls.key")
) -> Resource:
    body = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": namespace},
        "type": "kubernetes.io/tls",
        "data": {k: "LS0t" for k in keys},
    }
    return SECRET, f"secret-{name}-{namespace}", body


def secret_provider_class(name: str = "shop-kv", namespace: str = INGRESS_NS, secret: str = "shop-tls") -> Resource:
    spec = {
        "provider": "azure",
        "secretObjects": [
            {
                "secretName": secret,
                "type": "kubernetes.io/tls",
                "data": [{"objectName": "shop-key", "key": "tls.key"}, {"objectName": "shop-crt", "key": "tls.crt"}],
            }
        ],
        "parameters": {"useVMManagedIdentity": "true", "keyvaultName": "kv-shop", "objects": "array: []"},
    }
    return SPC, f"spc-{name}", _body("secrets-store.csi.x-k8s.io/v1", "SecretProviderClass", name, namespace, spec)


def deployment(
    name: str,
    namespace: str,
    labels: dict[str, str],
    spc: str | None = None,
    ports: list[int] | None = None,
) -> Resource:
    pod: dict[str, Any] = {
        "containers": [{"name": name, "image": "nginx", "ports": [{"containerPort": p} for p in ports or []]}]
    }
    if spc is not None:
        pod["volumes"] = [
            {
                "name": "secrets-store",
                "csi": {
                    "driver": "secrets-store.csi.k8s.io",
                    "readOnly": True,
                    "volumeAttributes": {"secretProviderClass": spc},
                },
            }
        ]
        pod["containers"][0]["volumeMounts"] = [
            {"name": "secrets-store", "mountPath": "/mnt/secrets", "readOnly": True}
        ]
    spec = {"selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}, "spec": pod}}
    return DEPLOYMENT, f"deploy-{name}", _body("apps/v1", "Deployment", name, namespace, spec)


def service(name: str, namespace: str, selector: dict[str, str], ports: list[dict[str, Any]]) -> Resource:
    return SERVICE, f"svc-{name}", _body("v1", "Service", name, namespace, {"selector": selector, "ports": ports})


def virtual_service(
    name: str = "shop",
    namespace: str = "apps",
    gateways: list[str] | None = None,
    hosts: list[str] | None = None,
    destination: dict[str, Any] | None = None,
) -> Resource:
    spec = {
        "hosts": hosts or ["shop.example.com"],
        "gateways": gateways if gateways is not None else [f"apps/{name}"],
        "http": [{"route": [{"destination": destination or {"host": "shop", "port": {"number": 8080}}}]}],
    }
    return VIRTUAL_SERVICE, f"vs-{name}", _body("networking.istio.io/v1", "VirtualService", name, namespace, spec)


def destination_rule(name: str, namespace: str, host: str, spec: dict[str, Any] | None = None) -> Resource:
    return (
        DESTINATION_RULE,
        f"dr-{name}",
        _body("networking.istio.io/v1", "DestinationRule", name, namespace, {"host": host, **(spec or {})}),
    )


APP = [
    deployment("shop", "apps", {"app": "shop"}, ports=[8080]),
    service("shop", "apps", {"app": "shop"}, [{"name": "http", "port": 8080, "targetPort": 8080}]),
]
CLUSTER_RES: Resource = (MANAGED_CLUSTER, "aks", CLUSTER)
CLASSIC_WITH_KEY_VAULT: Resource = (
    CLASSIC_CLUSTER,
    "aks",
    {**CLASSIC_MESH, "keyVaultSecretsProvider": {"secretRotationEnabled": True}},
)
BOTH_GATEWAYS = mutate(
    CLUSTER,
    "serviceMeshProfile.istio.components.ingressGateways",
    [{"mode": "Internal", "enabled": True}, {"mode": "External", "enabled": True}],
)
# The add-on's secure-ingress walkthrough: Gateway in the app's namespace selecting the add-on's gateway, the
# certificate synced from Key Vault into aks-istio-ingress by a SecretProviderClass a pod there mounts.
SECURE_INGRESS = [
    CLUSTER_RES,
    *APP,
    gateway(),
    virtual_service(),
    secret_provider_class(),
    deployment("shop-kv-sync", INGRESS_NS, {"app": "shop-kv-sync"}, spc="shop-kv"),
]


def replaced(program: list[Resource], name: str, resource: Resource | None) -> list[Resource]:
    """`program` with the resource `name` replaced (None: removed)."""
    return [
        resource if n == name and resource is not None else (t, n, p) for t, n, p in program if n != name or resource
    ]


@dataclass(frozen=True)
class Case:
    """A program, the pack config it runs with, and every traffic finding the pack must give on it."""

    program: list[Resource]
    expected: list[tuple[str, str, str, str]] = field(default_factory=list)
    """(policy, resource name, level, words the message contains)."""
    config: dict[str, Any] | None = None


CASES: dict[str, Case] = {
    # --- Gateway selector (upstream gateway analyzer, IST0101 "selector"; add-on labels) ---------------------------
    "secure_ingress_as_the_add_on_docs_write_it_is_clean": Case(SECURE_INGRESS),
    "upstream_ingressgateway_selector_matches_nothing": Case(
        replaced(SECURE_INGRESS, "shop", gateway(selector=UPSTREAM)),
        [("gateway-selector-matches-workload", "shop", "mandatory", "upstream Istio's label")],
    ),
    "external_gateway_selected_but_not_enabled": Case(
        replaced(SECURE_INGRESS, "shop", gateway(selector=EXTERNAL)),
        [("gateway-selector-matches-workload", "shop", "mandatory", "does not enable")],
    ),
    "external_gateway_selected_and_enabled_is_clean": Case(
        replaced(
            replaced(SECURE_INGRESS, "shop", gateway(selector=EXTERNAL)), "aks", (MANAGED_CLUSTER, "aks", BOTH_GATEWAYS)
        )
    ),
    "own_gateway_workload_with_upstream_labels_is_clean": Case(
        [*replaced(SECURE_INGRESS, "shop", gateway(selector=UPSTREAM)), deployment("my-gw", INGRESS_NS, UPSTREAM)]
    ),
    "classic_cluster_internal_gateway_is_clean": Case(replaced(SECURE_INGRESS, "aks", CLASSIC_WITH_KEY_VAULT)),
    "classic_cluster_upstream_selector_matches_nothing": Case(
        replaced(replaced(SECURE_INGRESS, "aks", CLASSIC_WITH_KEY_VAULT), "shop", gateway(selector=UPSTREAM)),
        [("gateway-selector-matches-workload", "shop", "mandatory", "aks-istio-ingressgateway-internal")],
    ),
    "kubernetes_only_program_with_settings_judged_at_the_rules_level": Case(
        replaced(replaced(SECURE_INGRESS, "aks", None), "shop", gateway(selector=UPSTREAM)),
        [("gateway-selector-matches-workload", "shop", "mandatory", "upstream Istio's label")],
        {"pack-settings": {"clusterRunsIstioAddon": "yes", "addonIngressGateways": ["Internal"]}},
    ),
    "kubernetes_only_program_without_settings_is_advisory": Case(
        replaced(replaced(SECURE_INGRESS, "aks", None), "shop", gateway(selector=UPSTREAM)),
        [("stack-istio-addon-target-declared", "shop", "advisory", "gateway-selector-matches-workload")],
    ),
    "kubernetes_only_program_with_unknown_gateways_accepts_either_add_on_label": Case(
        replaced(SECURE_INGRESS, "aks", None), config=YES
    ),
    "selector_unknown_at_preview_is_not_judged": Case(
        replaced(SECURE_INGRESS, "shop", gateway(selector=UNKNOWN))  # type: ignore[arg-type]
    ),
    "versioned_token_without_api_version_in_the_body_is_a_gateway_too": Case(
        [
            *replaced(SECURE_INGRESS, "shop", None),
            (
                GATEWAY_V1BETA1,
                "shop",
                {
                    "metadata": {"name": "shop", "namespace": "apps"},
                    "spec": {"selector": UPSTREAM, "servers": [http_server()]},
                },
            ),
        ],
        [("gateway-selector-matches-workload", "shop", "mandatory", "no gateway pod")],
    ),
    "helm_release_may_deploy_the_gateway": Case(
        [
            *replaced(SECURE_INGRESS, "shop", gateway(selector=UPSTREAM)),
            (HELM_RELEASE, "gw-chart", {"chart": "my-gateway", "namespace": INGRESS_NS}),
        ]
    ),
    # --- Ports (IST0162 with the add-on's fixed Service) -------------------------------------------------------------
    "server_port_the_add_on_service_does_not_expose": Case(
        replaced(SECURE_INGRESS, "shop", gateway(servers=[https_server(), http_server(port=8080)])),
        [("gateway-server-port-exposed", "shop", "mandatory", "port.number 8080")],
    ),
    "own_gateway_workload_may_listen_anywhere": Case(
        [
            *replaced(SECURE_INGRESS, "shop", gateway(selector={"app": "edge"}, servers=[http_server(port=8080)])),
            deployment("edge", "edge", {"app": "edge"}),
        ]
    ),
    # --- Credentials (IST0101 credentialName / IST0161; secure-gateway doc) --------------------------------------
    "credential_secret_in_the_gateways_namespace_not_the_pods": Case(
        [*replaced(SECURE_INGRESS, "spc-shop-kv", None), tls_secret(namespace="apps")],
        [("gateway-credential-resolvable", "shop", "mandatory", "read in aks-istio-ingress")],
    ),
    "credential_secret_in_aks_istio_ingress_is_clean": Case(
        [*replaced(SECURE_INGRESS, "spc-shop-kv", None), tls_secret()]
    ),
    "credential_secret_without_tls_keys": Case(
        [*replaced(SECURE_INGRESS, "spc-shop-kv", None), tls_secret(keys=("certificate", "private-key"))],
        [("gateway-credential-resolvable", "shop", "mandatory", "has no tls.crt and tls.key")],
    ),
    "mutual_tls_without_ca": Case(
        [
            *replaced(
                replaced(SECURE_INGRESS, "spc-shop-kv", None), "shop", gateway(servers=[https_server(mode="MUTUAL")])
            ),
            tls_secret(),
        ],
        [("gateway-credential-resolvable", "shop", "mandatory", "has no ca.crt")],
    ),
    "mutual_tls_with_ca_is_clean": Case(
        [
            *replaced(
                replaced(SECURE_INGRESS, "spc-shop-kv", None), "shop", gateway(servers=[https_server(mode="MUTUAL")])
            ),
            tls_secret(keys=("tls.crt", "tls.key", "ca.crt")),
        ]
    ),
    "secret_provider_class_nobody_mounts": Case(
        replaced(SECURE_INGRESS, "deploy-shop-kv-sync", None),
        [("gateway-credential-resolvable", "shop", "mandatory", "mounted by no pod")],
    ),
    "secret_provider_class_without_the_key_vault_add_on": Case(
        replaced(
            SECURE_INGRESS,
            "aks",
            (MANAGED_CLUSTER, "aks", mutate(CLUSTER, "addonProfiles.azureKeyvaultSecretsProvider", {"enabled": False})),
        ),
        [("gateway-credential-resolvable", "shop", "mandatory", "Key Vault secrets provider add-on")],
    ),
    "cert_manager_certificate_in_aks_istio_ingress_is_clean": Case(
        [
            *replaced(SECURE_INGRESS, "spc-shop-kv", None),
            (
                CERTIFICATE,
                "cert",
                _body("cert-manager.io/v1", "Certificate", "shop", INGRESS_NS, {"secretName": "shop-tls"}),
            ),
        ]
    ),
    "credential_nowhere_in_the_program_is_advisory": Case(
        replaced(SECURE_INGRESS, "spc-shop-kv", None),
        [
            (
                "gateway-credential-declared",
                "shop",
                "advisory",
                "no Secret, SecretProviderClass or cert-manager Certificate",
            )
        ],
    ),
    "passthrough_needs_no_credential": Case(
        replaced(
            replaced(SECURE_INGRESS, "spc-shop-kv", None),
            "shop",
            gateway(
                servers=[
                    {
                        "port": {"number": 443, "name": "tls", "protocol": "TLS"},
                        "hosts": ["shop.example.com"],
                        "tls": {"mode": "PASSTHROUGH"},
                    }
                ]
            ),
        )
    ),
    # --- Conflicting gateways (IST0145) --------------------------------------------------------------------------
    "two_gateways_same_selector_port_and_host": Case(
        [*SECURE_INGRESS, gateway(name="shop-2", namespace="team-b")],
        [("gateway-no-conflicts", "shop-2", "mandatory", "serve port 443 for host shop.example.com")],
    ),
    "two_gateways_same_selector_other_hosts_are_clean": Case(
        [*SECURE_INGRESS, gateway(name="blog", servers=[http_server("blog.example.com")])]
    ),
    # --- VirtualService gateways and hosts (IST0101 gateway, IST0132) ----------------------------------------------
    "virtualservice_short_gateway_name_in_another_namespace": Case(
        replaced(
            replaced(SECURE_INGRESS, "shop", gateway(namespace=INGRESS_NS)),
            "vs-shop",
            virtual_service(gateways=["shop"]),
        ),
        [
            (
                "virtualservice-gateway-bound",
                "vs-shop",
                "mandatory",
                "Write the namespace: gateways: [aks-istio-ingress/shop]",
            )
        ],
    ),
    "virtualservice_namespaced_gateway_name_is_clean": Case(
        replaced(
            replaced(SECURE_INGRESS, "shop", gateway(namespace=INGRESS_NS)),
            "vs-shop",
            virtual_service(gateways=[f"{INGRESS_NS}/shop"]),
        )
    ),
    "virtualservice_host_the_gateway_does_not_serve": Case(
        replaced(SECURE_INGRESS, "vs-shop", virtual_service(hosts=["shop.example.org"])),
        [("virtualservice-gateway-bound", "vs-shop", "mandatory", "hosts shop.example.org are not served")],
    ),
    "virtualservice_host_under_a_wildcard_server_is_clean": Case(
        replaced(SECURE_INGRESS, "shop", gateway(servers=[https_server(host="*.example.com")]))
    ),
    "server_host_namespace_prefix_excludes_the_virtualservice": Case(
        replaced(SECURE_INGRESS, "shop", gateway(servers=[https_server(host="team-b/shop.example.com")])),
        [("virtualservice-gateway-bound", "vs-shop", "mandatory", "to namespace apps")],
    ),
    "virtualservice_gateway_not_in_the_program_is_advisory": Case(
        replaced(SECURE_INGRESS, "vs-shop", virtual_service(gateways=["shared/public"])),
        [("virtualservice-references-declared", "vs-shop", "advisory", "gateway 'shared/public'")],
    ),
    "virtualservice_destination_host_not_declared_is_advisory": Case(
        replaced(SECURE_INGRESS, "vs-shop", virtual_service(destination={"host": "shop-v2"})),
        [("virtualservice-references-declared", "vs-shop", "advisory", "shop-v2.apps.svc.cluster.local")],
    ),
    "virtualservice_destination_subset_not_declared_is_advisory": Case(
        replaced(SECURE_INGRESS, "vs-shop", virtual_service(destination={"host": "shop", "subset": "v2"})),
        [("virtualservice-references-declared", "vs-shop", "advisory", "no DestinationRule")],
    ),
    "virtualservice_destination_subset_declared_is_clean": Case(
        [
            *replaced(SECURE_INGRESS, "vs-shop", virtual_service(destination={"host": "shop", "subset": "v2"})),
            destination_rule(
                "shop",
                "apps",
                "shop.apps.svc.cluster.local",
                {"subsets": [{"name": "v2", "labels": {"version": "v2"}}]},
            ),
        ]
    ),
    "virtualservice_to_a_service_entry_host_is_clean": Case(
        [
            *replaced(SECURE_INGRESS, "vs-shop", virtual_service(destination={"host": "api.partner.example"})),
            (
                SERVICE_ENTRY,
                "se",
                _body(
                    "networking.istio.io/v1",
                    "ServiceEntry",
                    "partner",
                    "apps",
                    {"hosts": ["*.partner.example"], "resolution": "DNS"},
                ),
            ),
        ]
    ),
}
