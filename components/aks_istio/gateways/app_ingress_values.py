"""The values of `AppIngress`: one app behind the add-on's internal or external gateway, and the rules on them.

Defined once: `AppIngressArgs` holds an `AppRoute` and its wiring, and the stack file's `gateways.apps[]` entries
are `AppRoute`s. They are value types like every other (`aks_istio.value_checks`): constraints in field metadata,
rules across fields in `rules`, checked on construction in Python and from another language, and after the whole
tree is built when a stack file is read, so every problem is reported at once, each at its field (its camelCase
key in a stack file). Enum fields take their members or their string values. No Pulumi imports here, so a stack
file validates without the SDKs.
"""

import enum
import ipaddress
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from aks_istio.addon import support_matrix as sm
from aks_istio.gateways.modes import IngressMode
from aks_istio.value_checks import (
    K8S_NAME,
    STACK_FILE,
    UUID_PATTERN,
    Problems,
    check,
    constrained,
    field_name,
    listed,
    resource_id,
)

HOST: Final[dict[str, Any]] = {
    "pattern": r"^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$",
    "words": "a lowercase DNS name, e.g. shop.example.com, or one with a leading *. wildcard",
}
"""A host a Gateway server and a VirtualService take."""
DURATION: Final[dict[str, Any]] = {
    "pattern": r"^[0-9]{1,5}(ms|s|m|h)$",
    "words": "a number and ms, s, m or h, e.g. 30s",
}
"""One number and a unit: valid as an Istio duration and as a Gateway API Duration (GEP-2257)."""
PORT: Final[dict[str, Any]] = {"ge": 1, "le": 65535}
KEY_VAULT_OBJECT: Final[dict[str, Any]] = {
    "pattern": r"^[0-9a-zA-Z-]{1,127}$",
    "words": "1-127 letters, digits and '-' (a Key Vault object name)",
}
KEY_VAULT_ID: Final[dict[str, Any]] = resource_id(f"(?i){sm.KEY_VAULT_ID_PATTERN.pattern}")
"""A vault's ARM id (`az keyvault show --query id`)."""
# Istio's retryOn conditions (https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry),
# Envoy's router retry policies, plus gRPC statuses.
RETRY_ON = frozenset(
    {
        "5xx",
        "gateway-error",
        "reset",
        "reset-before-request",
        "connect-failure",
        "envoy-ratelimited",
        "retriable-4xx",
        "refused-stream",
        "retriable-status-codes",
        "retriable-headers",
        "http3-post-connect-failure",
        "cancelled",
        "deadline-exceeded",
        "internal",
        "resource-exhausted",
        "unavailable",
    }
)


def retry_on_reason(conditions: list[str]) -> str | None:
    """Why `conditions` are not all retry conditions (Istio's, or an HTTP status code), or None."""
    unknown = [c for c in conditions if c not in RETRY_ON and not c.isdigit()]
    if not unknown:
        return None
    shown = ", ".join(repr(c) for c in unknown)
    return f"Istio knows no retry condition {shown}; allowed: {listed(sorted(RETRY_ON))}, or an HTTP status code"


def cidrs_reason(values: list[str]) -> str | None:
    """Why `values` are not all CIDRs (IPv4 or IPv6), or None."""
    for cidr in values:
        try:
            ipaddress.ip_network(cidr)
        except ValueError:
            return f"{cidr!r} is not a CIDR; allowed: e.g. 203.0.113.0/24"
    return None


class TlsMode(enum.StrEnum):
    """How the gateway treats TLS for the app's hosts."""

    NONE = "NONE"
    """Plain HTTP on port 80; no certificate."""
    SIMPLE = "SIMPLE"
    """TLS terminated at the gateway with the app's certificate from Key Vault."""
    MUTUAL = "MUTUAL"
    """As SIMPLE, and clients must present a certificate signed by the CA from Key Vault."""
    PASSTHROUGH = "PASSTHROUGH"
    """TLS passed through to the app by SNI; the app holds the certificate (no path routes, retries or JWT)."""


class IngressApi(enum.StrEnum):
    """Which API routes the app."""

    ISTIO = "Istio"
    """An Istio Gateway on the add-on's classic gateway (`gateway` mode) and a VirtualService."""
    GATEWAY_API = "GatewayApi"
    """A Gateway API Gateway of class `istio` of the app's own (AKS provisions `<name>-istio`) and an HTTPRoute
    (revisions asm-1-26 and newer, managed Gateway API installed)."""


TERMINATING = frozenset({TlsMode.SIMPLE, TlsMode.MUTUAL})


def covers(pattern: str, host: str) -> bool:
    """`pattern` (a host, or `*.domain`) matches `host` as a Gateway server's hosts do."""
    if pattern == host:
        return True
    return pattern.startswith("*.") and host.endswith(pattern[1:]) and host != pattern[2:]


@dataclass(frozen=True, kw_only=True)
class AppBackend:
    """The app's Kubernetes Service."""

    __pydantic_config__: ClassVar = STACK_FILE

    service: str = constrained(**K8S_NAME)
    """Service name."""
    namespace: str = constrained(**K8S_NAME)
    """Namespace of the Service; the Gateway, the route and any app-side objects go there too."""
    port: int = constrained(**PORT)
    """Service port."""

    def __post_init__(self) -> None:
        check(self)

    @property
    def host(self) -> str:
        return f"{self.service}.{self.namespace}.svc.cluster.local"


@dataclass(frozen=True, kw_only=True)
class AppPathRoute:
    """Requests whose path starts with `prefix` go to another Service of the app's namespace (or another port)."""

    __pydantic_config__: ClassVar = STACK_FILE

    prefix: str = constrained(pattern=r"^/", words="a path starting with '/', e.g. /api")
    """Path prefix, starting with '/'."""
    service: str = constrained(**K8S_NAME)
    """Service in the app's namespace."""
    port: int = constrained(**PORT)
    """Its port."""
    host: str | None = constrained(None, **HOST)
    """Only for this one of the app's hosts; unset: all of them."""

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True, kw_only=True)
class AppRetries:
    """Retries of failed requests at the gateway."""

    __pydantic_config__: ClassVar = STACK_FILE

    attempts: int = constrained(ge=1, le=10)
    """Retries after the first try, 1..10."""
    per_try_timeout: str | None = constrained(None, **DURATION)
    """Timeout of each try, e.g. 2s; unset: the route's timeout."""
    retry_on: list[str] = constrained(
        default_factory=lambda: ["connect-failure", "refused-stream", "unavailable"],
        min_items=1,
        check=retry_on_reason,
    )
    """Conditions that trigger a retry (Istio's retryOn)."""

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True, kw_only=True)
class JwtRequirement:
    """Requests to the app's hosts must carry a valid JWT from this issuer."""

    __pydantic_config__: ClassVar = STACK_FILE

    issuer: str = constrained(
        pattern=r"\S", words="the token issuer (`iss`), e.g. https://login.microsoftonline.com/<tenant>/v2.0"
    )
    """The token issuer (`iss`)."""
    jwks_uri: str = constrained(pattern=r"^https://\S+$", words="an https URL")
    """Where the issuer's signing keys are (https)."""
    audiences: list[str] = field(default_factory=list)
    """Accepted `aud` values; empty: any."""

    def __post_init__(self) -> None:
        check(self)


@dataclass(frozen=True, kw_only=True)
class AppAccess:
    """Who may reach the app's hosts at the shared gateway; other apps behind it are untouched."""

    __pydantic_config__: ClassVar = STACK_FILE

    source_ranges: list[str] = constrained(default_factory=list, check=cidrs_reason)
    """Only clients from these CIDRs (needs the gateway Service's externalTrafficPolicy Local: with Cluster the
    gateway sees node addresses, not clients')."""
    jwt: JwtRequirement | None = None
    """Require a valid JWT from this issuer."""

    def __post_init__(self) -> None:
        check(self)

    def rules(self, problems: Problems) -> None:
        if not self.source_ranges and self.jwt is None and problems.fine("source_ranges", "jwt"):
            problems.add(
                (),
                f"neither {field_name('source_ranges')} nor {field_name('jwt')} is set; allowed: at least one of "
                "them (or no access limits at all)",
            )


@dataclass(frozen=True, kw_only=True)
class KeyVaultCertificate:
    """The app's certificate in Key Vault: PEM secrets the secrets provider add-on syncs into the cluster."""

    __pydantic_config__: ClassVar = STACK_FILE

    key_vault_id: str = constrained(**KEY_VAULT_ID)
    """ARM id of the vault (RBAC authorization), `/subscriptions/.../providers/Microsoft.KeyVault/vaults/<name>`."""
    tenant_id: str = constrained(pattern=UUID_PATTERN, words="an Entra tenant id (a UUID)")
    """Entra tenant of the vault."""
    cert_object_name: str = constrained(**KEY_VAULT_OBJECT)
    """Key Vault secret holding the certificate chain (PEM)."""
    key_object_name: str = constrained(**KEY_VAULT_OBJECT)
    """Key Vault secret holding the private key (PEM)."""
    ca_object_name: str | None = constrained(None, **KEY_VAULT_OBJECT)
    """MUTUAL: Key Vault secret holding the CA that signs client certificates (PEM)."""

    def __post_init__(self) -> None:
        check(self)

    @property
    def vault_name(self) -> str:
        return self.key_vault_id.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True, kw_only=True)
class AppRoute:
    """One app behind the add-on's internal or external gateway: its hosts, Service, TLS and routes."""

    __pydantic_config__: ClassVar = STACK_FILE

    name: str = constrained(**K8S_NAME)
    """The app's name: names its Gateway, route, SecretProviderClass and Secret."""
    hosts: list[str] = constrained(min_items=1, **HOST)
    """Host names the app answers on (a leading `*.` wildcard is allowed)."""
    backend: AppBackend
    """The app's Service: every request that no path route takes goes there."""
    gateway: IngressMode = IngressMode.INTERNAL
    """Which of the add-on's gateways: Internal (private IP) or External (public IP)."""
    api: IngressApi = IngressApi.ISTIO
    """Istio Gateway + VirtualService on the add-on's classic gateway, or Gateway API (Gateway + HTTPRoute)."""
    tls_mode: TlsMode = TlsMode.SIMPLE
    """NONE, SIMPLE, MUTUAL (client certificates) or PASSTHROUGH."""
    certificate: KeyVaultCertificate | None = None
    """SIMPLE and MUTUAL: the certificate in Key Vault (MUTUAL also its client CA)."""
    https_redirect: bool | None = None
    """Answer HTTP on the HTTP port with a redirect to HTTPS; unset: on when TLS terminates at the gateway."""
    https_port: int = constrained(sm.INGRESS_GATEWAY_HTTPS_PORT, **PORT)
    """Port of the TLS server (the add-on's classic gateways expose 443 only)."""
    http_port: int = constrained(sm.INGRESS_GATEWAY_HTTP_PORT, **PORT)
    """Port of the plain-HTTP server (the add-on's classic gateways expose 80 only)."""
    path_routes: list[AppPathRoute] = field(default_factory=list)
    """Path prefixes that go to other Services of the app's namespace, tried in order before the backend."""
    timeout: str | None = constrained(None, **DURATION)
    """Request timeout at the gateway, e.g. 30s; unset: none."""
    retries: AppRetries | None = None
    """Retries at the gateway; unset: Istio's default (2 attempts on connect failures)."""
    access: AppAccess | None = None
    """Limit the app's hosts to source ranges and/or a JWT issuer, at the shared gateway."""

    def __post_init__(self) -> None:
        check(self)

    def rules(self, problems: Problems) -> None:
        """Path routes within the hosts; what the TLS mode and the API allow; the ports the gateway exposes (the
        rules on the modes wait for the enum fields to be valid)."""
        if problems.fine("hosts"):
            for index, route in enumerate(self.path_routes):
                where = ("path_routes", index, "host")
                if (
                    route.host is not None
                    and problems.fine(where)
                    and not any(covers(h, route.host) for h in self.hosts)
                ):
                    problems.add(where, f"{route.host!r} is not one of the app's hosts; allowed: {listed(self.hosts)}")
        if problems.fine("tls_mode", "api"):
            self._mode_rules(problems)
            if self.api is IngressApi.GATEWAY_API:
                self._gateway_api_rules(problems)
        if problems.fine("api", "gateway"):
            self._port_rules(problems)

    def _mode_rules(self, problems: Problems) -> None:
        mode = self.tls_mode
        tls_mode = field_name("tls_mode")
        if mode in TERMINATING:
            if self.certificate is None:
                problems.add(
                    "certificate", f"missing; {tls_mode} {mode.value} terminates TLS with a certificate from Key Vault"
                )
            elif mode is TlsMode.MUTUAL and self.certificate.ca_object_name is None:
                problems.add(
                    ("certificate", "ca_object_name"), f"missing; {tls_mode} MUTUAL verifies clients against a CA"
                )
        elif self.certificate is not None:
            problems.add("certificate", f"set, but {tls_mode} {mode.value} uses none; allowed: SIMPLE or MUTUAL")
        if self.https_redirect and mode is TlsMode.NONE:
            problems.add("https_redirect", f"true, but {tls_mode} NONE serves no HTTPS; allowed: false")
        if mode is TlsMode.PASSTHROUGH:
            # The gateway sees only the TLS handshake's SNI, never a path, a retryable response or a header.
            reason = f"{tls_mode} PASSTHROUGH routes by SNI only; the gateway never sees HTTP"
            if self.path_routes:
                problems.add("path_routes", f"set, but {reason} (no paths)")
            if self.retries is not None:
                problems.add("retries", f"set, but {reason} (no responses to retry)")
            if self.timeout is not None:
                problems.add("timeout", f"set, but {reason} (no requests to time)")
            if self.access is not None and self.access.jwt is not None:
                problems.add(("access", "jwt"), f"set, but {reason} (no Authorization header)")

    def _gateway_api_rules(self, problems: Problems) -> None:
        if self.tls_mode in (TlsMode.MUTUAL, TlsMode.PASSTHROUGH):
            problems.add(
                "tls_mode",
                f"{self.tls_mode.value!r} with {field_name('api')} GatewayApi; allowed: NONE or SIMPLE (client "
                "certificate validation and TLSRoute are outside the standard Gateway API channel the add-on "
                "installs; use api Istio)",
            )
        if self.retries is not None:
            problems.add(
                "retries",
                f"set with {field_name('api')} GatewayApi; HTTPRoute retries are in the experimental channel only; "
                "allowed: api Istio",
            )

    def _port_rules(self, problems: Problems) -> None:
        if self.api is IngressApi.GATEWAY_API:
            return  # the app's own Gateway: its listeners make the Service's ports (any port, the constraint's)
        exposed = ", ".join(f"{p}/{n}" for p, n in sm.INGRESS_GATEWAY_PORTS.items())
        service = sm.INGRESS_GATEWAY_SERVICES[self.gateway.value]
        allowed = {"https_port": sm.INGRESS_GATEWAY_HTTPS_PORT, "http_port": sm.INGRESS_GATEWAY_HTTP_PORT}
        for key, port in allowed.items():
            value = getattr(self, key)
            if value != port and problems.fine(key):
                problems.add(
                    key, f"{value!r} is not exposed by {service} (ports {exposed}, fixed by AKS); allowed: {port}"
                )

    @property
    def terminates_tls(self) -> bool:
        return self.tls_mode in TERMINATING

    @property
    def redirects(self) -> bool:
        return self.terminates_tls if self.https_redirect is None else self.https_redirect
