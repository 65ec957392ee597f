"""Rules on the add-on's facts that more than one layer checks: config validation (which names stack-file keys),
component Args (which guard library users building Args by hand) and the policy pack (which reads raw resources).

Pure functions over plain values, no Pulumi or pydantic imports: each returns the problems it finds, and the
caller words where they are (a config key path, an Args field, a resource property path).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from aks_istio.addon import support_matrix as sm


def revision_set_problems(revisions: Sequence[str]) -> list[str]:
    """`serviceMeshProfile.istio.revisions`: 1 or 2 distinct well-formed `asm-1-N` (two only during a canary
    upgrade; https://learn.microsoft.com/azure/aks/istio-upgrade)."""
    problems = [
        f"{revision!r} is not of the form asm-<major>-<minor>"
        for revision in revisions
        if not sm.REVISION_PATTERN.match(revision)
    ]
    if not 1 <= len(revisions) <= sm.MAX_REVISIONS or len(set(revisions)) != len(revisions):
        problems.append(f"{list(revisions)} must hold 1 or {sm.MAX_REVISIONS} distinct asm-1-N values")
    return problems


def revisions_without_gateway_api(revisions: Iterable[str]) -> list[str]:
    """The well-formed revisions older than the first with Gateway API support in the add-on (AKSDOCS
    istio-gateway-api.md); malformed names are `revision_set_problems`' to report."""
    return [r for r in revisions if sm.REVISION_PATTERN.match(r) and not sm.gateway_api_supported(r)]


def gateway_api_problems(
    revisions: Iterable[str], *, app_routing_istio: bool, allowed_instead: str, named: Callable[[str], str]
) -> list[str]:
    """Prerequisites of the add-on's managed Gateway API: every running revision supports it, and app-routing's
    Istio implementation is off (the two cannot coexist; https://learn.microsoft.com/azure/aks/istio-gateway-api).
    The caller words the way out as its user writes it: `allowed_instead` for revisions too old, `named` for its
    own name of the app-routing field (Python `app_routing_istio`, a stack file `gateways.appRoutingIstio`)."""
    problems: list[str] = []
    too_old = revisions_without_gateway_api(revisions)
    if too_old:
        problems.append(
            f"needs revision {sm.GATEWAY_API_MIN_REVISION} or newer, the mesh runs {', '.join(too_old)}; "
            f"allowed: {allowed_instead}"
        )
    if app_routing_istio:
        problems.append(
            f"cannot coexist with app-routing's Istio implementation ({sm.APP_ROUTING_ISTIO_CLASS}); allowed: "
            f"disable one of them ({named('app_routing_istio')}: false after `az aks approuting gateway istio disable`)"
        )
    return problems


def ingress_mode_problems(
    mode: str, *, static_ip: bool, subnet: bool, named: Callable[[str], str]
) -> list[tuple[str, str]]:
    """(field, problem) for what one of the two classic ingress gateways cannot take: a static public IP is the
    external gateway's, a subnet of its own the internal one's
    (https://learn.microsoft.com/azure/aks/istio-deploy-ingress, static-ip.md). `named`: the caller's name of the
    other field a message points to (`static_ip` in Python, `staticIp` in a stack file)."""
    problems: list[tuple[str, str]] = []
    if mode not in sm.INGRESS_GATEWAY_MODES:
        problems.append(("mode", f"{mode!r}; allowed: {', '.join(sm.INGRESS_GATEWAY_MODES)}"))
    if mode == "Internal" and static_ip:
        problems.append(
            ("staticIp", f"is for the external gateway; allowed here: {named('subnet')}, or an ipv4 annotation")
        )
    if mode == "External" and subnet:
        problems.append(("subnet", f"is for the internal gateway; allowed here: {named('static_ip')}"))
    return problems


def managed_gateway_annotations(
    *, allowed_service_tags: Sequence[str], allowed_ip_ranges: Sequence[str], subnet: str | None
) -> dict[str, str]:
    """The gateway Service annotations typed settings stand for
    (https://learn.microsoft.com/azure/aks/istio-deploy-ingress; the static IP's are added where its name and group
    are known)."""
    managed: dict[str, str] = {}
    if allowed_service_tags:
        managed[sm.GATEWAY_SERVICE_ANNOTATION_SERVICE_TAGS] = ",".join(allowed_service_tags)
    if allowed_ip_ranges:
        managed[sm.GATEWAY_SERVICE_ANNOTATION_IP_RANGES] = ",".join(allowed_ip_ranges)
    if subnet is not None:
        managed[sm.GATEWAY_SERVICE_ANNOTATION_INTERNAL_SUBNET] = subnet
    return managed


def hpa_problems(min_replicas: int, max_replicas: int) -> list[tuple[str, str]]:
    """(field, problem) for a gateway HPA's replica bounds: the add-on refuses fewer than 2 (they would conflict
    with the gateway's PodDisruptionBudget; https://learn.microsoft.com/azure/aks/istio-deploy-ingress)."""
    problems: list[tuple[str, str]] = []
    if min_replicas < sm.GATEWAY_HPA_MIN_REPLICAS:
        problems.append(
            (
                "minReplicas",
                f"{min_replicas} is below the add-on's minimum (it conflicts with the gateway's "
                f"PodDisruptionBudget); allowed: >= {sm.GATEWAY_HPA_MIN_REPLICAS}",
            )
        )
    # Against the lowest minimum allowed when minReplicas itself is refused: "below minReplicas 1" would hold up a
    # value the same message list refuses.
    floor = max(min_replicas, sm.GATEWAY_HPA_MIN_REPLICAS)
    if max_replicas < floor:
        below = f"minReplicas {min_replicas}" if floor == min_replicas else f"the add-on's minimum of {floor} replicas"
        problems.append(("maxReplicas", f"{max_replicas} is below {below}; allowed: >= {floor}"))
    return problems


def listener_tls_problems(protocol: str, certificate_secret: str | None) -> list[tuple[str, str]]:
    """(field, problem) for a Gateway API listener's TLS: HTTPS terminates with a certificate Secret, HTTP has
    none (Gateway API `Listener.tls`)."""
    if protocol == "HTTPS" and certificate_secret is None:
        return [("certificateSecret", "is required for HTTPS; allowed: the name of a kubernetes.io/tls Secret")]
    if protocol == "HTTP" and certificate_secret is not None:
        return [("certificateSecret", "only applies to HTTPS listeners; allowed: protocol: HTTPS")]
    return []


def plugin_ca_problems(
    key_vault_id: str | None, *, generate_dev_ca: bool, object_names: Sequence[str]
) -> list[tuple[str, str]]:
    """(field, problem) for the source of the plug-in CA: a vault holding the four secrets, or a generated dev CA
    in a vault we create, never neither or both; four distinct object names (https://learn.microsoft.com/azure/aks/istio-plugin-ca)."""
    problems: list[tuple[str, str]] = []
    if key_vault_id is None and not generate_dev_ca:
        problems.append(
            (
                "keyVaultId",
                "is required unless generateDevCa is true: a new vault would hold no CA secrets and istiod "
                "would hang in Init; allowed: the resource id of a vault with the four secrets",
            )
        )
    if key_vault_id is not None and generate_dev_ca:
        problems.append(("generateDevCa", "true writes into a vault we create; allowed with keyVaultId: false"))
    if len(set(object_names)) != len(object_names):
        problems.append(("certObjectName", f"the four object names must differ; got {list(object_names)}"))
    return problems
