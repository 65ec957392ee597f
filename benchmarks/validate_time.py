"""`aks-istio validate` time: a cold process checks one stack file alone (YAML, the config types, secrets; no
Pulumi SDK, no policy pack), as an editor or a pre-commit hook runs it. Target: at most 0.3 s on this repository's
2-core CI machine class. Also reports what the process imports (the heavy packages must be absent).
Writes benchmarks/results/validate_time.json.

    python benchmarks/validate_time.py [--runs 10] [--stack prod]
"""

from __future__ import annotations

import argparse
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--stack", default="prod")
    args = parser.parse_args()
    timing = timed_command([sys.executable, "-m", "aks_istio", "validate", "--stack", args.stack], runs=args.runs)
    heavy = imported_packages(args.stack)
    verdict = "met" if timing["median_s"] <= TARGET_S else "NOT met"
    print(
        f"validate --stack {args.stack}: median {timing['median_s']} s, min {timing['min_s']} s over {timing['runs']} "
        f"cold runs, peak {timing['peak_rss_mb']} MB, exit {timing['exit_codes']}; target <= {TARGET_S} s: {verdict}"
    )
    print(f"heavy packages imported: {heavy[0]}")
    path = write("validate_time", {"stack": args.stack, "validate": timing, "target_s": TARGET_S, "heavy": heavy})
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
