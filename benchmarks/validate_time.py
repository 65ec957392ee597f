"""`aks-istio validate` time: a cold process checks one stack file alone (YAML, the config types, secrets; no
Pulumi SDK, no policy pack), as an editor or a pre-commit hook runs it. Target: at most 0.3 s on this repository's
2-core CI machine class. Also reports what the process imports (the heavy packages must be absent) and where
its import time goes, by top-level package (`python -X importtime`, self times summed).
Writes benchmarks/results/validate_time.json.

    python benchmarks/validate_time.py [--runs 10] [--stack prod]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys

from _common import ROOT, timed_command, write

TARGET_S = 0.3
HEAVY = ("pulumi", "pulumi_azure_native", "pulumi_kubernetes", "pulumi_policy", "grpc")


def imported_packages(stack: str) -> list[str]:
    """The top-level packages a `validate` process imports, among HEAVY."""
    probe = (
        "import sys\nfrom aks_istio import cli\ncli.main(['validate', '--stack', sys.argv[1]])\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r}))"
    )
    out = subprocess.run([sys.executable, "-c", probe, stack], capture_output=True, text=True, cwd=ROOT)
    return out.stdout.splitlines()[-1:] or [out.stderr]


def import_ms_by_package(argv: list[str], runs: int = 5) -> dict[str, float]:
    """Milliseconds of import time (each module's own, `-X importtime`) per top-level package, the median of `runs`
    cold processes, largest first."""
    samples: dict[str, list[float]] = {}
    for _ in range(runs):
        out = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], capture_output=True, text=True, cwd=ROOT)
        spent: dict[str, float] = {}
        for line in out.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            own, _, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
            package = name.split(".")[0]
            spent[package] = spent.get(package, 0.0) + int(own) / 1000
        for package, ms in spent.items():
            samples.setdefault(package, []).append(ms)
    medians = {package: round(statistics.median(ms), 1) for package, ms in samples.items()}
    return dict(sorted(medians.items(), key=lambda item: -item[1]))


def cpu_seconds(argv: list[str], runs: int) -> float:
    """Median CPU time (user + system) of `runs` cold processes: what the command costs on a core of its own,
    which a loaded machine's wall time hides (the shared CI machine runs other jobs beside it)."""
    spent = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(argv, capture_output=True, cwd=ROOT, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        spent.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return round(statistics.median(spent), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--stack", default="prod")
    args = parser.parse_args()
    argv = [sys.executable, "-m", "aks_istio", "validate", "--stack", args.stack]
    timing = timed_command(argv, runs=args.runs)
    timing["cpu_median_s"] = cpu_seconds(argv, args.runs)
    heavy = imported_packages(args.stack)
    imports = import_ms_by_package(argv)
    verdict = "met" if timing["median_s"] <= TARGET_S else "NOT met"
    print(
        f"validate --stack {args.stack}: wall median {timing['median_s']} s (min {timing['min_s']} s), CPU median "
        f"{timing['cpu_median_s']} s over {timing['runs']} cold runs, peak {timing['peak_rss_mb']} MB, exit "
        f"{timing['exit_codes']}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; target wall "
        f"<= {TARGET_S} s: {verdict}"
    )
    print(f"heavy packages imported: {heavy[0]}")
    top = ", ".join(f"{package} {ms} ms" for package, ms in list(imports.items())[:8])
    print(f"import time by package (median of 5, -X importtime's own overhead included): {top}")
    result = {"stack": args.stack, "validate": timing, "target_s": TARGET_S, "heavy": heavy, "import_ms": imports}
    path = write("validate_time", result)
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
