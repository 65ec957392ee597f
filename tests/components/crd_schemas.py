"""Minimal JSON Schemas of the custom resources AppIngress declares: the fields it uses, with their types, enums
and required members, written from each CRD's public reference (never copied files). An object lists its known
fields and forbids others, so a misspelt or misplaced field fails as the API server's structural schema would
prune or refuse it.

Sources:
- Istio Gateway, VirtualService: https://istio.io/latest/docs/reference/config/networking/gateway/ and
  .../virtual-service/ (networking.istio.io/v1).
- Istio AuthorizationPolicy, RequestAuthentication: https://istio.io/latest/docs/reference/config/security/
  authorization-policy/ and .../request_authentication/ (security.istio.io/v1).
- SecretProviderClass: the secrets-store CSI driver's CRD, https://github.com/kubernetes-sigs/secrets-store-csi-driver
  (charts/secrets-store-csi-driver/crds/secretproviderclass.yaml, v1), and
  https://secrets-store-csi-driver.sigs.k8s.io/topics/sync-as-kubernetes-secret.
- Gateway API Gateway and HTTPRoute (standard channel, v1): https://gateway-api.sigs.k8s.io/reference/spec/.
"""

from __future__ import annotations

from typing import Any

import jsonschema


def obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required or [], "additionalProperties": False}


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


STRING = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
STRINGS = array(STRING)
STRING_MAP = {"type": "object", "additionalProperties": STRING}
METADATA = obj({"name": STRING, "namespace": STRING, "labels": STRING_MAP, "annotations": STRING_MAP}, ["name"])


def resource(api_version: str, kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    return obj(
        {"apiVersion": {"const": api_version}, "kind": {"const": kind}, "metadata": METADATA, "spec": spec},
        ["apiVersion", "kind", "metadata", "spec"],
    )


# --- networking.istio.io/v1 -----------------------------------------------------------------------------------
PORT = obj({"number": INT, "protocol": STRING, "name": STRING, "targetPort": INT}, ["number", "protocol", "name"])
SERVER_TLS = obj(
    {
        "httpsRedirect": BOOL,
        "mode": {"enum": ["PASSTHROUGH", "SIMPLE", "MUTUAL", "AUTO_PASSTHROUGH", "ISTIO_MUTUAL", "OPTIONAL_MUTUAL"]},
        "credentialName": STRING,
        "credentialNames": STRINGS,
        "subjectAltNames": STRINGS,
        "minProtocolVersion": STRING,
    }
)
SERVER = obj({"port": PORT, "hosts": STRINGS, "tls": SERVER_TLS, "name": STRING, "bind": STRING}, ["port", "hosts"])
ISTIO_GATEWAY = resource(
    "networking.istio.io/v1", "Gateway", obj({"selector": STRING_MAP, "servers": array(SERVER)}, ["servers"])
)

STRING_MATCH = {
    "type": "object",
    "oneOf": [
        obj({"exact": STRING}, ["exact"]),
        obj({"prefix": STRING}, ["prefix"]),
        obj({"regex": STRING}, ["regex"]),
    ],
}
DESTINATION = obj({"host": STRING, "subset": STRING, "port": obj({"number": INT})}, ["host"])
ROUTE_DESTINATION = obj({"destination": DESTINATION, "weight": INT}, ["destination"])
HTTP_ROUTE_ISTIO = obj(
    {
        "name": STRING,
        "match": array(obj({"uri": STRING_MATCH, "authority": STRING_MATCH, "port": INT, "gateways": STRINGS})),
        "route": array(ROUTE_DESTINATION),
        "timeout": STRING,
        "retries": obj({"attempts": INT, "perTryTimeout": STRING, "retryOn": STRING}),
    }
)
TLS_ROUTE_ISTIO = obj(
    {
        "match": array(obj({"sniHosts": STRINGS, "port": INT, "gateways": STRINGS}, ["sniHosts"])),
        "route": array(ROUTE_DESTINATION),
    }
)
VIRTUAL_SERVICE = resource(
    "networking.istio.io/v1",
    "VirtualService",
    obj({"hosts": STRINGS, "gateways": STRINGS, "http": array(HTTP_ROUTE_ISTIO), "tls": array(TLS_ROUTE_ISTIO)}),
)

# --- security.istio.io/v1 -------------------------------------------------------------------------------------
SOURCE = obj(
    {
        key: STRINGS
        for key in (
            "principals",
            "notPrincipals",
            "requestPrincipals",
            "notRequestPrincipals",
            "namespaces",
            "notNamespaces",
            "ipBlocks",
            "notIpBlocks",
            "remoteIpBlocks",
            "notRemoteIpBlocks",
        )
    }
)
OPERATION = obj({key: STRINGS for key in ("hosts", "notHosts", "ports", "notPorts", "methods", "paths", "notPaths")})
WORKLOAD_SELECTOR = obj({"matchLabels": STRING_MAP})
TARGET_REF = obj({"group": STRING, "kind": STRING, "name": STRING, "namespace": STRING}, ["kind", "name"])
AUTHORIZATION_POLICY = resource(
    "security.istio.io/v1",
    "AuthorizationPolicy",
    obj(
        {
            "selector": WORKLOAD_SELECTOR,
            "targetRefs": array(TARGET_REF),
            "action": {"enum": ["ALLOW", "DENY", "AUDIT", "CUSTOM"]},
            "rules": array(obj({"from": array(obj({"source": SOURCE})), "to": array(obj({"operation": OPERATION}))})),
        }
    ),
)
JWT_RULE = obj(
    {"issuer": STRING, "audiences": STRINGS, "jwksUri": STRING, "jwks": STRING, "forwardOriginalToken": BOOL},
    ["issuer"],
)
REQUEST_AUTHENTICATION = resource(
    "security.istio.io/v1",
    "RequestAuthentication",
    obj({"selector": WORKLOAD_SELECTOR, "targetRefs": array(TARGET_REF), "jwtRules": array(JWT_RULE)}),
)

# --- secrets-store.csi.x-k8s.io/v1 ----------------------------------------------------------------------------
SECRET_PROVIDER_CLASS = resource(
    "secrets-store.csi.x-k8s.io/v1",
    "SecretProviderClass",
    obj(
        {
            "provider": STRING,
            "parameters": STRING_MAP,
            "secretObjects": array(
                obj(
                    {
                        "secretName": STRING,
                        "type": STRING,
                        "labels": STRING_MAP,
                        "annotations": STRING_MAP,
                        "data": array(obj({"objectName": STRING, "key": STRING})),
                    }
                )
            ),
        }
    ),
)

# --- gateway.networking.k8s.io/v1 -----------------------------------------------------------------------------
SECRET_REF = obj({"group": STRING, "kind": STRING, "name": STRING, "namespace": STRING}, ["name"])
LISTENER = obj(
    {
        "name": STRING,
        "hostname": STRING,
        "port": INT,
        "protocol": STRING,
        "tls": obj(
            {
                "mode": {"enum": ["Terminate", "Passthrough"]},
                "certificateRefs": array(SECRET_REF),
                "options": STRING_MAP,
            }
        ),
        "allowedRoutes": obj({"namespaces": obj({"from": {"enum": ["All", "Selector", "Same"]}})}),
    },
    ["name", "port", "protocol"],
)
API_GATEWAY = resource(
    "gateway.networking.k8s.io/v1",
    "Gateway",
    obj(
        {
            "gatewayClassName": STRING,
            "listeners": array(LISTENER),
            "infrastructure": obj(
                {
                    "labels": STRING_MAP,
                    "annotations": STRING_MAP,
                    "parametersRef": obj({"group": STRING, "kind": STRING, "name": STRING}, ["group", "kind", "name"]),
                }
            ),
        },
        ["gatewayClassName", "listeners"],
    ),
)
PARENT_REF = obj(
    {"group": STRING, "kind": STRING, "namespace": STRING, "name": STRING, "sectionName": STRING, "port": INT}, ["name"]
)
REDIRECT_FILTER = obj(
    {
        "type": {
            "enum": [
                "RequestHeaderModifier",
                "ResponseHeaderModifier",
                "RequestMirror",
                "RequestRedirect",
                "URLRewrite",
                "ExtensionRef",
            ]
        },
        "requestRedirect": obj(
            {
                "scheme": {"enum": ["http", "https"]},
                "hostname": STRING,
                "port": INT,
                "statusCode": {"enum": [301, 302, 303, 307, 308]},
            }
        ),
    },
    ["type"],
)
HTTP_ROUTE = resource(
    "gateway.networking.k8s.io/v1",
    "HTTPRoute",
    obj(
        {
            "parentRefs": array(PARENT_REF),
            "hostnames": STRINGS,
            "rules": array(
                obj(
                    {
                        "matches": array(
                            obj(
                                {
                                    "path": obj(
                                        {
                                            "type": {"enum": ["Exact", "PathPrefix", "RegularExpression"]},
                                            "value": STRING,
                                        }
                                    )
                                }
                            )
                        ),
                        "filters": array(REDIRECT_FILTER),
                        "backendRefs": array(
                            obj(
                                {
                                    "group": STRING,
                                    "kind": STRING,
                                    "name": STRING,
                                    "namespace": STRING,
                                    "port": INT,
                                    "weight": INT,
                                },
                                ["name"],
                            )
                        ),
                        "timeouts": obj({"request": STRING, "backendRequest": STRING}),
                    }
                )
            ),
        }
    ),
)

SCHEMAS: dict[str, dict[str, Any]] = {
    "kubernetes:networking.istio.io/v1:Gateway": ISTIO_GATEWAY,
    "kubernetes:networking.istio.io/v1:VirtualService": VIRTUAL_SERVICE,
    "kubernetes:security.istio.io/v1:AuthorizationPolicy": AUTHORIZATION_POLICY,
    "kubernetes:security.istio.io/v1:RequestAuthentication": REQUEST_AUTHENTICATION,
    "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass": SECRET_PROVIDER_CLASS,
    "kubernetes:gateway.networking.k8s.io/v1:Gateway": API_GATEWAY,
    "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute": HTTP_ROUTE,
}


def crd_problems(resource_type: str, payload: dict[str, Any]) -> list[str]:
    """Every way `payload` departs from the minimal schema of its custom resource type."""
    validator = jsonschema.Draft202012Validator(SCHEMAS[resource_type])
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(payload)]
