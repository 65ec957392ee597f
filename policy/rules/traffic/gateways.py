"""Istio Gateways on the add-on: which pods serve them, the TLS credentials they name, their ports, their conflicts.

Reference behaviour: istioctl analyze's gateway analyzers (istio/istio pkg/config/analysis/analyzers/gateway/:
the selector must match a gateway pod, IST0101; the credential Secret must be in the gateway pods' namespace,
IST0101/IST0161; the server port must be on the gateway's Service, IST0162; two Gateways must not claim the same
selector, port and host, IST0145), adapted to the add-on: its gateways are `istio: aks-istio-ingressgateway-*`
pods in aks-istio-ingress (not upstream's `istio: ingressgateway` in istio-system), their Services expose only 80
and 443 and cannot be changed, and a Key Vault certificate reaches them through a SecretProviderClass in
aks-istio-ingress that a pod mounts (https://learn.microsoft.com/azure/aks/istio-secure-gateway).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from aks_istio.addon import support_matrix as sm

from .._common import DOCS
from ..deferred import Finding
from ..findings import shown
from .analysis import Check, Traffic
from .hosts import overlap, server_host
from .model import (
    CORE,
    ISTIO_NETWORKING,
    UNKNOWN,
    GatewayWorkload,
    K8sObject,
    Objects,
    Workload,
    dig,
    items,
    labels_of,
    selects,
    text,
)

URL_SECURE: Final = DOCS + "istio-secure-gateway"
URL_INGRESS: Final = DOCS + "istio-deploy-ingress"
TLS_KEYS: Final = (("tls.crt", "tls.key"), ("cert", "key"))
"""Key pairs istiod reads a server certificate from (a kubernetes.io/tls Secret, or a generic one)."""
CA_KEYS: Final = ("ca.crt", "cacert")
CA_SECRET_SUFFIX: Final = "-cacert"
"""For MUTUAL, the CA may also sit in a Secret of its own, `<credentialName>-cacert`."""
TERMINATING_MODES: Final = ("SIMPLE", "MUTUAL", "OPTIONAL_MUTUAL")
CERT_MANAGER: Final = "cert-manager.io"


def gateways(objects: Objects) -> tuple[K8sObject, ...]:
    return objects.of(ISTIO_NETWORKING, "Gateway")


def selector_of(gateway: K8sObject) -> dict[str, str] | None:
    """The Gateway's selector; None when absent, empty or unknown (not judged)."""
    selector = labels_of(gateway.spec, "selector")
    return selector if isinstance(selector, dict) and selector else None


@dataclass(frozen=True)
class Selected:
    """The pods a Gateway selector reaches: add-on gateways (enabled or not) and the program's own workloads."""

    addon: tuple[GatewayWorkload, ...]
    workloads: tuple[Workload, ...]
    unsure: bool
    """A pod the pack cannot see may match: a workload with unknown labels, an add-on gateway the model does not
    know, or a Helm release."""

    @property
    def serving(self) -> bool:
        return self.unsure or bool(self.workloads) or any(g.enabled for g in self.addon)

    def namespaces(self) -> set[str] | None:
        """Where the serving pods run (istiod reads credentials there); None when not known."""
        if self.unsure:
            return None
        found = {g.namespace for g in self.addon if g.enabled}
        for workload in self.workloads:
            if not isinstance(workload.namespace, str):
                return None
            found.add(workload.namespace)
        return found


def select(traffic: Traffic, selector: Mapping[str, str]) -> Selected:
    """A Gateway's selector applies to pods in every namespace (worked out once per selector and request)."""

    def compute() -> Selected:
        matches = [(w, selects(selector, w.labels)) for w in traffic.objects.workloads]
        return Selected(
            tuple(g for g in traffic.mesh.gateways() if selects(selector, g.labels)),
            tuple(w for w, m in matches if m),
            any(m is None for _, m in matches)
            or traffic.mesh.may_run(selector)
            or bool(traffic.objects.opaque_namespaces),
        )

    return traffic.memoized(("select", frozenset(selector.items())), compute)


def servers(gateway: K8sObject) -> Iterator[tuple[int, Mapping[str, Any]]]:
    for index, server in enumerate(items(gateway.spec, "servers")):
        if isinstance(server, Mapping):
            yield index, server


# --- Selector ------------------------------------------------------------------------------------------------------
def _selector_advice(traffic: Traffic) -> str:
    enabled = traffic.mesh.enabled_gateways()
    if not enabled:
        return (
            "the cluster enables no add-on gateway: enable one (serviceMeshProfile.istio.components.ingressGateways "
            "[{mode: Internal, enabled: true}]) and select it by its label"
        )
    return "write selector: " + " or ".join(shown({sm.GATEWAY_SELECTOR_LABEL: g.service}) for g in enabled)


def check_selector(traffic: Traffic) -> list[Finding]:
    found: list[Finding] = []
    upstream = list(sm.UPSTREAM_GATEWAY_SELECTORS.values())
    for gateway in gateways(traffic.objects):
        selector = selector_of(gateway)
        if selector is None or sm.GATEWAY_SELECTOR_LABEL not in selector:
            continue  # a selector of the team's own labels: istio-selector-matches-workload (advisory)
        selected = select(traffic, selector)
        if selected.serving:
            continue
        if selected.addon:
            gateway_ = selected.addon[0]
            message = (
                f"Gateway {gateway.ref}: selector {shown(selector)} selects the add-on's {gateway_.label}, which the "
                f"cluster does not enable, so no pod serves this Gateway; enable it "
                f"(serviceMeshProfile.istio.components) or {_selector_advice(traffic)}."
            )
        else:
            why = (
                f" ({shown(selector)} is upstream Istio's label; the add-on's gateways are labelled "
                f"{' and '.join(shown(s) for s in sm.INGRESS_GATEWAY_SELECTORS.values())})"
                if selector in upstream
                else ""
            )
            enabled = ", ".join(g.label for g in traffic.mesh.enabled_gateways()) or "none"
            message = (
                f"Gateway {gateway.ref}: selector {shown(selector)} matches no gateway pod: not one of the add-on's "
                f"enabled gateways ({enabled}) nor a workload of this program{why}, so nothing serves its servers; "
                f"{_selector_advice(traffic)}."
            )
        found.append((gateway.urn, message))
    return found


# --- Ports ---------------------------------------------------------------------------------------------------------
def check_ports(traffic: Traffic) -> list[Finding]:
    found: list[Finding] = []
    for gateway in gateways(traffic.objects):
        selector = selector_of(gateway)
        selected = select(traffic, selector) if selector else None
        if selected is None or selected.unsure or selected.workloads or not selected.addon:
            continue  # only the add-on's own Services have ports the pack knows and nobody can change
        service = selected.addon[0]
        for index, server in servers(gateway):
            number = dig(server, "port", "number")
            if not isinstance(number, int | float) or int(number) in sm.GATEWAY_TRAFFIC_PORTS:
                continue
            status = " (the status port, for the proxy's health check)" if number == sm.GATEWAY_STATUS_PORT else ""
            found.append(
                (
                    gateway.urn,
                    f"Gateway {gateway.ref}: spec.servers[{index}].port.number {int(number)}{status} is not a port of "
                    f"the add-on's Service {service.namespace}/{service.service}, which exposes only "
                    f"{' and '.join(str(p) for p in sm.GATEWAY_TRAFFIC_PORTS)} for traffic and whose ports cannot be "
                    "changed, so no client reaches it; serve on 443 (HTTPS/TLS) or 80 (HTTP), or use a Gateway API "
                    "Gateway (class istio), whose Service follows its listeners.",
                )
            )
    return found


# --- Credentials ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Credential:
    """A TLS server of a Gateway that reads its certificate from `name`."""

    gateway: K8sObject
    index: int
    name: str
    mutual: bool


def credentials(traffic: Traffic) -> Iterator[tuple[Credential, set[str]]]:
    """Every terminating server's credential, with the namespaces its gateway pods run in (where istiod reads it)."""
    for gateway in gateways(traffic.objects):
        selector = selector_of(gateway)
        namespaces = select(traffic, selector).namespaces() if selector else None
        if not namespaces:
            continue
        for index, server in servers(gateway):
            mode, name = text(server, "tls", "mode"), text(server, "tls", "credentialName")
            if not isinstance(name, str) or not isinstance(mode, str) or mode.upper() not in TERMINATING_MODES:
                continue
            if "://" in name:
                continue  # an SDS provider, not a Kubernetes Secret
            yield Credential(gateway, index, name, mode.upper() != "SIMPLE"), namespaces


Source = tuple[K8sObject, list[str] | None]
"""An object that provides a Secret (a Secret, a SecretProviderClass, a cert-manager Certificate), with the keys the
Secret will hold (None: unknown)."""


def _sources(traffic: Traffic, name: str) -> list[Source]:
    """The objects that provide a Secret named `name`, in any namespace."""
    return traffic.memoized("secret sources", lambda: _sources_by_name(traffic.objects)).get(name, [])


def _sources_by_name(objects: Objects) -> dict[str, list[Source]]:
    found: dict[str, list[Source]] = {}
    for secret in objects.of(CORE, "Secret"):
        if isinstance(secret.name, str):
            found.setdefault(secret.name, []).append((secret, _secret_keys(secret)))
    for spc in objects.of(sm.SECRET_PROVIDER_CLASS_GROUP, "SecretProviderClass"):
        for synced in items(spc.spec, "secretObjects"):
            name = text(synced, "secretName")
            if isinstance(name, str):
                keys = [text(d, "key") for d in items(synced, "data")]
                known = None if any(not isinstance(k, str) for k in keys) else [str(k) for k in keys]
                found.setdefault(name, []).append((spc, known))
    for certificate in objects.of(CERT_MANAGER, "Certificate"):
        name = text(certificate.spec, "secretName")
        if isinstance(name, str):
            found.setdefault(name, []).append((certificate, None))  # cert-manager writes tls.crt, tls.key (ca.crt)
    return found


def _secret_keys(secret: K8sObject) -> list[str] | None:
    keys: list[str] = []
    for field in ("data", "stringData"):
        value = dig(secret.body, field)
        if value is UNKNOWN:
            return None
        if isinstance(value, Mapping):
            keys.extend(value)
    return keys


def _key_problem(keys: list[str] | None, credential: Credential, ca_elsewhere: bool) -> str | None:
    if keys is None:
        return None
    if not any(all(k in keys for k in pair) for pair in TLS_KEYS):
        return "has no tls.crt and tls.key"
    if credential.mutual and not ca_elsewhere and not any(k in keys for k in CA_KEYS):
        return f"has no ca.crt, which tls.mode MUTUAL needs (or a Secret {credential.name}{CA_SECRET_SUFFIX})"
    return None


def _mounted(traffic: Traffic, spc: K8sObject) -> bool | None:
    """Does a workload in the SecretProviderClass's namespace mount it (the CSI driver syncs the Secret only then)?
    None when a workload there cannot be read."""
    mounted, unsure = traffic.memoized("csi mounts", lambda: _csi_mounts(traffic.objects))
    if (spc.namespace, spc.name) in mounted:
        return True
    return None if spc.namespace in unsure or traffic.objects.opaque(spc.namespace) else False


def _csi_mounts(objects: Objects) -> tuple[set[tuple[object, object]], set[object]]:
    """((namespace, SecretProviderClass) the workloads mount, namespaces with a workload whose volumes are unknown)."""
    mounted: set[tuple[object, object]] = set()
    unsure: set[object] = set()
    for workload in objects.workloads:
        volumes = dig(workload.pod_spec, "volumes")
        if volumes is UNKNOWN:
            unsure.add(workload.namespace)
        for volume in volumes if isinstance(volumes, list) else []:
            driver = text(volume, "csi", "driver")
            attached = text(volume, "csi", "volumeAttributes", "secretProviderClass")
            if UNKNOWN in (driver, attached):
                unsure.add(workload.namespace)
            elif driver == sm.SECRETS_STORE_CSI_DRIVER:
                mounted.add((workload.namespace, attached))
    return mounted, unsure


def _problems(traffic: Traffic, credential: Credential, namespace: str) -> list[str]:
    here = [(o, keys) for o, keys in _sources(traffic, credential.name) if o.namespace == namespace]
    ca_elsewhere = any(o.namespace == namespace for o, _ in _sources(traffic, credential.name + CA_SECRET_SUFFIX))
    problems: list[str] = []
    for source, keys in here:
        what = f"{source.kind} {source.ref}"
        key_problem = _key_problem(keys, credential, ca_elsewhere)
        if key_problem:
            problems.append(f"{what} {key_problem}")
        if source.kind != "SecretProviderClass":
            continue
        if _mounted(traffic, source) is False:
            problems.append(
                f"{what} is mounted by no pod in {namespace}, and the Secrets Store CSI driver syncs its Secret only "
                f"while a pod mounts it (a csi volume, driver {sm.SECRETS_STORE_CSI_DRIVER}, volumeAttributes."
                f"secretProviderClass: {source.name}); add a small Deployment in {namespace} that mounts it"
            )
        if traffic.mesh.key_vault_secrets_provider is False:
            problems.append(
                f"{what} needs the cluster's Key Vault secrets provider add-on, which is off: enable it "
                f"(azure-native addonProfiles.{sm.KEY_VAULT_SECRETS_PROVIDER_ADDON}.enabled: true; classic: a "
                "keyVaultSecretsProvider block)"
            )
    return problems


def check_credentials(traffic: Traffic) -> list[Finding]:
    found: list[Finding] = []
    for credential, namespaces in credentials(traffic):
        sources = _sources(traffic, credential.name)
        server = f"spec.servers[{credential.index}]"
        where = f"Gateway {credential.gateway.ref}: {server}.tls.credentialName {credential.name!r}"
        for namespace in sorted(namespaces):
            if any(o.namespace == namespace for o, _ in sources):
                problems = _problems(traffic, credential, namespace)
                if problems:
                    found.append((credential.gateway.urn, f"{where}: {'; '.join(problems)}."))
                continue
            elsewhere = sorted({o.ref for o, _ in sources if isinstance(o.namespace, str)})
            if elsewhere:
                found.append(
                    (
                        credential.gateway.urn,
                        f"{where} is read in {namespace}, the namespace of the gateway pods, not the Gateway's; this "
                        f"program provides it only as {', '.join(elsewhere)}, so the server has no certificate. "
                        f"Declare the Secret (or its SecretProviderClass and the pod that mounts it) in {namespace}.",
                    )
                )
    return found


def check_credentials_declared(traffic: Traffic) -> list[Finding]:
    found: list[Finding] = []
    for credential, namespaces in credentials(traffic):
        if _sources(traffic, credential.name) or traffic.objects.uncertain(CORE, "Secret"):
            continue
        places = " or ".join(sorted(namespaces))
        found.append(
            (
                credential.gateway.urn,
                f"Gateway {credential.gateway.ref}: spec.servers[{credential.index}].tls.credentialName "
                f"{credential.name!r}: no Secret, SecretProviderClass or cert-manager Certificate in this program "
                f"provides it in {places}, where the gateway pods read it. If another program does, waive this for "
                f"the Gateway; otherwise sync it from Key Vault: a SecretProviderClass in {places} with "
                f"secretObjects [{{secretName: {credential.name}, type: kubernetes.io/tls, data: tls.crt, tls.key"
                f"{', ca.crt' if credential.mutual else ''}}}] and a pod there that mounts it.",
            )
        )
    return found


# --- Conflicts -----------------------------------------------------------------------------------------------------
def _claims(gateway: K8sObject) -> list[tuple[int, str]]:
    """(port, dnsName) for every host every server serves."""
    claims: list[tuple[int, str]] = []
    namespace = gateway.namespace if isinstance(gateway.namespace, str) else ""
    for _, server in servers(gateway):
        number = dig(server, "port", "number")
        if not isinstance(number, int | float):
            continue
        for host in items(server, "hosts"):
            if isinstance(host, str):
                claims.append((int(number), server_host(host, namespace)[1]))
    return claims


def shared_pod(traffic: Traffic, selector: Mapping[str, str], other: Mapping[str, str]) -> str | None:
    """A gateway pod both selectors select (upstream compares the pods, not the selectors): the same selector, an
    add-on gateway or a workload of the program both match."""
    if selector == other:
        return shown(selector)
    first, second = select(traffic, selector), select(traffic, other)
    both = [g.label for g in first.addon if g in second.addon and g.enabled]
    both += [w.source.ref for w in first.workloads if w in second.workloads]
    return both[0] if both else None


def _shared_claims(claims: list[list[tuple[int, str]]]) -> dict[tuple[int, int], tuple[int, str]]:
    """(i, j) -> the first (port, host) Gateways i < j both serve: exact hosts by lookup, wildcards against every
    host of their port (linear in the claims but for wildcards, which are few)."""
    by_port: dict[int, list[tuple[int, str]]] = {}
    for index, served in enumerate(claims):
        for port, host in served:
            by_port.setdefault(port, []).append((index, host))
    shared: dict[tuple[int, int], tuple[int, str]] = {}
    for port, served in sorted(by_port.items()):
        exact: dict[str, list[int]] = {}
        for index, host in served:
            exact.setdefault(host, []).append(index)
        pairs = [(a, b, host) for host, owners in exact.items() for a in owners for b in owners if a < b]
        wild = [(index, host) for index, host in served if host.startswith("*")]
        pairs += [
            (min(a, b), max(a, b), h if w == "*" else w) for a, w in wild for b, h in served if a != b and overlap(w, h)
        ]
        for a, b, host in sorted(pairs):
            shared.setdefault((a, b), (port, host))
    return shared


def check_conflicts(traffic: Traffic) -> list[Finding]:
    found: list[Finding] = []
    candidates = [(g, s) for g in gateways(traffic.objects) if (s := selector_of(g)) is not None]
    shared = _shared_claims([_claims(g) for g, _ in candidates])
    for (a, b), (port, host) in sorted(shared.items()):
        (first, selector), (second, other) = candidates[a], candidates[b]
        pod = shared_pod(traffic, selector, other)
        if pod is None:
            continue
        found.append(
            (
                second.urn,
                f"Gateway {second.ref} and Gateway {first.ref} both select {pod} and serve port {port} "
                f"for host {host}: the gateway keeps one of them and the other's routes or certificate are lost. "
                "Merge the servers into one Gateway, or give each Gateway its own hosts.",
            )
        )
    return found


SELECTOR: Final = Check(
    "gateway-selector-matches-workload",
    "An Istio Gateway's istio selector matches an add-on gateway the cluster enables or a gateway workload of the "
    "program.",
    URL_INGRESS,
    "Select the add-on's gateway by its label: istio: aks-istio-ingressgateway-external or -internal (not "
    "upstream's istio: ingressgateway), and enable that gateway on the cluster.",
    check_selector,
)

CREDENTIAL: Final = Check(
    "gateway-credential-resolvable",
    "A Gateway's TLS credentialName is a Secret with tls.crt and tls.key (and ca.crt for MUTUAL) where its gateway "
    "pods run, synced by a mounted SecretProviderClass where Key Vault provides it.",
    URL_SECURE,
    "Declare the credential in aks-istio-ingress (the gateway pods' namespace), with the keys Istio reads; a "
    "SecretProviderClass there needs a pod that mounts it and the Key Vault secrets provider add-on.",
    check_credentials,
)

CREDENTIAL_DECLARED: Final = Check(
    "gateway-credential-declared",
    "A Gateway's TLS credentialName is provided in the program (Secret, SecretProviderClass or cert-manager "
    "Certificate).",
    URL_SECURE,
    "Sync the certificate from Key Vault with a SecretProviderClass in aks-istio-ingress and a pod that mounts "
    "it, or waive this when another program provides the Secret.",
    check_credentials_declared,
)

PORTS: Final = Check(
    "gateway-server-port-exposed",
    "An Istio Gateway on an add-on gateway serves only ports its Service exposes (80, 443).",
    URL_INGRESS,
    "Serve HTTP on 80 and HTTPS/TLS on 443; for other ports use a Gateway API Gateway of class istio.",
    check_ports,
)

CONFLICTS: Final = Check(
    "gateway-no-conflicts",
    "No two Istio Gateways with the same selector serve the same port and host.",
    "https://istio.io/latest/docs/reference/config/analysis/ist0145/",
    "Merge the servers into one Gateway, or give each Gateway its own hosts.",
    check_conflicts,
)

CHECKS: Final = (SELECTOR, CREDENTIAL, CREDENTIAL_DECLARED, PORTS, CONFLICTS)
