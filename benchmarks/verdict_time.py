"""Verdict time: a cold process renders the prod stack under mocks and runs the full policy pack over every
resource through the Analyzer protocol; compared, in the same run, with checkov on the same cluster written as
Terraform (benchmarks/terraform/prod). Target: ours <= 0.6x checkov's wall time (aim: 0.5x).
Ours is the `aks-istio` command as shipped: pulumi, the provider SDKs and pulumi-policy exactly as the Pulumi
engine runs them.

checkov is installed into its own virtualenv (benchmarks/.venv-checkov) on first use; it runs with
--skip-download so it never waits on the network. Writes benchmarks/results/verdict_time.json.

Both run byte-compiled, as installed: pip byte-compiles a package when it installs it (checkov in its virtualenv,
aks-istio from its wheel), and Python caches the bytecode of a checkout's modules on their first import. A machine
that sets PYTHONDONTWRITEBYTECODE (as this repo's CI machine does) would otherwise compile every module of ours in
every run, and none of checkov's; so this script byte-compiles `components/aks_istio` and `policy/` first (into
their `__pycache__`, as Python would). `--source-only` measures ours as such a checkout runs: it removes those
`__pycache__` folders and runs ours with PYTHONDONTWRITEBYTECODE=1.

    python benchmarks/verdict_time.py [--runs 5] [--stack prod] [--source-only]
"""

from __future__ import annotations

import argparse
import compileall
import shutil
import subprocess
import sys
from pathlib import Path

from _common import ROOT, timed_command, write

CHECKOV_VERSION = "3.3.30"
CHECKOV_VENV = ROOT / "benchmarks" / ".venv-checkov"
TERRAFORM_DIR = ROOT / "benchmarks" / "terraform" / "prod"
TARGET, AIM = 0.6, 0.5


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
    parser.add_argument("--source-only", action="store_true", help="do not byte-compile our modules first")
    args = parser.parse_args()
    ours_env: dict[str, str] | None = None
    for folder in (ROOT / "components" / "aks_istio", ROOT / "policy"):
        if args.source_only:  # as such a checkout runs: no bytecode of ours, none written
            for cache in folder.rglob("__pycache__"):
                shutil.rmtree(cache)
            ours_env = {"PYTHONDONTWRITEBYTECODE": "1"}
        else:
            compileall.compile_dir(folder, quiet=1)

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
    # Alternate the two so load on the machine hits both alike.
    ours, theirs = [], []
    for _ in range(args.runs):
        ours.append(timed_command(ours_cmd, runs=1, env=ours_env))
        theirs.append(timed_command(theirs_cmd, runs=1))

    def summary(rows: list[dict[str, object]]) -> dict[str, object]:
        walls = sorted(float(r["median_s"]) for r in rows)  # type: ignore[arg-type]
        return {
            "median_s": walls[len(walls) // 2],
            "min_s": walls[0],
            "peak_rss_mb": max(float(r["peak_rss_mb"]) for r in rows),  # type: ignore[arg-type]
            "exit_codes": sorted({c for r in rows for c in r["exit_codes"]}),  # type: ignore[attr-defined]
        }

    o, t = summary(ours), summary(theirs)
    ratio = round(float(o["median_s"]) / float(t["median_s"]), 3)  # type: ignore[arg-type]
    verdict = "aim met" if ratio <= AIM else "target met" if ratio <= TARGET else "NOT met"
    compiled = "from source" if args.source_only else "byte-compiled"
    print(f"aks-istio check --stack {args.stack} ({compiled}): median {o['median_s']:.2f} s", end="")
    print(f"  peak {o['peak_rss_mb']:.0f} MB")
    print(f"checkov {CHECKOV_VERSION} (Terraform):   median {t['median_s']:.2f} s  peak {t['peak_rss_mb']:.0f} MB")
    print(f"ratio ours/checkov: {ratio}  (target <= {TARGET}, aim {AIM}: {verdict})")
    print(
        "wrote",
        write(
            "verdict_time",
            {
                "stack": args.stack,
                "ours": {**o, "byte_compiled": not args.source_only},
                "checkov": t,
                "ratio": ratio,
                "runs": args.runs,
            },
        ),
    )


if __name__ == "__main__":
    main()
