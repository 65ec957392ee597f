"""`fleet plan` at scale: a fleet file of N clusters (each its own stack file, on mixed Kubernetes versions and
revisions) planned by the real command in a cold process (wall time includes start-up, reading and validating
every stack file). Prints wall time and peak RSS; writes benchmarks/results/fleet_plan.json.
Target: 1,000 clusters planned in at most 5 s.

    python benchmarks/fleet_plan.py [--clusters 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from _common import ROOT, timed_command, write

TARGET_SECONDS = 5.0
# (Kubernetes, revision) starting points that each have a route to 1.35 / asm-1-30 in the shipped catalog.
STARTS = (("1.32", "asm-1-26"), ("1.33", "asm-1-27"), ("1.34", "asm-1-28"), ("1.35", "asm-1-29"), ("1.35", "asm-1-30"))
WAVES = ("canary", "wave-1", "wave-2", "wave-3")


def write_fleet(folder: Path, clusters: int) -> Path:
    stacks = folder / "stacks"
    stacks.mkdir()
    template = (ROOT / "examples" / "fleet" / "stacks" / "Pulumi.weu-1.yaml").read_text()
    entries = []
    for index in range(clusters):
        kubernetes, revision = STARTS[index % len(STARTS)]
        text = (
            template.replace("aks-payments-weu-1", f"aks-bench-{index:04d}")
            .replace('kubernetesVersion: "1.34"', f'kubernetesVersion: "{kubernetes}"')
            .replace("revision: asm-1-28", f"revision: {revision}")
        )
        (stacks / f"Pulumi.c{index:04d}.yaml").write_text(text)
        wave = WAVES[0] if index == 0 else WAVES[1 + index % (len(WAVES) - 1)]
        entries.append(f"    - {{stack: stacks/Pulumi.c{index:04d}.yaml, wave: {wave}}}")
    fleet = folder / "fleet.yaml"
    fleet.write_text(
        "fleet:\n  name: bench\n  target: {kubernetesVersion: '1.35', meshRevision: asm-1-30}\n  waves:\n"
        + "".join(f"    - {{name: {w}, maxParallel: 10}}\n" for w in WAVES)
        + "  clusters:\n"
        + "\n".join(entries)
        + "\n"
    )
    return fleet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        fleet = write_fleet(Path(folder), args.clusters)
        result = timed_command(
            [sys.executable, "-m", "aks_istio", "fleet", "plan", "--fleet", str(fleet), "--json"],
            runs=args.runs,
            env={"PYTHONPATH": str(ROOT / "components")},
        )
    verdict = "met" if result["median_s"] <= TARGET_SECONDS and result["exit_codes"] == [0] else "NOT met"
    print(
        f"fleet plan, {args.clusters} clusters: {result['median_s']} s median of {result['runs']} cold runs "
        f"(min {result['min_s']} s), peak RSS {result['peak_rss_mb']} MB, exit {result['exit_codes']}; "
        f"target <= {TARGET_SECONDS} s: {verdict}"
    )
    path = write("fleet_plan", {"clusters": args.clusters, "target_s": TARGET_SECONDS, **result})
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
