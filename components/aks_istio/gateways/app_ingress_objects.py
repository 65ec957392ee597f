"""Pure functions that build every object `AppIngress` declares, from its Args: nothing here declares a resource.

The Istio objects follow https://istio.io/latest/docs/reference/config/networking/gateway/, .../virtual-service/
and .../security/authorization-policy/; the Gateway API ones the standard channel's v1 CRDs the add-on installs
(https://gateway-api.sigs.k8s.io/reference/spec/); the SecretProviderClass the secrets-store CSI driver's v1 CRD.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pulumi

from aks_istio.addon import secure_ingress as si
from aks_istio.addon import support_matrix as sm
from aks_istio.gateways.app_ingress_values import AppPathRoute, AppRoute, IngressApi, KeyVaultCertificate, TlsMode
from aks_istio.gateways.gateway_api import GatewayApiGateway, GatewayListener, ListenerProtocol, gateway_object
from aks_istio.gateways.modes import IngressMode

ISTIO_NETWORKING_API = "networking.istio.io/v1"
ISTIO_SECURITY_API = "security.istio.io/v1"
# A stable namespace for the role assignment's name (a GUID ARM requires): the same vault, role and identity
# always give the same name, in every program and stack.
ROLE_ASSIGNMENT_NAMESPACE = uuid.UUID("6f1c2b52-0a55-4f0e-9a57-6b1f7c9d3e21")


def k8s_name(*parts: str) -> str:
    """A DNS-1123 name from `parts`, at most 63 characters."""
    return "-".join(parts)[:63].rstrip("-")


def credential_name(args: AppRoute) -> str:
    """The synced Secret (and its SecretProviderClass): namespaced by the app's namespace, as every app's secret
    shares `aks-istio-ingress` with the others'."""
    return k8s_name(args.backend.namespace, args.name, "tls")


def secret_namespace(args: AppRoute) -> str:
    """Where the certificate must be: the gateway pods' namespace. The add-on's classic gateways run in
    aks-istio-ingress; a Gateway API Gateway's pods run in the Gateway's namespace."""
    return args.backend.namespace if args.api is IngressApi.GATEWAY_API else sm.ADDON_INGRESS_NAMESPACE


def selector(mode: IngressMode) -> dict[str, str]:
    """The add-on gateway's pod label (its Service's name), as `aks_istio.addon` states it."""
    return {sm.INGRESS_GATEWAY_SELECTOR_LABEL: sm.INGRESS_GATEWAY_SERVICES[mode.value]}


def _object(api: str, kind: str, name: str, namespace: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"api_version": api, "kind": kind, "metadata": {"name": name, "namespace": namespace}, "spec": spec}


# --- The certificate: SecretProviderClass, the pod that mounts it, the vault grant -------------------------


def synced_keys(args: AppRoute, certificate: KeyVaultCertificate) -> list[tuple[str, str]]:
    """(Key Vault object, Secret key) pairs: tls.key and tls.crt, and ca.crt for MUTUAL."""
    pairs = [(certificate.key_object_name, si.TLS_KEY_KEY), (certificate.cert_object_name, si.TLS_CERT_KEY)]
    if args.tls_mode is TlsMode.MUTUAL and certificate.ca_object_name is not None:
        pairs.append((certificate.ca_object_name, si.CA_CERT_KEY))
    return pairs


def objects_parameter(object_names: list[str]) -> str:
    """The Azure provider's `objects` parameter: a YAML string holding an `array` of YAML strings."""
    entries = "".join(
        f"    - |\n      objectName: {name}\n      objectType: {si.KEY_VAULT_OBJECT_TYPE}\n" for name in object_names
    )
    return f"array:\n{entries}"


def secret_provider_class(args: AppRoute, client_id: pulumi.Input[str]) -> dict[str, Any]:
    """Syncs the certificate from Key Vault into the Secret the gateway reads, with the add-on's identity."""
    certificate = args.certificate
    assert certificate is not None  # AppIngressArgs requires one for SIMPLE and MUTUAL
    pairs = synced_keys(args, certificate)
    mutual = args.tls_mode is TlsMode.MUTUAL
    spec = {
        "provider": si.AZURE_SECRETS_PROVIDER,
        "secretObjects": [
            {
                "secretName": credential_name(args),
                "type": si.MUTUAL_SECRET_TYPE if mutual else si.TLS_SECRET_TYPE,
                "data": [{"objectName": name, "key": key} for name, key in pairs],
            }
        ],
        "parameters": {
            "usePodIdentity": "false",
            "useVMManagedIdentity": "true",
            "userAssignedIdentityID": client_id,
            "keyvaultName": certificate.vault_name,
            "tenantId": certificate.tenant_id,
            "objects": objects_parameter([name for name, _ in pairs]),
        },
    }
    kind = si.SECRET_PROVIDER_CLASS_KIND
    return _object(si.SECRET_PROVIDER_CLASS_API, kind, credential_name(args), secret_namespace(args), spec)


def secret_sync_deployment(args: AppRoute) -> dict[str, Any]:
    """The pod the CSI driver needs before it creates the Secret: it mounts the SecretProviderClass and does
    nothing else. Small and locked down: non-root, read-only, no privileges, no API token, limits set."""
    name = k8s_name(credential_name(args), "sync")
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": args.name}
    resources = {"requests": {"cpu": "5m", "memory": "16Mi"}, "limits": {"cpu": "50m", "memory": "32Mi"}}
    container = {
        "name": "sync",
        "image": si.SECRET_SYNC_IMAGE,
        "resources": resources,
        "security_context": {
            "allow_privilege_escalation": False,
            "read_only_root_filesystem": True,
            "run_as_non_root": True,
            "run_as_user": si.SECRET_SYNC_USER,
            "capabilities": {"drop": ["ALL"]},
        },
        "volume_mounts": [{"name": "certificate", "mount_path": si.SECRET_SYNC_MOUNT_PATH, "read_only": True}],
    }
    pod_spec = {
        "automount_service_account_token": False,
        "security_context": {
            "run_as_non_root": True,
            "run_as_user": si.SECRET_SYNC_USER,
            "run_as_group": si.SECRET_SYNC_USER,
            "seccomp_profile": {"type": "RuntimeDefault"},
        },
        "containers": [container],
        "volumes": [
            {
                "name": "certificate",
                "csi": {
                    "driver": si.SECRETS_STORE_CSI_DRIVER,
                    "read_only": True,
                    "volume_attributes": {"secretProviderClass": credential_name(args)},
                },
            }
        ],
    }
    return {
        "metadata": {"name": name, "namespace": secret_namespace(args), "labels": labels},
        "spec": {
            "replicas": 1,
            "selector": {"match_labels": labels},
            "template": {
                "metadata": {"labels": labels, "annotations": {si.SIDECAR_INJECT_ANNOTATION: "false"}},
                "spec": pod_spec,
            },
        },
    }


def role_assignment_name(scope: str, role_guid: str, principal_id: str) -> str:
    """The grant's ARM name, derived from what makes it unique to ARM (scope, role, principal): two programs
    that declare the same grant name the same assignment instead of colliding on `RoleAssignmentExists`."""
    return str(uuid.uuid5(ROLE_ASSIGNMENT_NAMESPACE, f"{scope.lower()}|{role_guid}|{principal_id.lower()}"))


# --- Istio API: Gateway, VirtualService ----------------------------------------------------------------------


def gateway_servers(args: AppRoute) -> list[dict[str, Any]]:
    hosts = list(args.hosts)
    if args.tls_mode is TlsMode.NONE:
        return [{"port": {"number": args.http_port, "name": "http", "protocol": "HTTP"}, "hosts": hosts}]
    tls: dict[str, Any] = {"mode": args.tls_mode.value}
    if args.terminates_tls:
        tls["credentialName"] = credential_name(args)
    servers = [{"port": {"number": args.https_port, "name": "https", "protocol": "HTTPS"}, "hosts": hosts, "tls": tls}]
    if args.redirects:
        servers.append(
            {
                "port": {"number": args.http_port, "name": "http", "protocol": "HTTP"},
                "hosts": hosts,
                "tls": {"httpsRedirect": True},
            }
        )
    return servers


def istio_gateway(args: AppRoute) -> dict[str, Any]:
    """An Istio Gateway on the add-on's gateway of the chosen mode, in the app's namespace."""
    spec = {"selector": selector(args.gateway), "servers": gateway_servers(args)}
    return _object(ISTIO_NETWORKING_API, "Gateway", args.name, args.backend.namespace, spec)


def gateway_reference(args: AppRoute) -> str:
    """`<namespace>/<name>`: a VirtualService elsewhere would not find a bare name."""
    return f"{args.backend.namespace}/{args.name}"


def _destination(host: str, port: int) -> dict[str, Any]:
    return {"destination": {"host": host, "port": {"number": port}}}


def _http_route(args: AppRoute, match: list[dict[str, Any]] | None, host: str, port: int) -> dict[str, Any]:
    route: dict[str, Any] = {"route": [_destination(host, port)]}
    if match:
        route = {"match": match, **route}
    if args.timeout is not None:
        route["timeout"] = args.timeout
    if args.retries is not None:
        retries: dict[str, Any] = {"attempts": args.retries.attempts, "retryOn": ",".join(args.retries.retry_on)}
        if args.retries.per_try_timeout is not None:
            retries["perTryTimeout"] = args.retries.per_try_timeout
        route["retries"] = retries
    return route


def _path_match(route: AppPathRoute) -> list[dict[str, Any]]:
    match: dict[str, Any] = {"uri": {"prefix": route.prefix}}
    if route.host is not None:
        # The Host header, with or without a port: a prefix would also take `<host>.evil.example`.
        match["authority"] = {"regex": f"^{re.escape(route.host)}(:[0-9]+)?$"}
    return [match]


def virtual_service(args: AppRoute) -> dict[str, Any]:
    """Binds the hosts on the Gateway to the app's Services: path routes first, then the backend."""
    backend = args.backend
    spec: dict[str, Any] = {"hosts": list(args.hosts), "gateways": [gateway_reference(args)]}
    if args.tls_mode is TlsMode.PASSTHROUGH:
        spec["tls"] = [
            {
                "match": [{"port": args.https_port, "sniHosts": list(args.hosts)}],
                "route": [_destination(backend.host, backend.port)],
            }
        ]
    else:
        routes = [
            _http_route(args, _path_match(r), f"{r.service}.{backend.namespace}.svc.cluster.local", r.port)
            for r in args.path_routes
        ]
        spec["http"] = [*routes, _http_route(args, None, backend.host, backend.port)]
    return _object(ISTIO_NETWORKING_API, "VirtualService", args.name, backend.namespace, spec)


# --- Access at the shared gateway ----------------------------------------------------------------------------


def host_patterns(args: AppRoute) -> list[str]:
    """The app's hosts as an AuthorizationPolicy matches the Host header: with and without a port."""
    return [pattern for host in args.hosts for pattern in (host, f"{host}:*")]


def policy_name(args: AppRoute) -> str:
    """Policies at the shared gateway sit beside other apps' in aks-istio-ingress: named by namespace and app."""
    return k8s_name(args.backend.namespace, args.name)


def policy_target(args: AppRoute) -> tuple[str, dict[str, Any]]:
    """(namespace, selection) of the gateway a policy applies at: the add-on gateway's pods by their label in
    aks-istio-ingress, or the app's own Gateway API Gateway by `targetRefs`."""
    if args.api is IngressApi.GATEWAY_API:
        target = {"group": sm.GATEWAY_API_GROUP, "kind": "Gateway", "name": args.name}
        return args.backend.namespace, {"targetRefs": [target]}
    return sm.ADDON_INGRESS_NAMESPACE, {"selector": {"matchLabels": selector(args.gateway)}}


def authorization_policy(args: AppRoute) -> dict[str, Any] | None:
    """DENY what the app's access does not allow, for the app's hosts only.

    Not ALLOW: the classic gateway is shared, and once any ALLOW policy selects a workload, every request no
    ALLOW rule matches is denied, so an ALLOW for this app's clients would cut off every other app behind the
    gateway (https://istio.io/latest/docs/reference/config/security/authorization-policy/, "Allow-nothing,
    deny-all"). A DENY rule that matches only this app's hosts leaves the rest as they were. Its rules are ORed:
    a request is denied when it comes from outside the source ranges, or carries no valid JWT.
    """
    access = args.access
    if access is None:
        return None
    to = [{"operation": {"hosts": host_patterns(args)}}]
    rules: list[dict[str, Any]] = []
    if access.source_ranges:
        # remoteIpBlocks is the client's address (X-Forwarded-For with trusted proxies, else the peer): the
        # peer is the client only when the gateway Service keeps it (externalTrafficPolicy: Local).
        rules.append({"from": [{"source": {"notRemoteIpBlocks": list(access.source_ranges)}}], "to": to})
    if access.jwt is not None:
        rules.append({"from": [{"source": {"notRequestPrincipals": ["*"]}}], "to": to})
    namespace, target = policy_target(args)
    spec = {**target, "action": "DENY", "rules": rules}
    return _object(ISTIO_SECURITY_API, "AuthorizationPolicy", policy_name(args), namespace, spec)


def request_authentication(args: AppRoute) -> dict[str, Any] | None:
    """Validates the issuer's tokens at the gateway, giving the request a principal the DENY policy checks.

    It has no host scope: a request to another app carrying a token *of this issuer* that fails validation is
    refused too. Requests without such a token are untouched.
    """
    if args.access is None or args.access.jwt is None:
        return None
    jwt = args.access.jwt
    rule: dict[str, Any] = {"issuer": jwt.issuer, "jwksUri": jwt.jwks_uri}
    if jwt.audiences:
        rule["audiences"] = list(jwt.audiences)
    namespace, target = policy_target(args)
    spec = {**target, "jwtRules": [rule]}
    return _object(ISTIO_SECURITY_API, "RequestAuthentication", policy_name(args), namespace, spec)


# --- Gateway API: Gateway, HTTPRoute -------------------------------------------------------------------------


def https_listener_name(index: int) -> str:
    return f"https-{index}"


def api_gateway(args: AppRoute) -> GatewayApiGateway:
    """The app's own Gateway API Gateway: one HTTPS listener per host (a listener takes one hostname) with the
    synced Secret, and an HTTP listener (plain, or for the redirect). Source ranges need the client address, so
    its Service then keeps it (externalTrafficPolicy: Local, an allowlisted customization)."""
    listeners = []
    if args.terminates_tls:
        listeners = [
            GatewayListener(
                name=https_listener_name(i),
                port=args.https_port,
                protocol=ListenerProtocol.HTTPS,
                hostname=host,
                certificate_secret=credential_name(args),
            )
            for i, host in enumerate(args.hosts)
        ]
    if args.tls_mode is TlsMode.NONE or args.redirects:
        listeners.append(GatewayListener(name="http", port=args.http_port, protocol=ListenerProtocol.HTTP))
    parameters: dict[str, Any] = {}
    if args.access is not None and args.access.source_ranges:
        parameters = {"service": {"spec": {"externalTrafficPolicy": "Local"}}}
    return GatewayApiGateway(
        name=args.name,
        namespace=args.backend.namespace,
        internal=args.gateway is IngressMode.INTERNAL,
        listeners=listeners,
        parameters=parameters,
    )


def api_gateway_object(args: AppRoute) -> dict[str, Any]:
    return gateway_object(api_gateway(args))


def _parent_refs(args: AppRoute, sections: list[str]) -> list[dict[str, Any]]:
    return [{"name": args.name, "namespace": args.backend.namespace, "sectionName": s} for s in sections]


def _api_rule(args: AppRoute, service: str, port: int, prefix: str | None) -> dict[str, Any]:
    rule: dict[str, Any] = {"backendRefs": [{"name": service, "port": port}]}
    if prefix is not None:
        rule = {"matches": [{"path": {"type": "PathPrefix", "value": prefix}}], **rule}
    if args.timeout is not None:
        rule["timeouts"] = {"request": args.timeout}
    return rule


def http_routes(args: AppRoute) -> list[dict[str, Any]]:
    """The app's HTTPRoute on its Gateway's serving listeners, and with a redirect a second one on the HTTP
    listener that only redirects to HTTPS. A path route bound to one host gets an HTTPRoute of its own."""
    backend = args.backend
    serving = [https_listener_name(i) for i in range(len(args.hosts))] if args.terminates_tls else ["http"]
    general = [r for r in args.path_routes if r.host is None]
    rules = [_api_rule(args, r.service, r.port, r.prefix) for r in general]
    rules.append(_api_rule(args, backend.service, backend.port, None))
    routes = [_http_route_object(args, args.name, serving, list(args.hosts), rules)]
    for index, route in enumerate(r for r in args.path_routes if r.host is not None):
        rule = _api_rule(args, route.service, route.port, route.prefix)
        assert route.host is not None
        routes.append(_http_route_object(args, k8s_name(args.name, "path", str(index)), serving, [route.host], [rule]))
    if args.terminates_tls and args.redirects:
        redirect = {"filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301}}]}
        routes.append(_http_route_object(args, k8s_name(args.name, "redirect"), ["http"], list(args.hosts), [redirect]))
    return routes


def _http_route_object(
    args: AppRoute, name: str, sections: list[str], hostnames: list[str], rules: list[dict[str, Any]]
) -> dict[str, Any]:
    spec = {"parentRefs": _parent_refs(args, sections), "hostnames": hostnames, "rules": rules}
    return _object(sm.GATEWAY_API_VERSION, "HTTPRoute", name, args.backend.namespace, spec)
