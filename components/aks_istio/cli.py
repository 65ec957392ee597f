"""`aks-istio`: render a stack offline, check it against the policy pack, and more, with no credentials.

Every subcommand registers itself in `_parser()` with a description and help for each option; the exit codes
below mean the same for all of them and are printed by `aks-istio --help`.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aks_istio.offline import report, stack_files

if TYPE_CHECKING:
    from aks_istio.config import StackConfig
    from aks_istio.offline.overlap import Parent
    from aks_istio.offline.pack_process import PolicyPackProcess

EXIT_OK, EXIT_VIOLATION, EXIT_INVALID_CONFIG, EXIT_INTERNAL_ERROR = (
    report.EXIT_OK,
    report.EXIT_VIOLATION,
    report.EXIT_INVALID_INPUT,
    report.EXIT_INTERNAL_ERROR,
)
PROG = "aks-istio"
HELP_WIDTH = 110
REPORT_BUGS_TO = "the aks-istio issue tracker (README: Exit codes)"
STACK_HELP = (
    "the path of any stack file, or a stack name: Pulumi.<name>.yaml in the current folder's Pulumi project,"
    " else, outside any Pulumi project, this package's sample stacks (dev, staging, prod)"
)
EXIT_CODES = f"""exit codes (every subcommand; fleet has its own: aks-istio fleet --help):
  {EXIT_OK}    clean: no mandatory policy finding (upgrade-readiness: a path exists)
  {EXIT_VIOLATION}    only preview and check: a mandatory policy finding; upgrade-readiness: no catalogued revision
       route reaches the target (validate, upgrade-plan, revisions, config-schema, config-reference and
       policy-bundle never exit 1)
  {EXIT_INVALID_CONFIG}    invalid input, nothing declared: no such stack file, YAML syntax, an invalid config value
       or combination, a secret missing or in plain text, a bad argument; every problem at once, as file:line
  {EXIT_INTERNAL_ERROR}    internal error (a bug in aks-istio): one line; please report it with the command you ran
  130  interrupted (Ctrl-C)
Paths in every output are relative to the repository the stack file is in (its git top level, else its Pulumi
project folder), whatever folder the command runs from. --json output: docs/preview-output.schema.json."""


def _command(commands: Any, name: str, summary: str, details: str = "") -> argparse.ArgumentParser:
    """A subcommand with its one-line summary (in `aks-istio --help`) and description (in its own --help)."""
    description = f"{summary[0].upper()}{summary[1:]}.{f' {details}' if details else ''}"
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        help=summary,
        description=textwrap.fill(description, HELP_WIDTH),
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def _sarif_path(value: str) -> str:
    """`--sarif PATH`: its folder must exist, checked before anything runs (a missing `reports/` was an internal
    error once the verdict was in); SARIF is written even for invalid input, so it is checked first."""
    folder = Path(value).parent
    if value != "-" and not folder.is_dir():
        raise argparse.ArgumentTypeError(f"{value}: there is no folder {folder}; create it first")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=__doc__.splitlines()[0].removeprefix("`aks-istio`: ").capitalize(),
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", help="one of:")
    preview = _command(
        commands,
        "preview",
        "render what a stack would deploy and run the policy pack over it",
        "Runs the Pulumi program under mocks (no credentials) and the policy pack through its Analyzer protocol.",
    )
    check = _command(
        commands, "check", "run the policy pack over a stack's resources and print only the verdict, by resource"
    )
    for command in (preview, check):
        command.add_argument(
            "--stack", help=f"{STACK_HELP}; with --program: a stack of the program (default: its only one)"
        )
        command.add_argument(
            "--program",
            metavar="DIR",
            help="judge another team's Pulumi Python program (the folder of its Pulumi.yaml) under mocks, offline",
        )
        command.add_argument(
            "--policy-config",
            metavar="FILE",
            help="with --program: a policy config (the --policy-pack-config JSON format); default: the pack's defaults",
        )
        command.add_argument(
            "--answers",
            metavar="FILE",
            help="with --program: results of provider functions, stack references and ESC imports the mocks cannot"
            " answer (docs/policy.md#answers-file)",
        )
        command.add_argument(
            "--json", action="store_true", help="print one JSON document (docs/preview-output.schema.json)"
        )
        command.add_argument(
            "--sarif",
            nargs="?",
            const="-",
            type=_sarif_path,
            metavar="PATH",
            help="write the verdict as SARIF 2.1.0 to PATH (or stdout, instead of the text output, without PATH)",
        )
    validate = _command(
        commands,
        "validate",
        "check stack files alone, fast: every problem at once as file:line; nothing is run",
        "Reads the stack file only (its YAML, the aks-istio:platform object, its secrets), as preview and check do "
        "before anything is declared: no Pulumi SDK, no policy pack. For editors and pre-commit "
        "(.pre-commit-hooks.yaml). Warnings (an API server open to the internet in dev, a revision past end of life or "
        "newer than the catalog) are shown at their lines and do not change the exit code. Exit 0 when every file is "
        "valid, else 2.",
    )
    validate.add_argument("--stack", action="append", default=[], help=f"{STACK_HELP}; repeat for several")
    validate.add_argument("files", nargs="*", metavar="FILE", help="more stack files, as pre-commit passes them")
    validate.add_argument(
        "--json",
        action="store_true",
        help="print one JSON document per stack file, one per line (docs/preview-output.schema.json, as check's)",
    )
    _command(
        commands,
        "config-schema",
        "print the stack file's JSON Schema, for editors that validate and complete Pulumi.<stack>.yaml",
        "Save it (aks-istio config-schema > aks-istio.schema.json) and name it on a stack file's first line: "
        "# yaml-language-server: $schema=./aks-istio.schema.json",
    )
    _command(commands, "config-reference", "print the stack-config reference (Markdown)")
    bundle = _command(
        commands,
        "policy-bundle",
        "write the policy pack as one self-contained folder, for `pulumi policy publish`",
        "Writes into a new or empty folder, or one an earlier bundle wrote: it removes only the files that bundle "
        "wrote (listed in its .aks-istio-policy-bundle manifest); anything else in the folder stays.",
    )
    bundle.add_argument(
        "directory", help="where to write it: a new or empty folder, or one an earlier bundle wrote; e.g. dist/policy"
    )
    upgrade = _command(
        commands,
        "upgrade-plan",
        "print a canary revision upgrade phase by phase: edits, changes, checks between phases",
    )
    upgrade.add_argument("--stack", required=True, help=STACK_HELP)
    upgrade.add_argument("--to", help="target revision (default: mesh.upgrade.to, else the newest allowed)")
    upgrade.add_argument("--json", action="store_true", help="print the plan as JSON")
    from aks_istio.fleet.cli import add_commands as add_fleet_commands
    from aks_istio.offline.revisions_cli import add_commands

    add_commands(commands, _command, STACK_HELP)
    add_fleet_commands(commands, _command)
    return parser


def run() -> None:
    """The command's entry point (the `aks-istio` script; `python -m aks_istio` too)."""
    # One short-lived process that allocates hundreds of thousands of long-lived objects (the provider SDKs'
    # classes, Pulumi's outputs) and frees almost none before it exits: the cyclic GC would rescan them again and
    # again for nothing. Off, a prod verdict takes about a third less wall time (benchmarks/verdict_time.py).
    # This is the offline command's own process; `pulumi up` runs __main__.py, which leaves the GC on.
    gc.disable()
    # No uvloop: measured for issue #7 (uvloop 0.23.0, prod check, 2 cores, 2 x 20 alternated cold runs) it
    # took 0.7-1.2% off the wall time (2.127 -> 2.101 s) and ~4% off the capture: the program's time goes to
    # imports and output bookkeeping, not to the event loop. Not worth a platform-specific dependency.
    # The verdict commands validate the stack file in this process while a forked one loads the program
    # (`aks_istio.offline.overlap`); only here, in the command's own process: main() called in-process (tests, other
    # tools) stays in one process.
    code = guarded(lambda: main(two_processes=True))
    # Skip the interpreter's teardown, which frees those objects one by one (about half a second); every file
    # we write is closed and the policy pack process is stopped by the time main() returns.
    os._exit(code)


def guarded(command: Callable[[], int]) -> int:
    """`command()`'s exit code, with no traceback ever: a closed pipe (`| head`) ends quietly, Ctrl-C is 130,
    a bug is one line saying where to report it, exit 3."""
    try:
        code = command()
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader left; Python would complain again while flushing stdout at exit, so point it at devnull.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # the promise is "no traceback", whatever failed
        print(
            f"aks-istio: internal error ({type(error).__name__}: {error}); please report it, with the command you "
            f"ran, to {REPORT_BUGS_TO}",
            file=sys.stderr,
        )
        return EXIT_INTERNAL_ERROR
    sys.stderr.flush()
    return code


def main(argv: Sequence[str] | None = None, *, two_processes: bool = False) -> int:
    """The command's exit code. `two_processes`: `check`/`preview --stack` may fork (`aks_istio.offline.overlap`);
    only a process that ends when the command does may ask for that."""
    args = _parser().parse_args(argv)
    if args.command == "policy-bundle":
        from aks_istio.addon.catalog import CatalogError
        from aks_istio.offline.policy_bundle import BundleError, build

        try:
            print(f"wrote {build(Path(args.directory))}: pulumi policy publish {args.directory}")
        except (BundleError, CatalogError) as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_INVALID_CONFIG
        except OSError as error:  # a folder the user cannot write (or on a read-only file system): not our bug
            print(f"error: cannot write the bundle to {args.directory}: {error.strerror or error}", file=sys.stderr)
            return EXIT_INVALID_CONFIG
        return EXIT_OK
    if args.command == "validate":
        return _validate([*args.stack, *args.files], as_json=args.json)
    if args.command == "config-schema":
        from aks_istio.offline.config_schema import stack_file_schema

        print(json.dumps(stack_file_schema(), indent=2))
        return EXIT_OK
    if args.command == "config-reference":
        from aks_istio.offline.config_reference import reference

        print(reference(), end="")
        return EXIT_OK
    if args.command == "fleet":
        from aks_istio.fleet import cli as fleet_cli

        return fleet_cli.run(args)
    if args.command == "revisions":
        from aks_istio.offline.revisions_cli import revisions

        return revisions(args)
    # The config models (pydantic) load only for the commands that read a stack file (open_stack).
    from aks_istio.config import ConfigError

    as_json = bool(getattr(args, "json", False))
    sarif: str | None = getattr(args, "sarif", None)
    if getattr(args, "program", None) is not None:
        from aks_istio.offline.program_check import check_program

        return check_program(
            Path(args.program),
            args.stack,
            command=args.command,
            policy_config=Path(args.policy_config) if args.policy_config else None,
            answers_file=Path(args.answers) if args.answers else None,
            as_json=as_json,
            sarif=sarif,
        )
    if args.command in ("preview", "check") and (args.stack is None or args.policy_config or args.answers):
        usage = (
            "give --stack NAME (a stack of this project, or a stack file) or --program DIR (another team's program)"
            if args.stack is None
            else "--policy-config and --answers go with --program DIR; a stack's policy config follows its environment"
        )
        print(f"aks-istio {args.command}: {usage}", file=sys.stderr)
        return EXIT_INVALID_CONFIG
    verdict_command = args.command in ("preview", "check")
    pack: PolicyPackProcess | None = None
    parent: Parent | None = None
    if two_processes and verdict_command:
        from aks_istio.offline.overlap import Parent, Runner, fork_runner

        side = fork_runner(args.stack)
        parent = side if isinstance(side, Parent) else None
        if isinstance(side, Runner):
            opened, pack = side.handed(warm_up=_load_program_modules)
    if pack is None:
        try:
            opened = open_stack(args.stack, for_deployment=verdict_command)
        except BaseException:  # Ctrl-C (the runner got it too) or a bug: the runner ends before this process does
            if parent is not None:
                parent.stop()
            raise
    if opened.problems or opened.config is None or opened.path is None:
        if parent is not None:
            parent.stop()
        return _invalid(args.command, opened.stack, opened.source, opened.problems, as_json=as_json, sarif=sarif)
    if parent is not None:
        return parent.hand_over(opened)
    stack, config, path, source = opened.stack, opened.config, opened.path, opened.source
    if args.command == "upgrade-readiness":
        from aks_istio.offline.revisions_cli import upgrade_readiness

        return upgrade_readiness(stack, config, args, str(source), stack_files.key_lines(path))
    if args.command == "upgrade-plan":
        try:
            return _upgrade_plan(stack, config, args.to, as_json=as_json)
        except ConfigError as error:
            problems = placed(error.problems, path, {})
            return _invalid(args.command, stack, source, problems, as_json=as_json, sarif=sarif)
    return _preview(
        stack,
        opened.raw,
        config,
        path,
        as_json=as_json,
        tree=args.command == "preview",
        sarif=sarif,
        file=source,
        pack=pack,
    )


def _load_program_modules() -> None:
    """What `_preview` loads: the program with its components and SDKs, the capture, the verdict."""
    import aks_istio.config.finding_keys
    import aks_istio.offline.capture
    import aks_istio.offline.verdict
    import aks_istio.platform
    import aks_istio.program  # noqa: F401


@dataclass
class OpenedStack:
    """A stack file read and validated as every command needs it first; `problems` lists why it cannot be used
    (each placed at its line), and then nothing may be declared."""

    stack: str
    source: stack_files.SourceFile
    path: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    config: StackConfig | None = None
    problems: list[Placed] = field(default_factory=list)


def open_stack(argument: str, *, for_deployment: bool = True) -> OpenedStack:
    """Find, read and validate the stack `argument` names (a name or a file); unless `for_deployment` is false, also
    what a deployment needs beyond the file's own values: its secrets, names no other stack of the project declares.
    Nothing of Pulumi is imported."""
    try:
        stack, path = stack_files.locate(argument)
        source = stack_files.source_file(path)
        raw = stack_files.read_config(path)
    except stack_files.StackFileError as error:
        stack = Path(argument).name.removeprefix("Pulumi.").rsplit(".", 1)[0]
        # A name that matched no file is echoed as given; a file is named from its repository's root.
        named = isinstance(error, stack_files.MissingStackFileError) and not Path(error.path).parent.exists()
        where = stack_files.SourceFile(error.path, Path.cwd()) if named else stack_files.source_file(Path(error.path))
        return OpenedStack(stack, where, problems=[(error.detail, None, error.line)])
    from aks_istio.config import ConfigError, load_stack_config
    from aks_istio.offline.revisions_cli import use_catalog_beside

    use_catalog_beside(str(path))
    from aks_istio.config.secrets import secret_keys, secret_keys_of_invalid, secret_problems

    secret_keys_named: dict[str, str] = {}
    try:
        config = load_stack_config(raw.get("aks-istio:platform"))
        if for_deployment:
            from aks_istio.offline.stack_names import name_clash_problems

            secret_keys_named = secret_keys(config)
            problems = secret_problems(secret_keys_named, raw) + name_clash_problems(path, config)
            if problems:
                raise ConfigError(problems)
    except ConfigError as error:
        problems = list(error.problems)
        if for_deployment and not secret_keys_named:
            # Every problem at once: a plain-text secret is not hidden behind the file's other mistakes.
            secret_keys_named = secret_keys_of_invalid(raw.get("aks-istio:platform"))
            problems += secret_problems(secret_keys_named, raw)
        return OpenedStack(stack, source, path, raw, problems=placed(problems, path, secret_keys_named))
    return OpenedStack(stack, source, path, raw, config)


def _validate(arguments: Sequence[str], *, as_json: bool = False) -> int:
    """`validate`: each stack file alone; every problem of every file at once. With `as_json`, one document per
    file, each on a line of its own (JSON Lines: one file's output is one plain JSON document)."""
    if not arguments:
        print("error: name a stack file (--stack X, or files as pre-commit passes them)", file=sys.stderr)
        return EXIT_INVALID_CONFIG
    code = EXIT_OK
    for argument in dict.fromkeys(arguments):
        opened = open_stack(argument)
        if opened.problems or opened.config is None or opened.path is None:
            code = EXIT_INVALID_CONFIG
            if as_json:
                print(json.dumps(_invalid_document("validate", opened.stack, opened.source, opened.problems)))
            else:
                _invalid("validate", opened.stack, opened.source, opened.problems, as_json=False, sarif=None)
            continue
        messages = stack_files.sample_warnings(opened.source) + stack_warnings(opened.config)
        lines = stack_files.key_lines(opened.path) if messages else {}  # a second parse only to place a warning
        warnings = report.placed_warnings(messages, opened.config, lines)
        if as_json:
            document = report.document(
                command="validate",
                stack=opened.stack,
                file=str(opened.source),
                exit_code=EXIT_OK,
                warnings=warnings,
                config=opened.config,
            )
            print(json.dumps(document))
            continue
        for line in report.warning_lines(warnings, str(opened.source)):
            print(line, file=sys.stderr)
        print(f"{opened.source}: stack {opened.stack} is valid")
    return code


def stack_warnings(config: StackConfig) -> list[str]:
    """What a valid stack file is warned about, judged from the file alone and today's date, in the words the
    program logs them with under `pulumi up` and `check` (its config's warnings, its revisions' life cycle)."""
    from datetime import date

    from aks_istio.config.presets import config_warnings
    from aks_istio.mesh.phases import revision_warnings

    revisions = revision_warnings(config.mesh, date.today(), kubernetes_version=config.cluster.kubernetes_version)
    return config_warnings(config) + revisions


Placed = tuple[str, str | None, int | None]
"""A problem's message, the config key it names (or None) and its line in the stack file (or None)."""


def placed(problems: Sequence[str], path: Path, secrets: Mapping[str, str]) -> list[Placed]:
    """Each problem at its own line, in the file's order: a key under `aks-istio:platform` at its line (else its
    nearest ancestor's); a secret config key at the line holding its plain-text value, or, when it is missing, at
    the key that names it (`secrets`: secret config key -> the platform key naming it)."""

    from aks_istio.config.invalid import CONFIG_ROOT, key_of

    lines = stack_files.key_lines(path)
    values: dict[str, int] | None = None
    result: list[Placed] = []
    for problem in problems:
        key = key_of(problem)
        if key == CONFIG_ROOT or key.startswith((f"{CONFIG_ROOT}.", f"{CONFIG_ROOT}[")):
            result.append((problem, key, stack_files.line_of(lines, key.removeprefix(CONFIG_ROOT).removeprefix("."))))
        elif key.startswith(f"{stack_files.PROJECT}:"):
            values = stack_files.config_value_lines(path) if values is None else values
            named_by = secrets.get(key)
            result.append(
                (problem, key, values.get(key) or (stack_files.line_of(lines, named_by) if named_by else None))
            )
        else:
            result.append((problem, None, None))
    # In the file's order, as people read and fix it (validation finds them field errors first, then the rules
    # across keys); a problem of no line (the file as a whole) last.
    return sorted(result, key=lambda placed: (placed[2] is None, placed[2] or 0))


def _invalid(
    command: str,
    stack: str,
    file: stack_files.SourceFile,
    problems: Sequence[Placed],
    *,
    as_json: bool,
    sarif: str | None,
) -> int:
    """Report an invalid input (exit 2) in the output the user asked for; SARIF too, so a CI upload step has its
    file and shows the problems at their lines."""
    if sarif is not None:
        from aks_istio.offline.sarif import config_errors_sarif

        text = json.dumps(config_errors_sarif(problems, stack=stack, stack_file=file), indent=2)
        if sarif == "-":
            print(text)
            return EXIT_INVALID_CONFIG
        Path(sarif).write_text(text + "\n")
    if as_json:
        print(json.dumps(_invalid_document(command, stack, file, problems), indent=2))
        return EXIT_INVALID_CONFIG
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    print(f"stack {stack}: invalid input ({count}); nothing was declared:", file=sys.stderr)
    for message, _, line in problems:
        print(f"  {file}{f':{line}' if line else ''}: {message}", file=sys.stderr)
    return EXIT_INVALID_CONFIG


def _invalid_document(
    command: str, stack: str, file: stack_files.SourceFile, problems: Sequence[Placed]
) -> dict[str, Any]:
    """The --json document of an invalid input: every problem in `configErrors`, at its key and line."""
    errors = [report.config_error(message, line) for message, _, line in problems]
    return report.document(
        command=command, stack=stack, file=str(file), exit_code=EXIT_INVALID_CONFIG, config_errors=errors
    )


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
    stack: str,
    raw: dict[str, Any],
    config: StackConfig,
    path: Path,
    *,
    as_json: bool,
    tree: bool,
    sarif: str | None,
    file: stack_files.SourceFile,
    pack: PolicyPackProcess | None = None,
) -> int:
    """`pack`: the policy pack, if already started for this stack."""
    # Imported here so a config error is reported before the Pulumi SDKs load.
    from aks_istio.config.finding_keys import stack_key
    from aks_istio.offline import verdict
    from aks_istio.offline.capture import run_program

    # The pack starts before the capture, so its start-up overlaps the program run, and each resource goes to it
    # as soon as the program registers it: by the time the program ends, most of the verdict is in.
    stream = verdict.stream(stack, pack=pack, environment=config.preset_tier.value)
    try:
        capture = run_program(stack, raw, on_register=stream.add, validated=config)
    except BaseException:
        stream.close()
        raise
    lines = stack_files.key_lines(path)

    def place(violation: verdict.Violation) -> tuple[str | None, int | None]:
        key = stack_key(violation.policy, violation.resource, config)
        return key, stack_files.line_of(lines, key) if key is not None else None

    result = stream.finish().placed(place)
    code = EXIT_VIOLATION if result.blocking else EXIT_OK
    warnings = report.placed_warnings(stack_files.sample_warnings(file) + capture.warnings, config, lines)
    if sarif is not None:
        from aks_istio.offline.sarif import to_sarif

        document = to_sarif(
            result, stack_file=file, stack=stack, platform_line=lines.get(""), environment=config.environment
        )
        if sarif == "-":
            print(json.dumps(document, indent=2))
            return code
        Path(sarif).write_text(json.dumps(document, indent=2) + "\n")
    command = "preview" if tree else "check"
    if as_json:
        output = report.document(
            command=command,
            stack=stack,
            file=str(file),
            exit_code=code,
            capture=capture,
            verdict=result,
            warnings=warnings,
            config=config,
        )
        print(json.dumps(output, indent=2))
    else:
        # Warnings where the engine shows them (apart from the preview on stdout), each at its stack key's line.
        for line in report.warning_lines(warnings, str(file)):
            print(line, file=sys.stderr)
        if tree:
            from aks_istio.offline import render

            print(render.tree(capture))
        print(verdict.format_text(result, {r.urn: r.type for r in capture.resources}, file=str(file)))
    return code
