"""Shared helpers for the benchmark scripts: timing, peak memory, and where results go."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
# The checkout's library (components/ is its source root), whatever the virtualenv has installed.
if str(ROOT / "components") not in sys.path:
    sys.path.insert(0, str(ROOT / "components"))


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_1m": os.getloadavg()[0],
    }


def timed_command(
    argv: Sequence[str], *, runs: int, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Wall time (median of `runs` cold processes) and peak RSS of a command, measured by GNU time if present."""
    walls: list[float] = []
    peak_kb = 0
    codes: set[int] = set()
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(
            ["/usr/bin/time", "-f", "%M", *argv] if Path("/usr/bin/time").exists() else list(argv),
            cwd=cwd,
            env=None if env is None else {**os.environ, **env},
            capture_output=True,
            text=True,
        )
        walls.append(time.perf_counter() - start)
        codes.add(result.returncode)
        last = result.stderr.strip().splitlines()[-1:] if result.stderr.strip() else []
        if last and last[0].isdigit():
            peak_kb = max(peak_kb, int(last[0]))
    return {
        "median_s": round(statistics.median(walls), 3),
        "min_s": round(min(walls), 3),
        "runs": runs,
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "exit_codes": sorted(codes),
    }


def write(name: str, result: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **result}, indent=2) + "\n")
    return path
