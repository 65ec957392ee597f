"""Where mesh policies apply: the add-on's root namespace, Sidecar scoping, and selectors that reach workloads.

Reference behaviour: upstream's analyzers for Sidecars (istio/istio pkg/config/analysis/analyzers/sidecar: more
than one Sidecar without a workload selector in a namespace, IST0111; two Sidecars selecting the same pod, IST0110)
and for selectors that match no workload (IST0127 for AuthorizationPolicy, RequestAuthentication, Telemetry,
Sidecar). Adapted to the add-on: a mesh-wide policy goes in the root namespace `aks-istio-system`; `istio-system`
does not exist there, and a policy in a namespace of that name would be an ordinary namespace policy.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from aks_istio.addon import support_matrix as sm

from ..deferred import Finding
from ..findings import shown
from .analysis import Check, Traffic
from .gateways import gateways, select, selector_of
from .model import ISTIO_NETWORKING, ISTIO_SECURITY, ISTIO_TELEMETRY, UNKNOWN, K8sObject, iter_pairs, labels_of, selects

URL_ROOT: Final = "https://learn.microsoft.com/azure/aks/istio-deploy-addon"
URL_SIDECAR: Final = "https://istio.io/latest/docs/reference/config/networking/sidecar/"
MESH_WIDE_KINDS: Final = (
    (ISTIO_SECURITY, "PeerAuthentication"),
    (ISTIO_SECURITY, "AuthorizationPolicy"),
    (ISTIO_SECURITY, "RequestAuthentication"),
    (ISTIO_NETWORKING, "Sidecar"),
    (ISTIO_TELEMETRY, "Telemetry"),
)
"""Kinds whose selector-less instance in the root namespace applies to the whole mesh."""
SELECTED_KINDS: Final = (
    (ISTIO_SECURITY, "AuthorizationPolicy", ("selector", "matchLabels")),
    (ISTIO_SECURITY, "RequestAuthentication", ("selector", "matchLabels")),
    (ISTIO_TELEMETRY, "Telemetry", ("selector", "matchLabels")),
    (ISTIO_NETWORKING, "Sidecar", ("workloadSelector", "labels")),
)


def check_root_namespace(traffic: Traffic) -> list[Finding]:
    found: list[Finding] = []
    for group, kind in MESH_WIDE_KINDS:
        for policy in traffic.objects.of(group, kind):
            if policy.namespace != sm.UPSTREAM_ROOT_NAMESPACE:
                continue
            found.append(
                (
                    policy.urn,
                    f"{kind} {policy.ref} is in {sm.UPSTREAM_ROOT_NAMESPACE}, upstream Istio's root namespace, which "
                    f"the add-on does not have (its root namespace is {sm.MESH_ROOT_NAMESPACE}): it either fails to "
                    f"apply or applies only to a namespace of that name, never to the mesh. Declare it in "
                    f"{sm.MESH_ROOT_NAMESPACE}.",
                )
            )
    return found


def _sidecars(traffic: Traffic) -> dict[str, list[K8sObject]]:
    by_namespace: dict[str, list[K8sObject]] = {}
    for sidecar in traffic.objects.of(ISTIO_NETWORKING, "Sidecar"):
        if isinstance(sidecar.namespace, str):
            by_namespace.setdefault(sidecar.namespace, []).append(sidecar)
    return by_namespace


def check_sidecars(traffic: Traffic) -> list[Finding]:
    found: list[Finding] = []
    for namespace, sidecars in _sidecars(traffic).items():
        selectors = [(s, labels_of(s.spec, "workloadSelector", "labels")) for s in sidecars]
        if any(labels is UNKNOWN for _, labels in selectors):
            continue
        bare = [s for s, labels in selectors if not labels]
        for extra in bare[1:]:
            found.append(
                (
                    extra.urn,
                    f"Sidecar {extra.ref} has no workloadSelector, nor has Sidecar {bare[0].ref}: istiod applies one "
                    "of "
                    f"them to every workload of {namespace} and ignores the other. Keep one selector-less Sidecar per "
                    "namespace and give the others a workloadSelector.",
                )
            )
        chosen = [(s, labels) for s, labels in selectors if isinstance(labels, dict) and labels]
        for (first, one), (second, other) in iter_pairs(chosen):
            pods = [
                w.source.ref
                for w in traffic.objects.workloads
                if w.namespace == namespace and selects(one, w.labels) and selects(other, w.labels)
            ]
            if one == other or pods:
                shared = f"workload {pods[0]}" if pods else f"the same workloads ({shown(one)})"
                found.append(
                    (
                        second.urn,
                        f"Sidecars {first.ref} and {second.ref} both select {shared}: which one applies is undefined. "
                        "Give each Sidecar a workloadSelector no other Sidecar's matches.",
                    )
                )
    return found


def _unmatched(traffic: Traffic) -> Iterator[tuple[K8sObject, str]]:
    """Policies whose selector matches no workload the program declares (nor an add-on gateway)."""
    objects = traffic.objects
    for group, kind, path in SELECTED_KINDS:
        for policy in objects.of(group, kind):
            selector = labels_of(policy.spec, *path)
            if not isinstance(selector, dict) or not selector or not isinstance(policy.namespace, str):
                continue
            everywhere = policy.namespace == sm.MESH_ROOT_NAMESPACE
            if objects.opaque_namespaces if everywhere else objects.opaque(policy.namespace):
                continue  # a Helm release may deploy the workload
            reach = [w for w in objects.workloads if everywhere or w.namespace == policy.namespace]
            if any(selects(selector, w.labels) is not False for w in reach):
                continue
            pods = [g for g in traffic.mesh.gateways() if everywhere or g.namespace == policy.namespace]
            if any(selects(selector, g.labels) for g in pods) or traffic.mesh.may_run(selector):
                continue
            yield policy, f"{kind} {policy.ref}: selector {shown(selector)}"
    for gateway in gateways(objects):
        selector = selector_of(gateway)
        if selector is None or sm.GATEWAY_SELECTOR_LABEL in selector:
            continue  # an `istio` selector names an add-on gateway: gateway-selector-matches-workload (mandatory)
        if not select(traffic, selector).serving:
            yield gateway, f"Gateway {gateway.ref}: selector {shown(selector)}"


def check_selectors(traffic: Traffic) -> list[Finding]:
    return [
        (
            policy.urn,
            f"{what} matches no workload this program declares (nor an add-on gateway), so it applies to nothing "
            "here. Fix the labels to the pods' (spec.template.metadata.labels), or waive this where another program "
            "deploys the workload.",
        )
        for policy, what in _unmatched(traffic)
    ]


ROOT_NAMESPACE: Final = Check(
    "istio-policy-not-in-istio-system",
    "Mesh-wide Istio policies (PeerAuthentication, AuthorizationPolicy, RequestAuthentication, Sidecar, Telemetry) "
    "go in aks-istio-system, since the add-on has no istio-system.",
    URL_ROOT,
    "Move the resource to aks-istio-system, the add-on's root namespace.",
    check_root_namespace,
)

SIDECARS: Final = Check(
    "sidecar-selectors-unambiguous",
    "A namespace has at most one Sidecar without a workloadSelector, and no two Sidecars select the same workload.",
    URL_SIDECAR,
    "Keep one selector-less Sidecar per namespace; give the others workloadSelectors that do not overlap.",
    check_sidecars,
)

SELECTORS: Final = Check(
    "istio-selector-matches-workload",
    "Selectors of AuthorizationPolicy, RequestAuthentication, Telemetry, Sidecar and (non-istio) Gateway match a "
    "workload of the program.",
    "https://istio.io/latest/docs/reference/config/analysis/ist0127/",
    "Use the pod template's labels in the selector, or waive this where another program deploys the workload.",
    check_selectors,
)

CHECKS: Final = (ROOT_NAMESPACE, SIDECARS, SELECTORS)
