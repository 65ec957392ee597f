"""Fleet scale: 1, 5, 10, 25 clusters declared by one program (several regions and environments).

Each size runs in its own cold process (wall time includes start-up) under the same mocks as the offline
preview. Prints wall time, peak RSS and the cost per cluster; writes benchmarks/results/fleet_scale.json.
Targets: 25 clusters <= 10 s and <= 500 MB, and a flat cost per cluster.

    python benchmarks/fleet_scale.py [--sizes 1 5 10 25]
"""

from __future__ import annotations

import argparse
import sys

from _common import ROOT, timed_command, write

REGIONS = ("westeurope", "northeurope", "swedencentral", "eastus2", "westus3")
ENVIRONMENTS = ("dev", "staging", "prod")


def fleet_program(size: int) -> None:
    """Declare `size` platforms, cycling regions and environments (run inside a child process).

    Set up as the offline tool (aks_istio.cli) runs the program: cyclic GC off."""
    import copy
    import gc

    gc.disable()

    from aks_istio.offline.capture import run_program
    from aks_istio.offline.stack_files import stack_config
    from aks_istio.platform import AksIstioPlatform, AksIstioPlatformArgs

    bases = {env: stack_config(env)["aks-istio:platform"] for env in ENVIRONMENTS}

    def program() -> None:
        for index in range(size):
            env = ENVIRONMENTS[index % len(ENVIRONMENTS)]
            raw = copy.deepcopy(bases[env])
            raw["location"] = REGIONS[index % len(REGIONS)]
            raw["cluster"]["name"] = f"aks-fleet-{index:02d}"
            AksIstioPlatform(f"fleet-{index:02d}", AksIstioPlatformArgs(platform=raw))

    capture = run_program("fleet", {}, program)
    print(len(capture.resources))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 5, 10, 25])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        fleet_program(args.child)
        return
    rows = []
    for size in args.sizes:
        measured = timed_command(
            [sys.executable, str(ROOT / "benchmarks" / "fleet_scale.py"), "--child", str(size)], runs=1
        )
        rows.append({"clusters": size, **measured, "s_per_cluster": round(measured["median_s"] / size, 3)})
        print(
            f"{size:>3} clusters: {measured['median_s']:6.2f} s  {measured['peak_rss_mb']:6.1f} MB  "
            f"{measured['median_s'] / size:5.2f} s/cluster"
        )
    largest = rows[-1]
    verdict = {
        "target_s": 10.0,
        "target_mb": 500.0,
        "met": largest["clusters"] < 25 or (largest["median_s"] <= 10.0 and largest["peak_rss_mb"] <= 500.0),
    }
    print(f"target (25 clusters <= 10 s, <= 500 MB): {'met' if verdict['met'] else 'NOT met'}")
    print("wrote", write("fleet_scale", {"rows": rows, "target": verdict}))


if __name__ == "__main__":
    main()
