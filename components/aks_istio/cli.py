"""`python -m aks_istio preview --stack dev`: render a stack offline and check it, with no credentials.

Exit codes: 0 clean, 1 a mandatory policy violation, 2 invalid stack config (nothing is declared).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aks_istio.config import ConfigError, StackConfig, load_stack_config
from aks_istio.offline import fast_path, stack_files

EXIT_OK, EXIT_VIOLATION, EXIT_INVALID_CONFIG = 0, 1, 2
STACK_HELP = (
    "the path of any stack file, or a stack name: Pulumi.<name>.yaml in the current folder's Pulumi project,"
    " else in this package's sample stacks (dev, staging, prod)"
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m aks_istio", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    preview = commands.add_parser("preview", help="render what a stack would deploy and run the policy pack")
    check = commands.add_parser("check", help="run the policy pack over a stack's resources; print only the verdict")
    for command in (preview, check):
        command.add_argument("--stack", required=True, help=STACK_HELP)
        command.add_argument("--json", action="store_true", help="machine-readable output")
        command.add_argument(
            "--sarif",
            nargs="?",
            const="-",
            metavar="PATH",
            help="write the verdict as SARIF 2.1.0 to PATH (or stdout, instead of the text output, without PATH)",
        )
    commands.add_parser("config-reference", help="print the stack-config reference (Markdown)")
    bundle = commands.add_parser(
        "policy-bundle", help="write the policy pack as one self-contained folder (for `pulumi policy publish`)"
    )
    bundle.add_argument("directory", help="where to write it (replaced if it exists), e.g. dist/policy")
    upgrade = commands.add_parser(
        "upgrade-plan", help="print a canary revision upgrade phase by phase: edits, changes, checks between phases"
    )
    upgrade.add_argument("--stack", required=True, help=STACK_HELP)
    upgrade.add_argument("--to", help="target revision (default: mesh.upgrade.to, else the newest allowed)")
    upgrade.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def run() -> None:
    """The command's entry point (`python -m aks_istio`, the `aks-istio` script)."""
    # One short-lived process that allocates hundreds of thousands of long-lived objects (the provider SDKs'
    # classes, Pulumi's outputs) and frees almost none before it exits: the cyclic GC would rescan them again and
    # again for nothing. Off, a prod verdict takes about a third less wall time (benchmarks/verdict_time.py).
    # This is the offline command's own process; `pulumi up` runs __main__.py, which leaves the GC on.
    gc.disable()
    # No uvloop: measured for issue #7 (uvloop 0.23.0, prod check, 2 cores, 2 x 20 alternated cold runs) it
    # took 0.7-1.2% off the wall time (2.127 -> 2.101 s) and ~4% off the capture: the program's time goes to
    # imports and output bookkeeping, not to the event loop. Not worth a platform-specific dependency.
    fast_path.enable()  # the SDK loaders here, analyze_once in the pack it starts (unless AKS_ISTIO_SDK_AS_IS=1)
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip the interpreter's teardown, which frees those objects one by one (about half a second); every file
    # we write is closed and the policy pack process is stopped by the time main() returns.
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "policy-bundle":
        from aks_istio.offline.policy_bundle import build

        print(f"wrote {build(Path(args.directory))}: pulumi policy publish {args.directory}")
        return EXIT_OK
    if args.command == "config-reference":
        from aks_istio.offline.config_reference import reference

        print(reference(), end="")
        return EXIT_OK
    try:
        stack, path = stack_files.locate(args.stack)
        raw = stack_files.read_config(path)
    except (FileNotFoundError, stack_files.StackFileError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID_CONFIG
    try:
        config = load_stack_config(raw.get("aks-istio:platform"))
        if args.command == "upgrade-plan":
            return _upgrade_plan(stack, config, args.to, as_json=args.json)
    except ConfigError as error:
        if args.json:
            print(json.dumps({"stack": stack, "configErrors": error.problems}, indent=2))
        else:
            print(f"stack {stack}: {error}", file=sys.stderr)
        return EXIT_INVALID_CONFIG
    stack_file = os.path.relpath(path) if path.resolve().is_relative_to(Path.cwd()) else str(path)
    return _preview(stack, raw, as_json=args.json, tree=args.command == "preview", sarif=args.sarif, file=stack_file)


def _upgrade_plan(stack: str, config: StackConfig, to: str | None, *, as_json: bool) -> int:
    """Raises ConfigError when the target is refused (reported like a bad stack file)."""
    from aks_istio.offline.upgrade_plan import PlanError, plan, render

    try:
        upgrade = plan(stack, config, to)
    except PlanError as error:
        print(f"stack {stack}: {error}", file=sys.stderr)
        return EXIT_INVALID_CONFIG
    print(json.dumps(upgrade.as_json(), indent=2) if as_json else render(upgrade))
    return EXIT_OK


def _preview(
    stack: str, raw: dict[str, object], *, as_json: bool, tree: bool = True, sarif: str | None = None, file: str = ""
) -> int:
    # Imported here so a config error is reported before the Pulumi SDKs load.
    from aks_istio.offline import render, verdict
    from aks_istio.offline.capture import run_program

    platform = raw.get("aks-istio:platform")
    environment = platform.get("environment") if isinstance(platform, dict) else None
    # The pack starts before the capture, so its start-up overlaps the program run, and each resource goes to it
    # as soon as the program registers it: by the time the program ends, most of the verdict is in.
    stream = verdict.stream(stack, environment=environment)
    try:
        capture = run_program(stack, raw, on_register=stream.add)
    except BaseException:
        stream.close()
        raise
    result = stream.finish()
    if sarif is not None:
        from aks_istio.offline.sarif import to_sarif

        document = json.dumps(to_sarif(result, stack_file=file), indent=2)
        if sarif == "-":
            print(document)
            return EXIT_VIOLATION if result.blocking else EXIT_OK
        Path(sarif).write_text(document + "\n")
    if as_json:
        output: dict[str, Any] = render.capture_json(capture) if tree else {"stack": stack}
        output["policy"] = {
            "ran": result.ran,
            "environment": result.environment,
            "violations": [v.__dict__ for v in result.violations],
        }
        print(json.dumps(output, indent=2))
    else:
        if tree:
            print(render.tree(capture))
        print(verdict.format_text(result, {r.urn: r.type for r in capture.resources}))
    return EXIT_VIOLATION if result.blocking else EXIT_OK
