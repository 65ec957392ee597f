"""`aks-istio check --program` wall time: a cold process judging another team's program (the fixture programs of
tests/fixtures/programs/), measured against the program's own `python __main__.py`-style run under mocks alone
(the harness without the pack), so the figure shows what the check adds to running the program at all.
Writes benchmarks/results/program_check_time.json.

    python benchmarks/program_check_time.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import sys

from _common import ROOT, timed_command, write

PROGRAMS = ROOT / "tests" / "fixtures" / "programs"
SHAPES = {
    "native-aks-addon": [],
    "classic-fleet": [],
    "k8s-istio-yaml": ["--policy-config", str(PROGRAMS / "k8s-istio-yaml" / "addon-target.json")],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from aks_istio.offline.program_project import load_project
    from aks_istio.offline.program_run import HARNESS

    results = {}
    for shape, extra in SHAPES.items():
        project = load_project(PROGRAMS / shape, None, {})
        job = json.dumps({"project": project.name, "stack": project.stack, "root": ".", "main": "."})
        alone = [
            sys.executable,
            "-c",
            f"import subprocess,sys; subprocess.run([sys.executable, {str(HARNESS)!r}],"
            f" input={job!r}, text=True, capture_output=True, cwd={str(PROGRAMS / shape)!r},"
            f" env={{**__import__('os').environ, **{project.engine_env()!r}}})",
        ]
        check = [sys.executable, "-m", "aks_istio", "check", "--program", str(PROGRAMS / shape), *extra]
        results[shape] = {
            "program_under_mocks": timed_command(alone, runs=args.runs),
            "check_program": timed_command(check, runs=args.runs),
        }
        ran, checked = results[shape]["program_under_mocks"], results[shape]["check_program"]
        print(
            f"{shape:18} program under mocks {ran['median_s']:.2f} s   check --program {checked['median_s']:.2f} s"
            f" (exit {checked['exit_codes']}, peak {checked['peak_rss_mb']} MB)"
        )
    print(f"wrote {write('program_check_time', {'shapes': results})}")


if __name__ == "__main__":
    main()
