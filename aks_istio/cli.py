"""`python -m aks_istio preview --stack dev`: render a stack offline and check it, with no credentials.

Exit codes: 0 clean, 1 a mandatory policy violation, 2 invalid stack config (nothing is declared).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from components.config import ConfigError, load_stack_config

from . import stack_files

EXIT_OK, EXIT_VIOLATION, EXIT_INVALID_CONFIG = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m aks_istio", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    preview = commands.add_parser("preview", help="render what a stack would deploy and run the policy pack")
    preview.add_argument(
        "--stack", required=True, help="a stack name (stacks/Pulumi.<stack>.yaml) or the path of any stack file"
    )
    preview.add_argument("--json", action="store_true", help="machine-readable output")
    commands.add_parser("config-reference", help="print the stack-config reference (Markdown)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "config-reference":
        from .config_reference import reference

        print(reference(), end="")
        return EXIT_OK
    try:
        stack, raw = stack_files.resolve(args.stack)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID_CONFIG
    try:
        load_stack_config(raw.get("aks-istio:platform"))
    except ConfigError as error:
        if args.json:
            print(json.dumps({"stack": stack, "configErrors": error.problems}, indent=2))
        else:
            print(f"stack {stack}: {error}", file=sys.stderr)
        return EXIT_INVALID_CONFIG
    return _preview(stack, raw, as_json=args.json)


def _preview(stack: str, raw: dict[str, object], *, as_json: bool) -> int:
    # Imported here so a config error is reported before the Pulumi SDKs load.
    from . import render, verdict
    from .capture import run_program

    capture = run_program(stack, raw)
    result = verdict.check(capture, stack)
    if as_json:
        document = render.capture_json(capture)
        document["policy"] = {
            "ran": result.ran,
            "violations": [v.__dict__ for v in result.violations],
        }
        print(json.dumps(document, indent=2))
    else:
        print(render.tree(capture))
        if not result.ran:
            print("Policy: not run (no policy pack wired in)")
    return EXIT_VIOLATION if result.blocking else EXIT_OK
