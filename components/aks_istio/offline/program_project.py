"""Another team's Pulumi Python project, read as the Pulumi CLI reads it, without the CLI and without credentials.

`Pulumi.yaml` gives the project name, `main`, `stackConfigDir`, the project-level config defaults and the runtime's
virtualenv; `Pulumi.<stack>.yaml` gives the stack's config. `secure:` values are never decrypted: each becomes a
placeholder the program sees as a secret. ESC environments the stack file imports cannot be opened offline: their
config comes from the answers file (`environments:`), or the check stops and says so.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from aks_istio.offline.stack_files import StackFileError, _load

SECRET_PLACEHOLDER: Final = "[secret: not decrypted offline]"
"""What the program reads for a `secure:` value (as a secret): the check never decrypts anything."""
DEFAULT_STACK: Final = "offline"
"""The stack name of a project with no stack file at all (its config is the project's defaults)."""


class ProgramInputError(ValueError):
    """The program cannot be checked as given (exit 2): no project, an unknown stack, a missing virtualenv, an
    unreadable answers file, ESC imports without answers."""


@dataclass(frozen=True)
class ProgramProject:
    """What the offline check needs to run a program as one of its stacks."""

    root: Path
    """The folder of `Pulumi.yaml`."""
    name: str
    main: Path
    """The program: a folder with `__main__.py` (the default: the project folder) or a file."""
    stack: str
    stack_file: Path | None
    """`Pulumi.<stack>.yaml`, or None when the project has no stack file."""
    config: dict[str, str] = field(default_factory=dict)
    """As the engine passes config to a program: fully qualified keys, strings, structured values as JSON."""
    secret_keys: list[str] = field(default_factory=list)
    environments: list[str] = field(default_factory=list)
    """ESC environments the stack file imports."""
    python: Path = Path(sys.executable)
    """The program's interpreter: its virtualenv's, or the one running aks-istio."""

    def engine_env(self) -> dict[str, str]:
        """The environment variables through which the language host hands a program its config."""
        return {
            "PULUMI_CONFIG": json.dumps(self.config),
            "PULUMI_CONFIG_SECRET_KEYS": json.dumps(self.secret_keys),
            "PULUMI_PROJECT": self.name,
            "PULUMI_STACK": self.stack,
            "PULUMI_DRY_RUN": "true",
        }


def load_project(program: Path, stack: str | None, answers: Mapping[str, Any]) -> ProgramProject:
    """The project in `program` (a folder holding `Pulumi.yaml`), as stack `stack` (default: its only stack)."""
    root = program.resolve()
    project_file = root / "Pulumi.yaml"
    if not project_file.is_file():
        raise ProgramInputError(f"{program}: no Pulumi.yaml here; give the folder of the program's Pulumi project")
    document = _read_yaml(project_file)
    name = document.get("name")
    if not isinstance(name, str) or not name:
        raise ProgramInputError(f"{project_file}: `name` is missing; a Pulumi project needs one")
    runtime = document.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, Mapping) else runtime
    if runtime_name != "python":
        raise ProgramInputError(
            f"{project_file}: runtime is {runtime_name!r}; the offline check runs Python programs (runtime: python)"
        )
    options = (runtime.get("options") if isinstance(runtime, Mapping) else None) or {}
    main = root / str(document.get("main") or ".")
    if not main.exists():
        raise ProgramInputError(f"{project_file}: main {document.get('main')!r} does not exist")
    config_dir = root / str(document.get("stackConfigDir") or ".")
    stack, stack_file = _choose_stack(config_dir, stack)
    stack_document = _read_yaml(stack_file) if stack_file is not None else {}
    environments = _environments(stack_document.get("environment"))
    config, secret_keys = _config(name, document.get("config"), stack_document.get("config"), stack_file)
    config = {**_environment_config(name, environments, answers, stack_file), **config}
    return ProgramProject(
        root=root,
        name=name,
        main=main,
        stack=stack,
        stack_file=stack_file,
        config=config,
        secret_keys=secret_keys,
        environments=environments,
        python=_interpreter(root, options),
    )


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        document = _load(path.read_text(), path) or {}
    except OSError as error:
        raise ProgramInputError(f"{path}: cannot be read: {error.strerror or error}") from None
    except StackFileError as error:
        raise ProgramInputError(str(error)) from None
    if not isinstance(document, Mapping):
        raise ProgramInputError(f"{path}: expected a mapping")
    return dict(document)


def _choose_stack(config_dir: Path, stack: str | None) -> tuple[str, Path | None]:
    known = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in config_dir.glob("Pulumi.*.yaml"))
    if stack is not None:
        path = config_dir / f"Pulumi.{stack}.yaml"
        if not path.is_file():
            raise ProgramInputError(f"{path}: no such stack file; the project's stacks: {', '.join(known) or '(none)'}")
        return stack, path
    if len(known) == 1:
        return known[0], config_dir / f"Pulumi.{known[0]}.yaml"
    if not known:
        return DEFAULT_STACK, None
    raise ProgramInputError(f"the project has several stacks ({', '.join(known)}): choose one with --stack NAME")


def _environments(value: Any) -> list[str]:
    """`environment:` of a stack file: a list of ESC environment names (or `{imports: [...]}`)."""
    if isinstance(value, Mapping):
        value = value.get("imports")
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value] if isinstance(value, list) else []


def qualified(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _config(project: str, defaults: Any, values: Any, stack_file: Path | None) -> tuple[dict[str, str], list[str]]:
    """The stack's config as the engine passes it: project defaults (`config: {key: {default: ...}}` or plain
    values in Pulumi.yaml), then the stack file's; `secure:` values as placeholders, their keys secret."""
    merged: dict[str, Any] = {}
    for key, spec in (defaults or {}).items() if isinstance(defaults, Mapping) else ():
        value = spec.get("default", spec.get("value")) if isinstance(spec, Mapping) else spec
        if value is not None:
            merged[qualified(project, str(key))] = value
    if values is not None and not isinstance(values, Mapping):
        raise ProgramInputError(f"{stack_file}: `config:` must be a mapping of config keys to values")
    for key, value in (values or {}).items():
        merged[qualified(project, str(key))] = value
    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in merged.items():
        plain, secret = _without_secure(value)
        if secret:
            secret_keys.append(key)
        config[key] = plain if isinstance(plain, str) else json.dumps(plain)
    return config, secret_keys


def _without_secure(value: Any) -> tuple[Any, bool]:
    """`value` with every `{secure: ciphertext}` replaced by the placeholder; True if there was one."""
    if isinstance(value, Mapping):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER, True
        items = {k: _without_secure(v) for k, v in value.items()}
        return {k: v for k, (v, _) in items.items()}, any(s for _, s in items.values())
    if isinstance(value, list):
        items_list = [_without_secure(v) for v in value]
        return [v for v, _ in items_list], any(s for _, s in items_list)
    return value, False


def _environment_config(
    project: str, environments: list[str], answers: Mapping[str, Any], stack_file: Path | None
) -> dict[str, str]:
    """The config the imported ESC environments would give, from the answers file: every import must be answered
    (an environment can set any key, so an unanswered one could change what the program declares)."""
    given = answers.get("environments") or {}
    missing = [name for name in environments if name not in given]
    if missing:
        raise ProgramInputError(
            f"{stack_file}: imports ESC environment(s) {', '.join(missing)}, which the offline check cannot open "
            "(no credentials); give the config they set under `environments:` in an answers file (--answers FILE, "
            "docs/policy.md#answers-file), e.g. environments: {"
            + f"{missing[0]}: "
            + "{aws:region: ..., myproject:key: value}}"
        )
    config: dict[str, str] = {}
    for name in environments:
        for key, value in (given.get(name) or {}).items():
            config[qualified(project, str(key))] = value if isinstance(value, str) else json.dumps(value)
    return config


def _interpreter(root: Path, options: Mapping[str, Any]) -> Path:
    """The program's own Python: `runtime.options.virtualenv` (or uv's `.venv`), else the one running this."""
    virtualenv = options.get("virtualenv")
    if virtualenv is None and options.get("toolchain") == "uv" and (root / ".venv").is_dir():
        virtualenv = ".venv"
    if virtualenv is None:
        return Path(sys.executable)
    folder = root / str(virtualenv)
    python = folder / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    if not python.exists():
        raise ProgramInputError(
            f"{root / 'Pulumi.yaml'}: runtime.options.virtualenv {virtualenv!r} has no interpreter ({python}); "
            f"create it first: python3 -m venv {folder} && {folder}/bin/pip install -r {root}/requirements.txt"
        )
    return python


def load_answers(path: Path | None) -> dict[str, Any]:
    """The answers file (YAML or JSON): `calls`, `stackReferences`, `environments` (docs/policy.md#answers-file)."""
    if path is None:
        return {}
    document = _read_yaml(path)
    unknown = sorted(set(document) - {"calls", "stackReferences", "environments"})
    if unknown:
        raise ProgramInputError(
            f"{path}: unknown key(s) {', '.join(unknown)}; allowed: calls, stackReferences, environments"
        )
    for key in ("calls", "stackReferences", "environments"):
        if not isinstance(document.get(key) or {}, Mapping):
            raise ProgramInputError(f"{path}: `{key}` must be a mapping")
    return document
