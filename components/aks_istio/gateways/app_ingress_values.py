"""The values of `AppIngress`: one app behind the add-on's internal or external gateway, and the rules on them.

Defined once: `AppIngressArgs` is an `AppRoute` plus its wiring, and the stack file's `gateways.apps[]` entries
are `AppRoute`s (pydantic validates the file into these classes: camelCase keys, unknown keys refused). Each
value checks itself on construction and names the field, the bad value and what is allowed; every problem of one
value is reported at once. Enum fields take their members or their string values. No Pulumi imports here, so a
stack file validates without the SDKs.
"""

import enum
import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from aks_istio.addon import support_matrix as sm
from aks_istio.gateways.modes import IngressMode

E = TypeVar("E", bound=enum.Enum)


def camel(name: str) -> str:
    """A field as the stack file writes it: `tls_mode` -> `tlsMode`."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


# pydantic's config for these classes when a stack file is validated into them (a plain dict: no pydantic here).
STACK_FILE = {"alias_generator": camel, "extra": "forbid", "populate_by_name": True}

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
# A host a Gateway server and a VirtualService take: a DNS name, or one with a leading `*.` wildcard.
HOST = re.compile(r"^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
# One number and a unit: valid as an Istio duration and as a Gateway API Duration (GEP-2257).
DURATION = re.compile(r"^[0-9]{1,5}(ms|s|m|h)$")
TENANT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
# Key Vault object names: 1-127 letters, digits and dashes.
KEY_VAULT_OBJECT = re.compile(r"^[0-9a-zA-Z-]{1,127}$")
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


def coerce_enum(owner: object, name: str, enum_type: type[E], problems: list[str]) -> None:
    """Turn `owner.name`'s string value into its `enum_type` member in place, or record why it cannot be."""
    value = getattr(owner, name)
    if isinstance(value, enum_type):
        return
    try:
        object.__setattr__(owner, name, enum_type(value))
    except ValueError:
        allowed = ", ".join(str(member.value) for member in enum_type)
        problems.append(f"{name}: {value!r} is not allowed; allowed: {allowed}")


def raise_problems(problems: Sequence[str]) -> None:
    """Every problem of one value at once, each starting with its field; whoever holds the value adds where it is
    (the component package its field names, the stack file its key path)."""
    if problems:
        raise ValueError("; ".join(problems))


def covers(pattern: str, host: str) -> bool:
    """`pattern` (a host, or `*.domain`) matches `host` as a Gateway server's hosts do."""
    if pattern == host:
        return True
    return pattern.startswith("*.") and host.endswith(pattern[1:]) and host != pattern[2:]


@dataclass(frozen=True, kw_only=True)
class AppBackend:
    """The app's Kubernetes Service."""

    service: str
    """Service name."""
    namespace: str
    """Namespace of the Service; the Gateway, the route and any app-side objects go there too."""
    port: int
    """Service port."""

    def __post_init__(self) -> None:
        problems = [
            f"{key}: {value!r} is not a DNS-1123 label; allowed: lowercase letters, digits and '-', at most 63"
            for key, value in (("service", self.service), ("namespace", self.namespace))
            if not DNS_LABEL.match(str(value))
        ]
        if not isinstance(self.port, int) or not 1 <= self.port <= 65535:
            problems.append(f"port: {self.port!r} is not a port; allowed: 1..65535")
        raise_problems(problems)

    @property
    def host(self) -> str:
        return f"{self.service}.{self.namespace}.svc.cluster.local"


@dataclass(frozen=True, kw_only=True)
class AppPathRoute:
    """Requests whose path starts with `prefix` go to another Service of the app's namespace (or another port)."""

    prefix: str
    """Path prefix, starting with '/'."""
    service: str
    """Service in the app's namespace."""
    port: int
    """Its port."""
    host: str | None = None
    """Only for this one of the app's hosts; unset: all of them."""

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not self.prefix.startswith("/"):
            problems.append(f"prefix: {self.prefix!r} does not start with '/'; allowed: e.g. /api")
        if not DNS_LABEL.match(self.service):
            problems.append(f"service: {self.service!r} is not a DNS-1123 label")
        if not isinstance(self.port, int) or not 1 <= self.port <= 65535:
            problems.append(f"port: {self.port!r} is not a port; allowed: 1..65535")
        raise_problems(problems)


@dataclass(frozen=True, kw_only=True)
class AppRetries:
    """Retries of failed requests at the gateway."""

    attempts: int
    """Retries after the first try, 1..10."""
    per_try_timeout: str | None = None
    """Timeout of each try, e.g. 2s; unset: the route's timeout."""
    retry_on: list[str] = field(default_factory=lambda: ["connect-failure", "refused-stream", "unavailable"])
    """Conditions that trigger a retry (Istio's retryOn)."""

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not isinstance(self.attempts, int) or not 1 <= self.attempts <= 10:
            problems.append(f"attempts: {self.attempts!r}; allowed: 1..10")
        if self.per_try_timeout is not None and not DURATION.match(self.per_try_timeout):
            problems.append(f"per_try_timeout: {self.per_try_timeout!r}; allowed: a number and ms|s|m|h, e.g. 2s")
        unknown = [c for c in self.retry_on if c not in RETRY_ON and not c.isdigit()]
        if unknown or not self.retry_on:
            problems.append(f"retry_on: {unknown or self.retry_on!r}; allowed: {', '.join(sorted(RETRY_ON))}")
        raise_problems(problems)


@dataclass(frozen=True, kw_only=True)
class JwtRequirement:
    """Requests to the app's hosts must carry a valid JWT from this issuer."""

    issuer: str
    """The token issuer (`iss`)."""
    jwks_uri: str
    """Where the issuer's signing keys are (https)."""
    audiences: list[str] = field(default_factory=list)
    """Accepted `aud` values; empty: any."""

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not self.issuer:
            problems.append("issuer: '' ; allowed: the token issuer, e.g. https://login.microsoftonline.com/<t>/v2.0")
        if not self.jwks_uri.startswith("https://"):
            problems.append(f"jwks_uri: {self.jwks_uri!r} is not an https URL")
        raise_problems(problems)


@dataclass(frozen=True, kw_only=True)
class AppAccess:
    """Who may reach the app's hosts at the shared gateway; other apps behind it are untouched."""

    source_ranges: list[str] = field(default_factory=list)
    """Only clients from these CIDRs (needs the gateway Service's externalTrafficPolicy Local: with Cluster the
    gateway sees node addresses, not clients')."""
    jwt: JwtRequirement | None = None
    """Require a valid JWT from this issuer."""

    def __post_init__(self) -> None:
        problems: list[str] = []
        for cidr in self.source_ranges:
            try:
                ipaddress.ip_network(cidr)
            except ValueError:
                problems.append(f"source_ranges: {cidr!r} is not a CIDR; allowed: e.g. 203.0.113.0/24")
        if not self.source_ranges and self.jwt is None:
            problems.append("source_ranges and jwt are both unset; allowed: at least one (or no access at all)")
        raise_problems(problems)


@dataclass(frozen=True, kw_only=True)
class KeyVaultCertificate:
    """The app's certificate in Key Vault: PEM secrets the secrets provider add-on syncs into the cluster."""

    key_vault_id: str
    """ARM id of the vault (RBAC authorization), `/subscriptions/.../providers/Microsoft.KeyVault/vaults/<name>`."""
    tenant_id: str
    """Entra tenant of the vault."""
    cert_object_name: str
    """Key Vault secret holding the certificate chain (PEM)."""
    key_object_name: str
    """Key Vault secret holding the private key (PEM)."""
    ca_object_name: str | None = None
    """MUTUAL: Key Vault secret holding the CA that signs client certificates (PEM)."""

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not sm.KEY_VAULT_ID_PATTERN.match(self.key_vault_id):
            problems.append(
                f"key_vault_id: {self.key_vault_id!r} is not a vault's ARM id; allowed: "
                "/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<name>"
            )
        if not TENANT_ID.match(self.tenant_id):
            problems.append(f"tenant_id: {self.tenant_id!r} is not a tenant GUID")
        for key in ("cert_object_name", "key_object_name", "ca_object_name"):
            value = getattr(self, key)
            if value is not None and not KEY_VAULT_OBJECT.match(value):
                problems.append(f"{key}: {value!r} is not a Key Vault object name; allowed: 1-127 of a-z A-Z 0-9 -")
        raise_problems(problems)

    @property
    def vault_name(self) -> str:
        return self.key_vault_id.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True, kw_only=True)
class AppRoute:
    """One app behind the add-on's internal or external gateway: its hosts, Service, TLS and routes."""

    name: str
    """The app's name: names its Gateway, route, SecretProviderClass and Secret."""
    hosts: list[str]
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
    https_port: int = sm.INGRESS_GATEWAY_HTTPS_PORT
    """Port of the TLS server (the add-on's classic gateways expose 443 only)."""
    http_port: int = sm.INGRESS_GATEWAY_HTTP_PORT
    """Port of the plain-HTTP server (the add-on's classic gateways expose 80 only)."""
    path_routes: list[AppPathRoute] = field(default_factory=list)
    """Path prefixes that go to other Services of the app's namespace, tried in order before the backend."""
    timeout: str | None = None
    """Request timeout at the gateway, e.g. 30s; unset: none."""
    retries: AppRetries | None = None
    """Retries at the gateway; unset: Istio's default (2 attempts on connect failures)."""
    access: AppAccess | None = None
    """Limit the app's hosts to source ranges and/or a JWT issuer, at the shared gateway."""

    def __post_init__(self) -> None:
        raise_problems(self.problems())

    def problems(self) -> list[str]:
        """Every problem of the route's own fields (a subclass adds its wiring's)."""
        problems: list[str] = []
        for key, enum_type in (("gateway", IngressMode), ("api", IngressApi), ("tls_mode", TlsMode)):
            coerce_enum(self, key, enum_type, problems)
        enums_valid = not problems  # the mode and port rules read the enums
        if not DNS_LABEL.match(self.name):
            problems.append(f"name: {self.name!r} is not a DNS-1123 label")
        problems += self._host_problems()
        if enums_valid:
            problems += self._mode_problems() + self._port_problems()
        return problems

    def _host_problems(self) -> list[str]:
        problems = [
            f"hosts: {h!r} is not a host name; allowed: e.g. shop.example.com" for h in self.hosts if not HOST.match(h)
        ]
        if not self.hosts:
            problems.append("hosts: []; allowed: at least one host name")
        for route in self.path_routes:
            if route.host is not None and not any(covers(h, route.host) for h in self.hosts):
                problems.append(
                    f"path_routes[{route.prefix}].host: {route.host!r} is not covered by hosts; allowed: {self.hosts}"
                )
        return problems

    def _mode_problems(self) -> list[str]:
        problems: list[str] = []
        mode = self.tls_mode
        if mode in TERMINATING:
            if self.certificate is None:
                problems.append(
                    f"certificate: missing; tls_mode {mode.value} terminates TLS with a certificate from Key Vault"
                )
            elif mode is TlsMode.MUTUAL and self.certificate.ca_object_name is None:
                problems.append("certificate.ca_object_name: missing; tls_mode MUTUAL verifies clients against a CA")
        elif self.certificate is not None:
            problems.append(f"certificate: set, but tls_mode {mode.value} uses none; allowed: SIMPLE or MUTUAL")
        if self.https_redirect and mode is TlsMode.NONE:
            problems.append("https_redirect: true, but tls_mode NONE serves no HTTPS; allowed: false")
        if mode is TlsMode.PASSTHROUGH:
            # The gateway sees only the TLS handshake's SNI, never a path, a retryable response or a header.
            reason = "tls_mode PASSTHROUGH routes by SNI only; the gateway never sees HTTP"
            if self.path_routes:
                problems.append(f"path_routes: set, but {reason} (no paths)")
            if self.retries is not None:
                problems.append(f"retries: set, but {reason} (no responses to retry)")
            if self.timeout is not None:
                problems.append(f"timeout: set, but {reason} (no requests to time)")
            if self.access is not None and self.access.jwt is not None:
                problems.append(f"access.jwt: set, but {reason} (no Authorization header)")
        if self.api is IngressApi.GATEWAY_API:
            problems += self._gateway_api_problems()
        return problems

    def _gateway_api_problems(self) -> list[str]:
        problems: list[str] = []
        if self.tls_mode in (TlsMode.MUTUAL, TlsMode.PASSTHROUGH):
            problems.append(
                f"tls_mode: {self.tls_mode.value} with api GatewayApi; allowed: NONE or SIMPLE (client certificate "
                "validation and TLSRoute are outside the standard Gateway API channel the add-on installs; use api "
                "Istio)"
            )
        if self.retries is not None:
            problems.append(
                "retries: set with api GatewayApi; HTTPRoute retries are in the experimental channel only; allowed: "
                "api Istio"
            )
        return problems

    def _port_problems(self) -> list[str]:
        if self.api is IngressApi.GATEWAY_API:  # the app's own Gateway: its listeners make the Service's ports
            return [
                f"{key}: {value!r} is not a port; allowed: 1..65535"
                for key, value in (("https_port", self.https_port), ("http_port", self.http_port))
                if not 1 <= value <= 65535
            ]
        exposed = sm.INGRESS_GATEWAY_PORTS
        allowed = {"https_port": sm.INGRESS_GATEWAY_HTTPS_PORT, "http_port": sm.INGRESS_GATEWAY_HTTP_PORT}
        return [
            f"{key}: {getattr(self, key)!r} is not exposed by {sm.INGRESS_GATEWAY_SERVICES[self.gateway.value]} "
            f"(ports {', '.join(f'{p}/{n}' for p, n in exposed.items())}, fixed by AKS); allowed: {port}"
            for key, port in allowed.items()
            if getattr(self, key) != port
        ]

    @property
    def terminates_tls(self) -> bool:
        return self.tls_mode in TERMINATING

    @property
    def redirects(self) -> bool:
        return self.terminates_tls if self.https_redirect is None else self.https_redirect


for _value_type in (AppBackend, AppPathRoute, AppRetries, JwtRequirement, AppAccess, KeyVaultCertificate, AppRoute):
    setattr(_value_type, "__pydantic_config__", STACK_FILE)  # noqa: B010 (pydantic reads it; not a dataclass field)
