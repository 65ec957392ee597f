"""Verdict time: a cold process renders the prod stack under mocks and runs the full policy pack over every
resource through the Analyzer protocol; compared, in the same run, with checkov on the same cluster written as
Terraform (benchmarks/terraform/prod). Target: ours <= 0.5x checkov's wall time.
Ours is measured twice: as the `aks-istio` command runs (its fast path, aks_istio/offline/fast_path.py) and with
the provider SDKs and pulumi-policy as shipped (AKS_ISTIO_SDK_AS_IS=1, what the Pulumi engine runs).
Also reports, once, the first run with an empty SDK class cache (what a fresh install pays before `make` warms it).

checkov is installed into its own virtualenv (benchmarks/.venv-checkov) on first use; it runs with
--skip-download so it never waits on the network. Writes benchmarks/results/verdict_time.json.

    python benchmarks/verdict_time.py [--runs 5] [--stack prod]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import ROOT, timed_command, write

CHECKOV_VERSION = "3.3.30"
CHECKOV_VENV = ROOT / "benchmarks" / ".venv-checkov"
TERRAFORM_DIR = ROOT / "benchmarks" / "terraform" / "prod"


def checkov() -> Path:
    binary = CHECKOV_VENV / "bin" / "checkov"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(CHECKOV_VENV)], check=True)
        subprocess.run(
            [str(CHECKOV_VENV / "bin" / "pip"), "install", "--quiet", f"checkov=={CHECKOV_VERSION}"], check=True
        )
    return binary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--stack", default="prod")
    args = parser.parse_args()

    ours_cmd = [sys.executable, "-m", "aks_istio", "check", "--stack", args.stack]
    theirs_cmd = [
        str(checkov()),
        "-d",
        str(TERRAFORM_DIR),
        "--framework",
        "terraform",
        "--quiet",
        "--compact",
        "--skip-download",
    ]
    # Once with an empty SDK class cache: what the first run after installing (or upgrading) the SDKs pays to
    # compile their classes (aks_istio/offline/sdk_shared_modules.py); `make` pays it at install time.
    with tempfile.TemporaryDirectory() as empty:
        first = timed_command(ours_cmd, runs=1, env={"AKS_ISTIO_CACHE_DIR": empty})
    # Alternate the two so load on the machine hits both alike.
    ours, as_shipped, theirs = [], [], []
    for _ in range(args.runs):
        ours.append(timed_command(ours_cmd, runs=1))
        as_shipped.append(timed_command(ours_cmd, runs=1, env={"AKS_ISTIO_SDK_AS_IS": "1"}))
        theirs.append(timed_command(theirs_cmd, runs=1))

    def summary(rows: list[dict[str, object]]) -> dict[str, object]:
        walls = sorted(float(r["median_s"]) for r in rows)  # type: ignore[arg-type]
        return {
            "median_s": walls[len(walls) // 2],
            "min_s": walls[0],
            "peak_rss_mb": max(float(r["peak_rss_mb"]) for r in rows),  # type: ignore[arg-type]
            "exit_codes": sorted({c for r in rows for c in r["exit_codes"]}),  # type: ignore[attr-defined]
        }

    o, s, t = summary(ours), summary(as_shipped), summary(theirs)
    ratio = round(float(o["median_s"]) / float(t["median_s"]), 3)  # type: ignore[arg-type]
    ratio_as_shipped = round(float(s["median_s"]) / float(t["median_s"]), 3)  # type: ignore[arg-type]
    print(f"aks-istio check --stack {args.stack}: median {o['median_s']:.2f} s  peak {o['peak_rss_mb']:.0f} MB")
    print(f"  as shipped (AKS_ISTIO_SDK_AS_IS=1): median {s['median_s']:.2f} s  ratio {ratio_as_shipped}")
    print(f"checkov {CHECKOV_VERSION} (Terraform):   median {t['median_s']:.2f} s  peak {t['peak_rss_mb']:.0f} MB")
    print(f"ratio ours/checkov: {ratio}  (target <= 0.5: {'met' if ratio <= 0.5 else 'NOT met'})")
    print(f"first run with an empty SDK class cache: {first['median_s']:.2f} s (once per SDK install)")
    print(
        "wrote",
        write(
            "verdict_time",
            {
                "stack": args.stack,
                "ours": o,
                "as_shipped": s,
                "checkov": t,
                "ratio": ratio,
                "ratio_as_shipped": ratio_as_shipped,
                "runs": args.runs,
                "first_run": first,
            },
        ),
    )


if __name__ == "__main__":
    main()
