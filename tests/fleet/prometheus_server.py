"""A real Prometheus for the gate's tests: Debian's `prometheus` package (the Makefile installs it when missing),
its TSDB backfilled with Istio metrics generated here (`promtool tsdb create-blocks-from openmetrics`), served on
127.0.0.1 at a free port, stopped afterwards. Missing binaries fail the tests: they are never skipped."""

from __future__ import annotations

import math
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

STEP_SECONDS = 15
BUCKETS_MS = (5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, math.inf)


@dataclass(frozen=True)
class Traffic:
    """One cluster's mesh traffic over the generated span: constant rates, and where its latency falls."""

    cluster: str
    requests_per_second: float = 0.0
    error_ratio: float = 0.0
    latency_ms: float = 40.0
    """Every request takes about this long (it lands in the first bucket at or above it)."""
    slow_share: float = 0.0
    """Share of requests that take `slow_ms` instead."""
    slow_ms: float = 2000.0
    istiod: dict[str, float] = field(default_factory=dict)
    """Proxies connected per istiod revision (`pilot_xds`), e.g. {"asm-1-28": 3, "asm-1-29": 40}."""


def _label(value: float) -> str:
    return "+Inf" if value == math.inf else f"{value:g}"


def openmetrics(traffic: list[Traffic], end: float, minutes: int) -> str:
    """The series managed Prometheus would hold for these clusters: Envoy's request counter and duration histogram
    (server side, as the scrape job keeps them) and istiod's pilot_xds, one sample every 15 s up to `end`."""
    times = [end - minutes * 60 + i * STEP_SECONDS for i in range(minutes * 60 // STEP_SECONDS + 1)]
    families: dict[str, list[str]] = {"istio_requests": [], "istio_request_duration_milliseconds": [], "pilot_xds": []}
    for t in traffic:
        base = (
            f'cluster="{t.cluster}",reporter="destination",destination_service_namespace="apps",'
            'destination_service_name="api"'
        )
        ok, failed = t.requests_per_second * (1 - t.error_ratio), t.requests_per_second * t.error_ratio
        for code, rate in (("200", ok), ("503", failed)):
            if rate > 0:
                families["istio_requests"] += [
                    f'istio_requests_total{{{base},response_code="{code}"}} {rate * (ts - times[0]):.3f} {ts:.3f}'
                    for ts in times
                ]
        if t.requests_per_second > 0:
            for bound in BUCKETS_MS:
                share = (1 - t.slow_share) * (t.latency_ms <= bound) + t.slow_share * (t.slow_ms <= bound)
                families["istio_request_duration_milliseconds"] += [
                    f'istio_request_duration_milliseconds_bucket{{{base},le="{_label(bound)}"}} '
                    f"{t.requests_per_second * share * (ts - times[0]):.3f} {ts:.3f}"
                    for ts in times
                ]
        for revision, proxies in t.istiod.items():
            labels = f'cluster="{t.cluster}",service="istiod-{revision}",namespace="aks-istio-system"'
            families["pilot_xds"] += [f"pilot_xds{{{labels}}} {proxies:g} {ts:.3f}" for ts in times]
    kinds = {"istio_requests": "counter", "istio_request_duration_milliseconds": "histogram", "pilot_xds": "gauge"}
    lines: list[str] = []
    for family, samples in families.items():
        if samples:
            lines += [f"# TYPE {family} {kinds[family]}", *samples]
    return "\n".join([*lines, "# EOF"]) + "\n"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def binaries() -> tuple[str, str]:
    found = shutil.which("prometheus"), shutil.which("promtool")
    if not all(found):
        pytest.fail(
            "prometheus and promtool are not on PATH: `make test` installs Debian's prometheus package "
            "(apt-get install prometheus); the gate is tested against a real Prometheus, never skipped"
        )
    return str(found[0]), str(found[1])


@dataclass
class LocalPrometheus:
    url: str
    end: float
    """The time of the newest sample."""


def serve(folder: Path, traffic: list[Traffic], minutes: int = 45) -> Iterator[LocalPrometheus]:
    """Backfill `traffic` ending now and serve it; stops the server when the generator is closed."""
    prometheus, promtool = binaries()
    end = float(int(time.time()))
    data = folder / "data"
    source = folder / "istio.om.txt"
    source.write_text(openmetrics(traffic, end, minutes))
    subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", str(source), str(data)],
        check=True,
        capture_output=True,
    )
    config = folder / "prometheus.yml"
    config.write_text("global: {}\n")
    port = _free_port()
    log = (folder / "prometheus.log").open("w")
    process = subprocess.Popen(
        [
            prometheus,
            f"--config.file={config}",
            f"--storage.tsdb.path={data}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--storage.tsdb.retention.time=1y",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"prometheus did not start:\n{(folder / 'prometheus.log').read_text()[-3000:]}")
            time.sleep(0.2)
        yield LocalPrometheus(url, end)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
