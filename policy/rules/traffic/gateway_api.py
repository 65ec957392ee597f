"""Gateway API routes on the add-on: class istio, parents that exist and accept the route, cross-namespace
references with their ReferenceGrant, and TLSRoute only from asm-1-30.

No upstream analyzer checks these (Istio reports them in the resources' status conditions once applied: Accepted
false, NotAllowedByListeners, RefNotPermitted, ...), so the behaviour is the Gateway API spec's
(https://gateway-api.sigs.k8s.io/reference/spec/: a listener's `allowedRoutes.namespaces.from` defaults to Same and
its kinds to the protocol's route kinds; a reference into another namespace needs a ReferenceGrant there) and the
add-on's (https://learn.microsoft.com/azure/aks/istio-gateway-api: class `istio`; TLSRoute from asm-1-30).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from aks_istio.addon import support_matrix as sm

from ..deferred import Finding
from .analysis import Check, Traffic
from .model import CORE, GATEWAY_API, UNKNOWN, K8sObject, Objects, Unknown, dig, items, labels_of, text

URL: Final = "https://learn.microsoft.com/azure/aks/istio-gateway-api"
ROUTE_KINDS: Final = ("HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute")
DEFAULT_KINDS: Final[Mapping[str, frozenset[str]]] = {
    "HTTP": frozenset({"HTTPRoute", "GRPCRoute"}),
    "HTTPS": frozenset({"HTTPRoute", "GRPCRoute"}),
    "TLS": frozenset({"TLSRoute", "TCPRoute"}),
    "TCP": frozenset({"TCPRoute"}),
    "UDP": frozenset({"UDPRoute"}),
}
"""Route kinds a listener admits when `allowedRoutes.kinds` is unset (the spec: the protocol's kinds)."""
NAMESPACE_NAME_LABEL: Final = "kubernetes.io/metadata.name"


def routes(objects: Objects) -> Iterator[K8sObject]:
    for kind in ROUTE_KINDS:
        yield from objects.of(GATEWAY_API, kind)


@dataclass(frozen=True)
class ParentRef:
    index: int
    namespace: str
    name: str
    section: str | None
    port: int | None


def parent_refs(route: K8sObject) -> Iterator[ParentRef]:
    """The route's parents that are Gateways (other kinds, e.g. a Service for GAMMA, are not judged)."""
    if not isinstance(route.namespace, str):
        return
    for index, ref in enumerate(items(route.spec, "parentRefs")):
        group, kind = text(ref, "group"), text(ref, "kind")
        name, namespace, section, port = (
            text(ref, "name"),
            text(ref, "namespace"),
            text(ref, "sectionName"),
            dig(ref, "port"),
        )
        if group not in (None, GATEWAY_API) or kind not in (None, "Gateway") or not isinstance(name, str):
            continue
        if namespace is UNKNOWN or section is UNKNOWN or port is UNKNOWN:
            continue
        yield ParentRef(
            index,
            namespace if isinstance(namespace, str) else route.namespace,
            name,
            section if isinstance(section, str) else None,
            int(port) if isinstance(port, int | float) else None,
        )


def _namespace_allowed(objects: Objects, listener: Any, gateway: K8sObject, namespace: str) -> bool | None:
    allowed = dig(listener, "allowedRoutes", "namespaces")
    origin = text(allowed, "from")
    if origin is UNKNOWN:
        return None
    if origin is None or origin == "Same":
        return namespace == gateway.namespace
    if origin == "All":
        return True
    if origin != "Selector":
        return None
    if dig(allowed, "selector", "matchExpressions"):
        return None
    selector = labels_of(allowed, "selector", "matchLabels")
    if not isinstance(selector, dict):
        return None
    declared = objects.namespace_labels(namespace)
    if isinstance(declared, Unknown):
        return None
    labels = {**(declared or {}), NAMESPACE_NAME_LABEL: namespace}
    if declared is None and set(selector) - {NAMESPACE_NAME_LABEL}:
        return None  # the namespace's other labels are set where it is declared, outside this program
    return all(labels.get(k) == v for k, v in selector.items())


def _kind_allowed(listener: Any, kind: str) -> bool | None:
    kinds = dig(listener, "allowedRoutes", "kinds")
    if kinds is UNKNOWN:
        return None
    if isinstance(kinds, list) and kinds:
        return any(text(k, "kind") == kind and text(k, "group") in (None, GATEWAY_API) for k in kinds)
    protocol = text(listener, "protocol")
    if not isinstance(protocol, str) or protocol not in DEFAULT_KINDS:
        return None
    return kind in DEFAULT_KINDS[protocol]


def _refusal(objects: Objects, route: K8sObject, ref: ParentRef, gateway: K8sObject) -> str | None:
    """Why no listener of `gateway` accepts the route (None: one does, or it cannot tell)."""
    listeners = [x for x in items(gateway.spec, "listeners") if isinstance(x, Mapping)]
    if ref.section is not None:
        names = [text(x, "name") for x in listeners]
        if UNKNOWN in names:
            return None
        listeners = [x for x in listeners if text(x, "name") == ref.section]
        if not listeners:
            listed = ", ".join(str(n) for n in names)
            return f"sectionName {ref.section!r} names no listener of Gateway {gateway.ref} (listeners: {listed})"
    if ref.port is not None:
        listeners = [x for x in listeners if dig(x, "port") in (ref.port, UNKNOWN)]
    reasons: list[str] = []
    for listener in listeners:
        namespace_ok = _namespace_allowed(objects, listener, gateway, str(route.namespace))
        kind_ok = _kind_allowed(listener, route.kind)
        if namespace_ok is not False and kind_ok is not False:
            return None
        name = text(listener, "name")
        if namespace_ok is False:
            origin = text(listener, "allowedRoutes", "namespaces", "from") or "Same"
            reasons.append(f"listener {name!r} admits routes from {origin} namespace(s), not {route.namespace}")
        else:
            reasons.append(f"listener {name!r} does not admit {route.kind}")
    if not listeners:
        return f"Gateway {gateway.ref} has no listener on port {ref.port}"
    return "; ".join(reasons)


def check_attachment(traffic: Traffic) -> list[Finding]:
    objects = traffic.objects
    found: list[Finding] = []
    if objects.uncertain(GATEWAY_API, "Gateway"):
        return found
    for route in routes(objects):
        for ref in parent_refs(route):
            where = f"{route.kind} {route.ref}: spec.parentRefs[{ref.index}]"
            parents = objects.named(GATEWAY_API, "Gateway", ref.namespace, ref.name)
            if not parents:
                elsewhere = sorted(g.ref for g in objects.of(GATEWAY_API, "Gateway") if g.name == ref.name)
                if elsewhere:
                    found.append(
                        (
                            route.urn,
                            f"{where} means Gateway {ref.namespace}/{ref.name} (a parentRef without namespace is the "
                            f"route's own), which does not exist; this program declares {', '.join(elsewhere)}. Set "
                            f"parentRefs[{ref.index}].namespace: {elsewhere[0].split('/')[0]}.",
                        )
                    )
                continue
            refusal = _refusal(objects, route, ref, parents[0])
            if refusal:
                found.append(
                    (
                        route.urn,
                        f"{where}: {refusal}, so the route never attaches. Set the listener's allowedRoutes "
                        "(namespaces.from: All, or a Selector matching the route's namespace; kinds) or point the "
                        "route at a listener that admits it.",
                    )
                )
    return found


def check_tls_route_revision(traffic: Traffic) -> list[Finding]:
    revisions = traffic.mesh.revisions
    if not revisions:
        return []
    try:
        if any(sm.parse_revision(r) >= sm.parse_revision(sm.TLS_ROUTE_MIN_REVISION) for r in revisions):
            return []
    except ValueError:
        return []  # a revision the catalog cannot read: managedcluster-istio-revision-pinned reports it
    return [
        (
            route.urn,
            f"TLSRoute {route.ref}: the add-on serves TLSRoute from {sm.TLS_ROUTE_MIN_REVISION}, and the cluster runs "
            f"{', '.join(revisions)}; upgrade the mesh revision first, or, until then, pass TLS through with an "
            "Istio Gateway (tls.mode PASSTHROUGH) and a VirtualService tls route.",
        )
        for route in traffic.objects.of(GATEWAY_API, "TLSRoute")
    ]


def check_class(traffic: Traffic) -> list[Finding]:
    classes = {c.name for c in traffic.objects.of(GATEWAY_API, "GatewayClass")}
    found: list[Finding] = []
    for gateway in traffic.objects.of(GATEWAY_API, "Gateway"):
        name = text(gateway.spec, "gatewayClassName")
        if not isinstance(name, str) or name == sm.GATEWAY_API_CLASS_NAME or name in classes or UNKNOWN in classes:
            continue
        found.append(
            (
                gateway.urn,
                f"Gateway {gateway.ref}: gatewayClassName {name!r} is not the add-on's class "
                f"({sm.GATEWAY_API_CLASS_NAME!r}) nor a GatewayClass this program declares; unless another controller "
                f"on the cluster serves it, nothing programs this Gateway. Write gatewayClassName: "
                f"{sm.GATEWAY_API_CLASS_NAME}.",
            )
        )
    return found


def _granted(
    objects: Objects, to_namespace: str, source: tuple[str, str], origin: str, target: tuple[str, str]
) -> bool | None:
    """Does a ReferenceGrant in `to_namespace` let `source` (group, kind) objects in `origin` refer to `target`
    (group, kind) objects there? None when a grant there cannot be read."""
    unsure = False
    for grant in objects.of(GATEWAY_API, "ReferenceGrant"):
        if grant.namespace is UNKNOWN:
            unsure = True
        if grant.namespace != to_namespace:
            continue
        sources = [(text(f, "group"), text(f, "kind"), text(f, "namespace")) for f in items(grant.spec, "from")]
        targets = [(text(t, "group") or "", text(t, "kind")) for t in items(grant.spec, "to")]
        if any(UNKNOWN in s for s in sources) or any(UNKNOWN in t for t in targets):
            unsure = True
            continue
        if (*source, origin) in sources and target in targets:
            return True
    return None if unsure else False


def _cross_references(route: K8sObject) -> Iterator[tuple[str, str, str]]:
    """(where, namespace, name) of every backendRef to a Service in another namespace."""
    for index, rule in enumerate(items(route.spec, "rules")):
        for number, ref in enumerate(items(rule, "backendRefs")):
            group, kind, namespace, name = (
                text(ref, "group"),
                text(ref, "kind"),
                text(ref, "namespace"),
                text(ref, "name"),
            )
            if group not in (None, "") or kind not in (None, "Service"):
                continue
            if isinstance(namespace, str) and isinstance(name, str) and namespace != route.namespace:
                yield f"spec.rules[{index}].backendRefs[{number}]", namespace, name


def check_references(traffic: Traffic) -> list[Finding]:
    objects = traffic.objects
    found: list[Finding] = []
    for route in routes(objects):
        if not objects.uncertain(GATEWAY_API, "Gateway"):
            for ref in parent_refs(route):
                if not any(g.name == ref.name for g in objects.of(GATEWAY_API, "Gateway")):
                    found.append(
                        (
                            route.urn,
                            f"{route.kind} {route.ref}: spec.parentRefs[{ref.index}] names Gateway "
                            f"{ref.namespace}/{ref.name}, which this program does not declare; if another program "
                            "declares it, waive this; otherwise declare the Gateway or fix the name.",
                        )
                    )
        for where, namespace, name in _cross_references(route):
            if (
                _granted(objects, namespace, (GATEWAY_API, route.kind), str(route.namespace), (CORE, "Service"))
                is False
            ):
                found.append(
                    (
                        route.urn,
                        f"{route.kind} {route.ref}: {where} is Service {namespace}/{name} in another namespace, and no "
                        f"ReferenceGrant of this program in {namespace} allows it (the route gets RefNotPermitted "
                        f"unless another program declares one); declare a ReferenceGrant in {namespace} from "
                        f"{{group: {GATEWAY_API}, kind: {route.kind}, namespace: {route.namespace}}} to "
                        "{group: '', kind: Service}.",
                    )
                )
    for gateway in objects.of(GATEWAY_API, "Gateway"):
        for index, listener in enumerate(items(gateway.spec, "listeners")):
            for number, ref in enumerate(items(listener, "tls", "certificateRefs")):
                target, secret, kind = text(ref, "namespace"), text(ref, "name"), text(ref, "kind")
                if kind not in (None, "Secret") or not isinstance(target, str) or target == gateway.namespace:
                    continue
                source = (GATEWAY_API, "Gateway")
                if _granted(objects, target, source, str(gateway.namespace), (CORE, "Secret")) is False:
                    found.append(
                        (
                            gateway.urn,
                            f"Gateway {gateway.ref}: spec.listeners[{index}].tls.certificateRefs[{number}] is Secret "
                            f"{target}/{secret} in another namespace, and no ReferenceGrant of this program in "
                            f"{target} allows it; declare one from {{group: {GATEWAY_API}, kind: Gateway, "
                            f"namespace: {gateway.namespace}}} to {{group: '', kind: Secret}}, or keep the Secret "
                            "beside the Gateway.",
                        )
                    )
    return found


ATTACHMENT: Final = Check(
    "gateway-api-route-attaches",
    "A Gateway API route's parentRefs name a Gateway of the program whose listeners admit the route's namespace "
    "and kind.",
    "https://gateway-api.sigs.k8s.io/guides/multiple-ns/",
    "Set parentRefs[].namespace to the Gateway's namespace, and the listener's allowedRoutes (namespaces.from All "
    "or Selector; kinds) to admit the route.",
    check_attachment,
)

TLS_ROUTE: Final = Check(
    "gateway-api-tlsroute-revision",
    "TLSRoute is used only on a mesh revision that serves it (asm-1-30 or later).",
    URL,
    "Upgrade the mesh revision to asm-1-30 or later, or use an Istio Gateway with tls.mode PASSTHROUGH until then.",
    check_tls_route_revision,
)

CLASS: Final = Check(
    "gateway-api-class-istio",
    "A Gateway API Gateway uses the add-on's class istio (or a GatewayClass the program declares).",
    URL,
    "Write gatewayClassName: istio, or waive this where another controller on the cluster serves the class.",
    check_class,
)

REFERENCES: Final = Check(
    "gateway-api-references-declared",
    "Gateway API routes name Gateways the program declares, and references into other namespaces have a "
    "ReferenceGrant.",
    "https://gateway-api.sigs.k8s.io/api-types/referencegrant/",
    "Declare the Gateway, and a ReferenceGrant in the referenced namespace; waive this where another program "
    "declares them.",
    check_references,
)

CHECKS: Final = (ATTACHMENT, TLS_ROUTE, CLASS, REFERENCES)
