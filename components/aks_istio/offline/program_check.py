"""`aks-istio check|preview --program DIR`: judge any team's Pulumi Python program with the pack, offline.

The program runs under mocks in its own interpreter (program_run.py), as stack `--stack` of its project
(program_project.py); each resource goes to the policy pack, started as the engine starts it, as soon as the program
registers it; the verdict is printed as for our own stacks (text, `--json`, `--sarif`), each finding at the source
line of the program that declared the resource. Exit codes as for stacks: 0 clean, 1 a mandatory finding, 2 the
program cannot be judged as given (its own error, with its traceback; a call the mocks cannot answer; a bad
project, stack, answers or policy config file).
"""

from __future__ import annotations

import difflib
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from aks_istio.offline import report
from aks_istio.offline.program_project import ProgramInputError, ProgramProject, load_answers, load_project
from aks_istio.offline.stack_files import display_path

if TYPE_CHECKING:  # a bad project or stack is reported before the Pulumi SDK loads
    from aks_istio.offline.program_run import ProgramWarning


def check_program(
    program: Path,
    stack: str | None,
    *,
    command: str,
    policy_config: Path | None,
    answers_file: Path | None,
    as_json: bool,
    sarif: str | None,
) -> int:
    try:
        answers = load_answers(answers_file)
        project = load_project(program, stack, answers)
        document = _policy_config(policy_config)
    except ProgramInputError as error:
        return _not_run(command, stack or "", str(program), str(error), as_json=as_json, sarif=sarif)
    return _judge(project, answers, document, policy_config, command=command, as_json=as_json, sarif=sarif)


def _policy_config(path: Path | None) -> dict[str, Any] | None:
    """A `--policy-pack-config` file (JSON): `all` and per-policy entries."""
    if path is None:
        return None
    try:
        document = json.loads(path.read_text())
    except OSError as error:
        raise ProgramInputError(f"{path}: cannot be read: {error.strerror or error}") from None
    except json.JSONDecodeError as error:
        raise ProgramInputError(f"{path}:{error.lineno}: not valid JSON: {error.msg}") from None
    if not isinstance(document, Mapping):
        raise ProgramInputError(f"{path}: a policy config is a JSON object of policy names (or `all`) to settings")
    problems = [p for name, entry in document.items() if (p := _setting_problem(str(name), entry))]
    if problems:
        # Every problem at once, before the program runs (a bad level once surfaced as an internal error).
        raise ProgramInputError(f"{path}: " + f"; {path}: ".join(problems))
    return dict(document)


ENFORCEMENT_LEVELS: Final = ("advisory", "mandatory", "remediate", "disabled")
"""pulumi-policy's enforcement levels (analyzer_client.LEVELS maps each onto the Analyzer protocol's)."""


def _setting_problem(name: str, entry: Any) -> str | None:
    """What is wrong with one entry of a policy config (`"mandatory"`, or `{"enforcementLevel": ..., setting: ...}`),
    as `key: value, what is allowed`; None when nothing is."""
    level = entry.get("enforcementLevel") if isinstance(entry, Mapping) else entry
    key = f"{name}.enforcementLevel" if isinstance(entry, Mapping) else name
    if not isinstance(entry, str | Mapping):
        return (
            f"{name}: {json.dumps(entry)} is not a policy setting; allowed: an enforcement level "
            f"({', '.join(ENFORCEMENT_LEVELS)}) or an object of the policy's settings"
        )
    if level is None or level in ENFORCEMENT_LEVELS:
        return None
    near = difflib.get_close_matches(str(level), ENFORCEMENT_LEVELS, n=1)
    return f"{key}: {json.dumps(level)} is not an enforcement level; allowed: {', '.join(ENFORCEMENT_LEVELS)}" + (
        f" (did you mean '{near[0]}'?)" if near else ""
    )


def _judge(
    project: ProgramProject,
    answers: Mapping[str, Any],
    document: dict[str, Any] | None,
    policy_config: Path | None,
    *,
    command: str,
    as_json: bool,
    sarif: str | None,
) -> int:
    from aks_istio.offline import program_run, verdict
    from aks_istio.offline.analyzer_client import PolicyPackProcess

    file = display_path(project.stack_file or project.root / "Pulumi.yaml")
    program = display_path(project.root)
    pack = PolicyPackProcess(verdict.PACK_DIR, project=project.name, stack=project.stack)
    # Another team's stack named `prod` is not ours: the pack's defaults, or the config given, never ours.
    stream = verdict.Stream(None, pack, document if document is not None else {})
    try:
        run = program_run.run(project, answers, on_register=stream.add)
    except (program_run.ProgramFailedError, program_run.ProgramNotJudgedError) as error:
        stream.close()
        return _program_error(command, project, file, program, error, as_json=as_json, sarif=sarif)
    except BaseException:
        stream.close()
        raise
    sources = {r.urn: r.source for r in run.capture.resources}
    warnings = [_warning(w) for w in run.warnings]

    def locate(violation: verdict.Violation) -> tuple[str | None, int | None]:
        source = sources.get(violation.urn or "")
        return (display_path(Path(source[0])), source[1]) if source is not None else (None, None)

    result = stream.finish().located(locate)
    if policy_config is not None:
        result.config_file = display_path(policy_config)
    code = report.EXIT_VIOLATION if result.blocking else report.EXIT_OK
    if sarif is not None:
        from aks_istio.offline.sarif import to_sarif

        # The SARIF category names the project too: two teams' `prod` stacks in one repository stay apart.
        category = f"{project.name}/{project.stack}"
        sarif_document = json.dumps(to_sarif(result, stack_file=file, stack=category), indent=2)
        if sarif == "-":
            print(sarif_document)
            _print_warnings(warnings)
            return code
        Path(sarif).write_text(sarif_document + "\n")
    if as_json:
        output = report.document(
            command=command,
            stack=project.stack,
            file=file,
            exit_code=code,
            capture=run.capture,
            verdict=result,
            warnings=warnings,
            program=program,
        )
        print(json.dumps(output, indent=2))
        return code
    from aks_istio.offline import render

    print(
        f"Program {program} (project {project.name}, stack {project.stack}; pulumi {run.pulumi_version},"
        f" python {project.python})"
    )
    if command == "preview":
        print(render.tree(run.capture))
    print(verdict.format_text(result, {r.urn: r.type for r in run.capture.resources}, file=file))
    _print_warnings(warnings)
    return code


def _warning(warning: ProgramWarning) -> dict[str, Any]:
    """A warning as JSON: about no stack key, at the program's line that declared what it is about."""
    file, line = (display_path(Path(warning.source[0])), warning.source[1]) if warning.source else (None, None)
    return {"key": None, "line": line, "file": file, "message": warning.message}


def _print_warnings(warnings: list[dict[str, Any]]) -> None:
    """As the stacks' warnings print: `warning: file:line: message` (without a place: `warning: message`)."""
    for warning in warnings:
        where = f"{warning['file']}:{warning['line']}: " if warning["file"] else ""
        print(f"warning: {where}{warning['message']}", file=sys.stderr)


def _program_error(
    command: str,
    project: ProgramProject,
    file: str,
    program: str,
    error: Exception,
    *,
    as_json: bool,
    sarif: str | None,
) -> int:
    from aks_istio.offline.program_run import ProgramFailedError

    if isinstance(error, ProgramFailedError):
        # Their error, in their words: what they would see from `pulumi preview`, labelled as theirs.
        message = (
            f"the program {program} failed (an error in the program, not in aks-istio; nothing was judged):\n"
            f"{error.traceback.rstrip() or error}"
        )
    else:
        message = f"the program {program} cannot be judged offline as it stands; nothing was judged:\n{error}"
    return _not_run(command, project.stack, file, message.rstrip(), as_json=as_json, sarif=sarif, program=program)


def _not_run(
    command: str,
    stack: str,
    file: str,
    message: str,
    *,
    as_json: bool,
    sarif: str | None,
    program: str | None = None,
) -> int:
    """Exit 2: nothing judged. A SARIF file is still written (one result, at the stack or project file), so a CI
    upload step always has its file."""
    if sarif is not None:
        from aks_istio.offline.sarif import config_errors_sarif

        text = json.dumps(config_errors_sarif([(message, None, None)], stack=stack, stack_file=file), indent=2)
        if sarif == "-":
            print(text)
            return report.EXIT_INVALID_INPUT
        Path(sarif).write_text(text + "\n")
    if as_json:
        errors = [report.config_error(message, None)]
        document = report.document(
            command=command,
            stack=stack,
            file=file,
            exit_code=report.EXIT_INVALID_INPUT,
            config_errors=errors,
            program=program,
        )
        print(json.dumps(document, indent=2))
    else:
        print(f"aks-istio {command} --program: {message}", file=sys.stderr)
    return report.EXIT_INVALID_INPUT
