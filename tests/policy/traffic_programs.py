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


def service_entry(host: str) -> Resource:
    spec = {"hosts": [host], "resolution": "DNS"}
    return SERVICE_ENTRY, "se", _body("networking.istio.io/v1", "ServiceEntry", "partner", "apps", spec)


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
    "egress_gateway_the_settings_do_not_list_may_be_named_egressgateway": Case(
        [
            *replaced(SECURE_INGRESS, "aks", None),
            gateway(name="out", selector={"istio": "egressgateway"}, servers=[http_server("api.example.org")]),
        ],
        config=YES,
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
    "two_selectors_reaching_the_same_add_on_gateway": Case(
        [*SECURE_INGRESS, gateway(name="shop-2", namespace="team-b", selector={**INTERNAL, "app": INTERNAL["istio"]})],
        [("gateway-no-conflicts", "shop-2", "mandatory", "both select istio: aks-istio-ingressgateway-internal")],
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
        [("virtualservice-gateway-bound", "vs-shop", "mandatory", "none of its hosts (shop.example.org) is served")],
    ),
    "virtualservice_hosts_partly_served_by_the_gateway_is_clean": Case(
        replaced(SECURE_INGRESS, "vs-shop", virtual_service(hosts=["shop.example.com", "shop.internal"]))
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
            service_entry("*.partner.example"),
        ]
    ),
}


# --- mTLS, placement, Sidecars, selectors, port protocols, Gateway API -----------------------------------------------
def _security(
    kind: str, prefix: str, name: str, namespace: str, spec: dict[str, Any], selector: dict[str, str] | None
) -> Resource:
    """A security.istio.io/v1 object, with `selector.matchLabels` when given."""
    if selector is not None:
        spec = {**spec, "selector": {"matchLabels": selector}}
    type_ = f"kubernetes:security.istio.io/v1:{kind}"
    return type_, f"{prefix}-{name}-{namespace}", _body("security.istio.io/v1", kind, name, namespace, spec)


def peer_authentication(name: str, namespace: str, mode: str, selector: dict[str, str] | None = None) -> Resource:
    return _security("PeerAuthentication", "pa", name, namespace, {"mtls": {"mode": mode}}, selector)


def authorization_policy(name: str, namespace: str, selector: dict[str, str] | None) -> Resource:
    spec = {"action": "ALLOW", "rules": [{"from": [{"source": {"namespaces": ["apps"]}}]}]}
    return _security("AuthorizationPolicy", "ap", name, namespace, spec, selector)


def sidecar(name: str, namespace: str = "apps", labels: dict[str, str] | None = None) -> Resource:
    spec: dict[str, Any] = {"egress": [{"hosts": ["./*", "aks-istio-system/*"]}]}
    if labels is not None:
        spec["workloadSelector"] = {"labels": labels}
    return SIDECAR, f"sidecar-{name}", _body("networking.istio.io/v1", "Sidecar", name, namespace, spec)


PARTNER = service_entry("api.partner.example")
MESH_STRICT = peer_authentication("default", "aks-istio-system", "STRICT")
DISABLE = {"trafficPolicy": {"tls": {"mode": "DISABLE"}}}
MESH_APP = [CLUSTER_RES, *APP, MESH_STRICT]


def api_gateway(
    name: str = "web", namespace: str = "gw", listeners: list[dict[str, Any]] | None = None, cls: str = "istio"
) -> Resource:
    spec = {
        "gatewayClassName": cls,
        "listeners": listeners or [{"name": "http", "port": 80, "protocol": "HTTP"}],
    }
    return API_GATEWAY, f"gwapi-{name}", _body("gateway.networking.k8s.io/v1", "Gateway", name, namespace, spec)


def http_route(parent: dict[str, Any], namespace: str = "apps", backend: dict[str, Any] | None = None) -> Resource:
    spec = {
        "parentRefs": [parent],
        "hostnames": ["shop.example.com"],
        "rules": [{"backendRefs": [backend or {"name": "shop", "port": 8080}]}],
    }
    return HTTP_ROUTE, "route", _body("gateway.networking.k8s.io/v1", "HTTPRoute", "shop", namespace, spec)


def namespace(name: str, labels: dict[str, str]) -> Resource:
    return (
        NAMESPACE,
        f"ns-{name}",
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}},
    )


ALL_NAMESPACES = [{"name": "http", "port": 80, "protocol": "HTTP", "allowedRoutes": {"namespaces": {"from": "All"}}}]
SHARED = [
    {
        "name": "http",
        "port": 80,
        "protocol": "HTTP",
        "allowedRoutes": {"namespaces": {"from": "Selector", "selector": {"matchLabels": {"shared-gateway": "true"}}}},
    }
]
TLS_LISTENER = [
    {
        "name": "tls",
        "port": 443,
        "protocol": "TLS",
        "tls": {"mode": "Passthrough"},
        "allowedRoutes": {"namespaces": {"from": "All"}},
    }
]
TLS_ROUTE_RES: Resource = (
    TLS_ROUTE,
    "tls-route",
    _body(
        "gateway.networking.k8s.io/v1alpha2",
        "TLSRoute",
        "db",
        "apps",
        {
            "parentRefs": [{"name": "web", "namespace": "gw"}],
            "rules": [{"backendRefs": [{"name": "shop", "port": 8080}]}],
        },
    ),
)
ASM_1_29 = mutate(CLUSTER, "serviceMeshProfile.istio.revisions", ["asm-1-29"])
GRANT: Resource = (
    REFERENCE_GRANT,
    "grant",
    _body(
        "gateway.networking.k8s.io/v1beta1",
        "ReferenceGrant",
        "from-apps",
        "backend",
        {
            "from": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "namespace": "apps"}],
            "to": [{"group": "", "kind": "Service"}],
        },
    ),
)

MORE_CASES: dict[str, Case] = {
    # --- STRICT PeerAuthentication against DestinationRule DISABLE (retired upstream IST0113) -----------------------
    "strict_mesh_and_a_destination_rule_that_disables_tls": Case(
        [*MESH_APP, destination_rule("shop", "apps", "shop", DISABLE)],
        [
            (
                "destinationrule-mtls-matches-peerauthentication",
                "dr-shop",
                "mandatory",
                "PeerAuthentication aks-istio-system/default is STRICT",
            )
        ],
    ),
    "namespace_permissive_overrides_mesh_strict_is_clean": Case(
        [
            *MESH_APP,
            peer_authentication("default", "apps", "PERMISSIVE"),
            destination_rule("shop", "apps", "shop", DISABLE),
        ]
    ),
    "workload_level_peer_authentication_cannot_be_decided": Case(
        [
            *MESH_APP,
            peer_authentication("shop", "apps", "STRICT", {"app": "shop"}),
            destination_rule("shop", "apps", "shop", DISABLE),
        ]
    ),
    "destination_rule_without_tls_setting_is_clean": Case([*MESH_APP, destination_rule("shop", "apps", "shop")]),
    "disable_to_a_service_entry_host_is_clean": Case(
        [*MESH_APP, PARTNER, destination_rule("partner", "apps", "api.partner.example", DISABLE)]
    ),
    # --- TLS origination without a CA (IST0128/IST0129) ---------------------------------------------------------------
    "tls_origination_without_ca_certificates": Case(
        [
            *MESH_APP,
            PARTNER,
            destination_rule(
                "partner",
                "apps",
                "api.partner.example",
                {"trafficPolicy": {"portLevelSettings": [{"port": {"number": 443}, "tls": {"mode": "SIMPLE"}}]}},
            ),
        ],
        [("destinationrule-tls-verifies-server", "dr-partner", "advisory", "portLevelSettings[0].tls.mode SIMPLE")],
    ),
    "tls_origination_with_ca_certificates_is_clean": Case(
        [
            *MESH_APP,
            PARTNER,
            destination_rule(
                "partner",
                "apps",
                "api.partner.example",
                {"trafficPolicy": {"tls": {"mode": "SIMPLE", "caCertificates": "/etc/ssl/certs/ca-certificates.crt"}}},
            ),
        ]
    ),
    # --- Mesh-wide policies in istio-system ---------------------------------------------------------------------------
    "mesh_wide_policies_in_istio_system": Case(
        [
            *MESH_APP,
            authorization_policy("deny-all", "istio-system", None),
            peer_authentication("default", "istio-system", "STRICT"),
        ],
        [
            (
                "istio-policy-not-in-istio-system",
                "ap-deny-all-istio-system",
                "mandatory",
                "Declare it in aks-istio-system",
            ),
            (
                "istio-policy-not-in-istio-system",
                "pa-default-istio-system",
                "mandatory",
                "upstream Istio's root namespace",
            ),
        ],
    ),
    "mesh_wide_policy_in_aks_istio_system_is_clean": Case(
        [*MESH_APP, authorization_policy("deny-all", "aks-istio-system", None)]
    ),
    # --- Sidecars (IST0110, IST0111) ---------------------------------------------------------------------------------
    "two_sidecars_without_a_workload_selector": Case(
        [*MESH_APP, sidecar("a"), sidecar("b")],
        [("sidecar-selectors-unambiguous", "sidecar-b", "mandatory", "has no workloadSelector")],
    ),
    "sidecars_selecting_the_same_workload": Case(
        [*MESH_APP, sidecar("a", labels={"app": "shop"}), sidecar("b", labels={"app": "shop"})],
        [("sidecar-selectors-unambiguous", "sidecar-b", "mandatory", "both select workload apps/shop")],
    ),
    "one_default_sidecar_and_one_per_workload_is_clean": Case(
        [*MESH_APP, sidecar("a"), sidecar("b", labels={"app": "shop"})]
    ),
    # --- Selectors matching no workload (IST0127) -----------------------------------------------------------------
    "authorization_policy_selector_matches_no_workload": Case(
        [*MESH_APP, authorization_policy("shop", "apps", {"app": "shopp"})],
        [("istio-selector-matches-workload", "ap-shop-apps", "advisory", '{"app": "shopp"} matches no workload')],
    ),
    "authorization_policy_selector_matching_the_workload_is_clean": Case(
        [*MESH_APP, authorization_policy("shop", "apps", {"app": "shop"})]
    ),
    "authorization_policy_on_the_add_on_gateway_is_clean": Case(
        [*MESH_APP, authorization_policy("ingress", INGRESS_NS, {"istio": "aks-istio-ingressgateway-internal"})]
    ),
    "gateway_with_its_own_labels_matching_no_workload": Case(
        [*MESH_APP, gateway(selector={"app": "edge"}, servers=[http_server()])],
        [("istio-selector-matches-workload", "shop", "advisory", "Gateway apps/shop")],
    ),
    # --- Port names and appProtocol (IST0118) ---------------------------------------------------------------------
    "service_port_that_makes_istio_sniff": Case(
        [*MESH_APP, service("legacy", "apps", {"app": "shop"}, [{"name": "web", "port": 8081}])],
        [("service-port-protocol-explicit", "svc-legacy", "advisory", "named 'web'")],
    ),
    "service_port_with_app_protocol_is_clean": Case(
        [*MESH_APP, service("legacy", "apps", {"app": "shop"}, [{"name": "web", "port": 8081, "appProtocol": "http"}])]
    ),
    # --- Gateway API: attachment, class, references, TLSRoute --------------------------------------------------------
    "route_from_another_namespace_than_the_listener_admits": Case(
        [CLUSTER_RES, *APP, api_gateway(), http_route({"name": "web", "namespace": "gw"})],
        [("gateway-api-route-attaches", "route", "mandatory", "admits routes from Same namespace(s), not apps")],
    ),
    "route_admitted_by_from_all_is_clean": Case(
        [CLUSTER_RES, *APP, api_gateway(listeners=ALL_NAMESPACES), http_route({"name": "web", "namespace": "gw"})]
    ),
    "route_namespace_carrying_the_selector_label_is_clean": Case(
        [
            CLUSTER_RES,
            *APP,
            namespace("apps", {"shared-gateway": "true"}),
            api_gateway(listeners=SHARED),
            http_route({"name": "web", "namespace": "gw"}),
        ]
    ),
    "route_namespace_without_the_selector_label": Case(
        [
            CLUSTER_RES,
            *APP,
            namespace("apps", {}),
            api_gateway(listeners=SHARED),
            http_route({"name": "web", "namespace": "gw"}),
        ],
        [("gateway-api-route-attaches", "route", "mandatory", "admits routes from Selector")],
    ),
    "parent_ref_without_namespace_to_a_gateway_elsewhere": Case(
        [CLUSTER_RES, *APP, api_gateway(listeners=ALL_NAMESPACES), http_route({"name": "web"})],
        [("gateway-api-route-attaches", "route", "mandatory", "Set parentRefs[0].namespace: gw")],
    ),
    "section_name_that_names_no_listener": Case(
        [
            CLUSTER_RES,
            *APP,
            api_gateway(listeners=ALL_NAMESPACES),
            http_route({"name": "web", "namespace": "gw", "sectionName": "https"}),
        ],
        [("gateway-api-route-attaches", "route", "mandatory", "sectionName 'https' names no listener")],
    ),
    "parent_gateway_not_in_the_program_is_advisory": Case(
        [CLUSTER_RES, *APP, http_route({"name": "shared", "namespace": "gw"})],
        [("gateway-api-references-declared", "route", "advisory", "names Gateway gw/shared")],
    ),
    "backend_in_another_namespace_without_a_reference_grant": Case(
        [
            CLUSTER_RES,
            *APP,
            api_gateway(listeners=ALL_NAMESPACES),
            http_route({"name": "web", "namespace": "gw"}, backend={"name": "api", "namespace": "backend", "port": 80}),
        ],
        [("gateway-api-references-declared", "route", "advisory", "no ReferenceGrant")],
    ),
    "backend_in_another_namespace_with_a_reference_grant_is_clean": Case(
        [
            CLUSTER_RES,
            *APP,
            GRANT,
            api_gateway(listeners=ALL_NAMESPACES),
            http_route({"name": "web", "namespace": "gw"}, backend={"name": "api", "namespace": "backend", "port": 80}),
        ]
    ),
    "gateway_of_another_class": Case(
        [CLUSTER_RES, api_gateway(listeners=ALL_NAMESPACES, cls="nginx")],
        [("gateway-api-class-istio", "gwapi-web", "advisory", "gatewayClassName 'nginx'")],
    ),
    "gateway_of_a_class_the_program_declares_is_clean": Case(
        [
            CLUSTER_RES,
            api_gateway(listeners=ALL_NAMESPACES, cls="edge"),
            (
                GATEWAY_CLASS,
                "class",
                {
                    "apiVersion": "gateway.networking.k8s.io/v1",
                    "kind": "GatewayClass",
                    "metadata": {"name": "edge"},
                    "spec": {"controllerName": "example.com/edge"},
                },
            ),
        ]
    ),
    "tls_route_below_asm_1_30": Case(
        [(MANAGED_CLUSTER, "aks", ASM_1_29), *APP, api_gateway(listeners=TLS_LISTENER), TLS_ROUTE_RES],
        [("gateway-api-tlsroute-revision", "tls-route", "mandatory", "from asm-1-30")],
    ),
    "tls_route_on_asm_1_30_is_clean": Case([CLUSTER_RES, *APP, api_gateway(listeners=TLS_LISTENER), TLS_ROUTE_RES]),
    "tls_route_with_revisions_from_pack_settings": Case(
        [*APP, api_gateway(listeners=TLS_LISTENER), TLS_ROUTE_RES],
        [("gateway-api-tlsroute-revision", "tls-route", "mandatory", "asm-1-29")],
        {"pack-settings": {"clusterRunsIstioAddon": "yes", "addonRevisions": ["asm-1-29"]}},
    ),
}

# --- Destination ports (upstream's virtualservice_destinationhosts testdata: IST0101 host:port, IST0112) --------------
TWO_PORTS = [{"name": "https", "port": 443, "targetPort": 8443}, {"name": "http-metrics", "port": 9090}]
APP_TWO_PORTS = [{"name": "http", "port": 8080}, {"name": "http-metrics", "port": 9090}]
PARTNER_TLS: Resource = (
    SERVICE_ENTRY,
    "se",
    _body(
        "networking.istio.io/v1",
        "ServiceEntry",
        "partner",
        "apps",
        {"hosts": ["api.partner.example"], "ports": [{"number": 443, "name": "tls", "protocol": "TLS"}]},
    ),
)


def with_service_ports(program: list[Resource], ports: list[dict[str, Any]]) -> list[Resource]:
    return replaced(program, "svc-shop", service("shop", "apps", {"app": "shop"}, ports))


def partner_route(port: int) -> list[Resource]:
    """A mesh route to the partner API's ServiceEntry (port 443) on `port`."""
    destination = {"host": "api.partner.example", "port": {"number": port}}
    return [
        *MESH_APP,
        PARTNER_TLS,
        virtual_service(gateways=["mesh"], hosts=["api.partner.example"], destination=destination),
    ]


PORT_CASES: dict[str, Case] = {
    "virtualservice_destination_port_the_service_does_not_expose": Case(
        replaced(SECURE_INGRESS, "vs-shop", virtual_service(destination={"host": "shop", "port": {"number": 9090}})),
        [("virtualservice-destination-port-exists", "vs-shop", "mandatory", "9090 is not a port of Service apps/shop")],
    ),
    "virtualservice_destination_port_the_service_exposes_is_clean": Case(
        replaced(
            with_service_ports(SECURE_INGRESS, APP_TWO_PORTS),
            "vs-shop",
            virtual_service(destination={"host": "shop", "port": {"number": 9090}}),
        )
    ),
    "virtualservice_without_port_to_a_single_port_service_is_clean": Case(
        replaced(SECURE_INGRESS, "vs-shop", virtual_service(destination={"host": "shop"}))
    ),
    "virtualservice_without_port_to_a_multi_port_service_at_a_gateway_listening_elsewhere": Case(
        replaced(
            with_service_ports(SECURE_INGRESS, APP_TWO_PORTS), "vs-shop", virtual_service(destination={"host": "shop"})
        ),
        [("virtualservice-destination-port-exists", "vs-shop", "mandatory", "the port the request arrived on (443)")],
    ),
    "virtualservice_without_port_at_a_gateway_whose_port_the_service_has_is_advisory": Case(
        replaced(
            with_service_ports(SECURE_INGRESS, TWO_PORTS), "vs-shop", virtual_service(destination={"host": "shop"})
        ),
        [("virtualservice-destination-port-selected", "vs-shop", "advisory", "(upstream IST0112)")],
    ),
    "virtualservice_without_port_to_a_multi_port_service_in_the_mesh_is_advisory": Case(
        [
            *with_service_ports(MESH_APP, APP_TWO_PORTS),
            virtual_service(gateways=["mesh"], hosts=["shop"], destination={"host": "shop"}),
        ],
        [("virtualservice-destination-port-selected", "vs-shop", "advisory", "one of 8080, 9090")],
    ),
    "virtualservice_destination_port_a_service_entry_does_not_declare": Case(
        partner_route(8443),
        [("virtualservice-destination-port-exists", "vs-shop", "mandatory", "ServiceEntry apps/partner (ports 443)")],
    ),
    "virtualservice_destination_port_a_service_entry_declares_is_clean": Case(partner_route(443)),
    "virtualservice_destination_port_unknown_at_preview_is_not_judged": Case(
        replaced(SECURE_INGRESS, "vs-shop", virtual_service(destination={"host": "shop", "port": {"number": UNKNOWN}}))
    ),
}
CASES = {**CASES, **MORE_CASES, **PORT_CASES}
