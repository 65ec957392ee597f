"""`fleet gate`: a wave's clusters judged on the mesh's own SLOs over the gate's window, per cluster.

The PromQL is the observability component's SLO expressions (`observability.istio_rules`: request rate, 5xx ratio,
p99 latency), aggregated by the `cluster` label managed Prometheus puts on every series (the AKS cluster's name),
over the last `windowMinutes` (the workflow waits `soakMinutes` first). It fails closed: a cluster with no data,
or with less traffic than `minRequestsPerSecond`, is inconclusive, and so is a query that cannot be answered.
Before a `mesh-upgrade-complete`, a cluster also fails while proxies are still connected to the old revision's
istiod (`pilot_xds` of the `istiod-<old>` Service, which the scrape job labels `service`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from aks_istio.fleet.model import SloGate
from aks_istio.fleet.prometheus import PrometheusClient, QueryError
from aks_istio.observability.istio_rules import error_rate, error_ratio, latency_quantile, request_rate

GATE_VERSION: Final = 1
CLUSTER_LABEL: Final = "cluster"
HEALTHY, UNHEALTHY, INCONCLUSIVE = "healthy", "unhealthy", "inconclusive"
P99: Final = 0.99
# How far back the newest istiod sample may be for "proxies still connected" (two scrape intervals and margin).
XDS_LOOKBACK: Final = "5m"


@dataclass(frozen=True)
class GateCluster:
    """One cluster the gate judges, and the revision its proxies must have left (before a complete)."""

    cluster: str
    stack: str
    old_revision: str | None = None
    new_revision: str | None = None


@dataclass
class ClusterVerdict:
    cluster: str
    stack: str
    verdict: str
    requests_per_second: float | None
    error_ratio: float | None
    p99_latency_ms: float | None
    old_revision_proxies: float | None = None
    reasons: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "cluster": self.cluster,
            "stack": self.stack,
            "verdict": self.verdict,
            "requestsPerSecond": self.requests_per_second,
            "errorRatio": self.error_ratio,
            "p99LatencyMs": self.p99_latency_ms,
            "oldRevisionProxies": self.old_revision_proxies,
            "reasons": self.reasons,
        }


@dataclass
class GateResult:
    fleet: str
    wave: str
    gate: str
    settings: SloGate
    at: float
    clusters: list[ClusterVerdict]
    error: str = ""
    """Why the queries could not be answered (every cluster is then inconclusive)."""

    @property
    def healthy(self) -> bool:
        return not self.error and all(c.verdict == HEALTHY for c in self.clusters)

    def as_json(self) -> dict[str, Any]:
        s = self.settings
        return {
            "version": GATE_VERSION,
            "fleet": self.fleet,
            "wave": self.wave,
            "gate": self.gate,
            "endpoint": s.prometheus_query_endpoint,
            "at": self.at,
            "windowMinutes": s.window_minutes,
            "thresholds": {
                "maxErrorRatio": s.max_error_ratio,
                "maxP99LatencyMs": s.max_p99_latency_ms,
                "minRequestsPerSecond": s.min_requests_per_second,
            },
            "healthy": self.healthy,
            "error": self.error,
            "clusters": [c.as_json() for c in self.clusters],
        }


def slo_queries(settings: SloGate, clusters: list[str]) -> dict[str, str]:
    """The gate's PromQL by figure: the SLO rules' expressions, by cluster, over the window, for these clusters."""
    window = f"{settings.window_minutes}m"
    # AKS cluster names are letters, digits, '-' and '_' (cluster.name's own rule): nothing to escape in the regex.
    matchers = f'{CLUSTER_LABEL}=~"{"|".join(clusters)}"'
    by = (CLUSTER_LABEL,)
    requests = request_rate(by, window, matchers)
    return {
        "requests": requests,
        "error_ratio": error_ratio(error_rate(by, window, matchers), requests),
        "p99": latency_quantile(P99, by, window, matchers),
    }


def connected_proxies_query(revision: str, cluster: str) -> str:
    """Proxies connected to a revision's istiod now (`pilot_xds` per istiod pod, summed)."""
    return (
        f'sum by ({CLUSTER_LABEL}) (last_over_time(pilot_xds{{{CLUSTER_LABEL}="{cluster}", '
        f'service="istiod-{revision}"}}[{XDS_LOOKBACK}]))'
    )


def evaluate(
    client: PrometheusClient, settings: SloGate, members: list[GateCluster], at: float
) -> list[ClusterVerdict]:
    """Each cluster's figures against the thresholds; QueryError when a query cannot be answered."""
    names = [m.cluster for m in members]
    figures = {name: client.query(q, at, CLUSTER_LABEL) for name, q in slo_queries(settings, names).items()}
    verdicts = []
    for member in members:
        rps = figures["requests"].get(member.cluster)
        ratio = figures["error_ratio"].get(member.cluster)
        p99 = figures["p99"].get(member.cluster)
        breaches: list[str] = []
        unknowns: list[str] = []
        if rps is None:
            unknowns.append(
                f"no Istio request metrics for cluster {member.cluster!r} in the last {settings.window_minutes} min "
                "(is managed Prometheus scraping the mesh, and is `cluster` the AKS cluster's name?)"
            )
        elif rps < settings.min_requests_per_second:
            unknowns.append(
                f"{rps:.3g} requests/s < minRequestsPerSecond {settings.min_requests_per_second:g}: too little "
                "traffic to judge"
            )
        elif p99 is None:
            unknowns.append("no request-duration histogram in the window: p99 latency unknown")
        if ratio is not None and ratio > settings.max_error_ratio:
            breaches.append(f"5xx ratio {ratio:.4g} > maxErrorRatio {settings.max_error_ratio:g}")
        if p99 is not None and p99 > settings.max_p99_latency_ms:
            breaches.append(f"p99 latency {p99:.4g} ms > maxP99LatencyMs {settings.max_p99_latency_ms:g}")
        verdict = ClusterVerdict(member.cluster, member.stack, HEALTHY, rps, ratio, p99)
        if member.old_revision is not None and member.new_revision is not None:
            _old_revision(client, member, verdict, at, breaches, unknowns)
        verdict.reasons = breaches + unknowns
        verdict.verdict = UNHEALTHY if breaches else INCONCLUSIVE if unknowns else HEALTHY
        verdicts.append(verdict)
    return verdicts


def _old_revision(
    client: PrometheusClient,
    member: GateCluster,
    verdict: ClusterVerdict,
    at: float,
    breaches: list[str],
    unknowns: list[str],
) -> None:
    """Proxies still connected to the old revision's istiod are a breach; no istiod metrics at all, an unknown."""
    old, new = str(member.old_revision), str(member.new_revision)
    count = client.query(connected_proxies_query(old, member.cluster), at, CLUSTER_LABEL).get(member.cluster, 0.0)
    verdict.old_revision_proxies = count
    if count > 0:
        breaches.append(
            f"{count:g} proxies still connected to istiod-{old}: restart the workloads of the migrated namespaces "
            f"before mesh-upgrade-complete removes {old}"
        )
    elif member.cluster not in client.query(connected_proxies_query(new, member.cluster), at, CLUSTER_LABEL):
        unknowns.append(
            f"no istiod metrics (pilot_xds) for {old} or {new}: cannot tell whether proxies left {old} (is the "
            "istiod scrape job on?)"
        )


def run_gate(
    client: PrometheusClient, fleet: str, wave: str, gate: str, settings: SloGate, members: list[GateCluster], at: float
) -> GateResult:
    """The gate's result; a query that cannot be answered makes every cluster inconclusive (fail closed)."""
    try:
        verdicts = evaluate(client, settings, members, at)
    except QueryError as error:
        verdicts = [
            ClusterVerdict(m.cluster, m.stack, INCONCLUSIVE, None, None, None, reasons=[str(error)]) for m in members
        ]
        return GateResult(fleet, wave, gate, settings, at, verdicts, error=str(error))
    return GateResult(fleet, wave, gate, settings, at, verdicts)


def render(result: GateResult) -> str:
    s = result.settings
    lines = [
        f"Fleet {result.fleet}, wave {result.wave}: gate {result.gate} over the last {s.window_minutes} min "
        f"({s.prometheus_query_endpoint})",
        f"thresholds: 5xx ratio <= {s.max_error_ratio:g}, p99 <= {s.max_p99_latency_ms:g} ms, traffic >= "
        f"{s.min_requests_per_second:g} requests/s",
    ]
    if result.error:
        lines.append(f"error: {result.error}")
    for c in result.clusters:
        figures = (
            f"{_figure(c.requests_per_second, 'req/s')}, 5xx ratio {_figure(c.error_ratio)}, "
            f"p99 {_figure(c.p99_latency_ms, 'ms')}"
        )
        lines.append(f"  {c.verdict.upper():<12} {c.cluster} ({c.stack}): {figures}")
        lines += [f"               {reason}" for reason in c.reasons]
    lines.append(f"gate {'passed' if result.healthy else 'FAILED'}")
    return "\n".join(lines)


def _figure(value: float | None, unit: str = "") -> str:
    return "no data" if value is None else f"{value:.4g}{f' {unit}' if unit else ''}"
