"""mTLS across a client's DestinationRule and a server's PeerAuthentication, and TLS origination without a CA.

PeerAuthentication STRICT makes the server's sidecar refuse plain text; a DestinationRule `tls.mode: DISABLE` for
that server makes its clients send plain text: every request fails (connection reset). Upstream's analyzer for
this conflict (IST0113, MTLSPolicyConflict) was retired in 2020 and nothing checks it since, so this is our own:
the effective mode of the server's namespace is the workload-wide PeerAuthentication there, else the mesh-wide one
in the add-on's root namespace (aks-istio-system); a workload-level PeerAuthentication in that namespace that the
pack cannot relate to the host's Service makes it "cannot decide". TLS origination (SIMPLE/MUTUAL) without
`caCertificates` does not verify the server (upstream IST0128/IST0129).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from aks_istio.addon import support_matrix as sm

from ..deferred import Finding
from .analysis import Check, Traffic
from .hosts import fqdn, service_of
from .model import ISTIO_NETWORKING, ISTIO_SECURITY, K8sObject, Objects, dig, items, labels_of, text
from .virtual_services import in_service_entry

URL_PEER: Final = "https://istio.io/latest/docs/reference/config/security/peer_authentication/"
URL_DESTINATION: Final = "https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings"
ORIGINATING_MODES: Final = ("SIMPLE", "MUTUAL")


def tls_settings(rule: K8sObject) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(where, tls settings) of the rule's traffic policy, its port-level settings and its subsets'."""
    policies: list[tuple[str, Any]] = [("spec.trafficPolicy", dig(rule.spec, "trafficPolicy"))]
    for index, subset in enumerate(items(rule.spec, "subsets")):
        policies.append((f"spec.subsets[{index}].trafficPolicy", dig(subset, "trafficPolicy")))
    for where, policy in policies:
        tls = dig(policy, "tls")
        if isinstance(tls, Mapping):
            yield f"{where}.tls", tls
        for index, port in enumerate(items(policy, "portLevelSettings")):
            tls = dig(port, "tls")
            if isinstance(tls, Mapping):
                yield f"{where}.portLevelSettings[{index}].tls", tls


def _mode(policy: K8sObject) -> str | None:
    mode = text(policy.spec, "mtls", "mode")
    return mode.upper() if isinstance(mode, str) and mode.upper() != "UNSET" else None


def _wide(objects: Objects, namespace: str) -> list[K8sObject]:
    return [
        p
        for p in objects.of(ISTIO_SECURITY, "PeerAuthentication")
        if p.namespace == namespace and labels_of(p.spec, "selector", "matchLabels") is None
    ]


def effective_strict(objects: Objects, namespace: str, service: str) -> K8sObject | None:
    """The PeerAuthentication that makes the Service's workloads STRICT; None when none does or it cannot tell."""
    workload_level = [
        p
        for p in objects.of(ISTIO_SECURITY, "PeerAuthentication")
        if p.namespace == namespace and labels_of(p.spec, "selector", "matchLabels") is not None
    ]
    if workload_level:
        return None  # it may or may not select the Service's pods (and its port-level modes): cannot decide
    for scope in (namespace, sm.MESH_ROOT_NAMESPACE):
        for policy in _wide(objects, scope):
            mode = _mode(policy)
            if mode is None:
                continue
            ports = dig(policy.spec, "portLevelMtls")
            if mode == "STRICT" and not ports:
                return policy
            return None
    return None


def check_mtls_conflict(traffic: Traffic) -> list[Finding]:
    objects = traffic.objects
    found: list[Finding] = []
    if objects.uncertain(ISTIO_SECURITY, "PeerAuthentication"):
        return found
    for rule in objects.of(ISTIO_NETWORKING, "DestinationRule"):
        host = text(rule.spec, "host")
        if not isinstance(host, str) or not isinstance(rule.namespace, str):
            continue
        target = service_of(fqdn(host, rule.namespace))
        if target is None or in_service_entry(objects, fqdn(host, rule.namespace)):
            continue
        for where, tls in tls_settings(rule):
            mode = text(tls, "mode")
            if not (isinstance(mode, str) and mode.upper() == "DISABLE"):
                continue
            strict = effective_strict(objects, *target)
            if strict is None:
                continue
            found.append(
                (
                    rule.urn,
                    f"DestinationRule {rule.ref}: {where}.mode DISABLE sends plain text to {target[1]}.{target[0]}, "
                    f"whose sidecars require mTLS (PeerAuthentication {strict.ref} is STRICT), so every request is "
                    "reset. Remove the tls setting (Istio then sends ISTIO_MUTUAL itself), or, if the server must "
                    "accept plain text, give its workloads a PeerAuthentication with mtls.mode PERMISSIVE.",
                )
            )
    return found


def check_tls_origination(traffic: Traffic) -> list[Finding]:
    found: list[Finding] = []
    for rule in traffic.objects.of(ISTIO_NETWORKING, "DestinationRule"):
        for where, tls in tls_settings(rule):
            mode = text(tls, "mode")
            if not (isinstance(mode, str) and mode.upper() in ORIGINATING_MODES):
                continue
            if dig(tls, "caCertificates") or dig(tls, "credentialName") or dig(tls, "insecureSkipVerify") is True:
                continue
            found.append(
                (
                    rule.urn,
                    f"DestinationRule {rule.ref}: {where}.mode {mode.upper()} originates TLS to "
                    f"{text(rule.spec, 'host')} "
                    "without caCertificates, so the server's certificate is not verified against a CA you chose; "
                    "set caCertificates (a CA file mounted in the proxy) or credentialName (a Secret with ca.crt, "
                    f"in the client's namespace or {sm.ADDON_EGRESS_NAMESPACE} for an egress gateway), or "
                    "insecureSkipVerify: true to say it on purpose.",
                )
            )
    return found


MTLS_CONFLICT: Final = Check(
    "destinationrule-mtls-matches-peerauthentication",
    "A DestinationRule does not send plain text (tls.mode DISABLE) to workloads whose PeerAuthentication is STRICT.",
    URL_PEER,
    "Drop tls.mode DISABLE from the DestinationRule (Istio uses ISTIO_MUTUAL by itself), or make the server's "
    "PeerAuthentication PERMISSIVE.",
    check_mtls_conflict,
)

TLS_ORIGINATION: Final = Check(
    "destinationrule-tls-verifies-server",
    "A DestinationRule that originates TLS (SIMPLE, MUTUAL) verifies the server with caCertificates.",
    URL_DESTINATION,
    "Set tls.caCertificates or tls.credentialName (a Secret with ca.crt), or insecureSkipVerify: true on purpose.",
    check_tls_origination,
)

CHECKS: Final = (MTLS_CONFLICT, TLS_ORIGINATION)
