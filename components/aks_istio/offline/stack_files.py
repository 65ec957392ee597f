"""Read `stacks/Pulumi.<stack>.yaml` the way the Pulumi CLI would hand it to the program, and find the project.

The project (`Pulumi.yaml`, `stacks/`, `policy/`) is this source checkout when the package runs from one
(`components/aks_istio/` inside it); an installed wheel carries a copy of those files as data
(`<prefix>/share/aks-istio/`, see pyproject.toml), so `aks-istio check --stack my.yaml` works from any folder.

A stack *name* is looked up as the Pulumi CLI would look it up first: in the Pulumi project the current folder is
in (the nearest `Pulumi.yaml` upwards, its `stackConfigDir`); only when there is no project around (or it is
aks-istio's own), in this package's project (the checkout's stacks, or the sample stacks the wheel ships: dev,
staging, prod), and a shipped sample checked so is said to be one (`sample_warnings`).
"""

from __future__ import annotations

import json
import sysconfig
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

PROJECT = "aks-istio"


def _project_root() -> Path:
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / "Pulumi.yaml").is_file() and (checkout / "policy" / "PulumiPolicy.yaml").is_file():
        return checkout
    # The wheel's data files land under the scheme's data path: the virtualenv or prefix, or the user base.
    for scheme_data in (sysconfig.get_path("data"), sysconfig.get_path("data", sysconfig.get_preferred_scheme("user"))):
        shipped = Path(scheme_data) / "share" / PROJECT
        if (shipped / "Pulumi.yaml").is_file():
            return shipped
    return checkout


PROJECT_ROOT = _project_root()
"""Where `Pulumi.yaml`, the sample `stacks/` and the `policy/` pack are: the checkout, or the installed copy."""
IN_CHECKOUT: Final = Path(__file__).resolve().parents[3] == PROJECT_ROOT
"""The package runs from a source checkout (its stacks are the repository's own, not samples)."""
# libyaml's parser when PyYAML was built with it: the same safe constructor and resolver, so the same values, about
# ten times faster on a stack file (~12 ms -> ~1.3 ms for prod, on every preview and check).
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StackFileError(ValueError):
    """The stack file cannot be read: missing, not YAML, or not shaped like a Pulumi stack file. `line` is 1-based."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.detail = message
        super().__init__(f"{self.path}{f':{line}' if line else ''}: {message}")


class MissingStackFileError(StackFileError, FileNotFoundError):
    """No stack file of that name or path."""


# What YAML's own messages leave users to guess: the cause of the errors a hand-edited stack file hits most.
# Each entry: the phrases of PyYAML's and libyaml's messages, and the hint.
TAB_HINT: Final = "indent with spaces: YAML does not allow tab characters for indentation"
YAML_HINTS: Final = (
    (("'\\t'", "tab character"), TAB_HINT),
    (("mapping values are not allowed",), "a value holding ': ' needs quotes, or a key above is indented wrongly"),
    (("expected <block end>", "did not find expected key"), "check the indentation: a mapping's keys line up"),
)


def _load(text: str, path: Path | str = "<stack file>") -> Any:
    try:
        return yaml.load(text, Loader=_LOADER)  # a safe loader, C or Python: no arbitrary objects
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = " ".join(part for part in (error.context, error.problem) if part)
        hint = next((h for needles, h in YAML_HINTS if any(n in str(error) for n in needles)), "")
        # libyaml (the C loader) says only "found character that cannot start any token" for a tab that opens a
        # nested key's line; the line itself shows the tab.
        if not hint and mark is not None and "\t" in _indentation(text, mark.line):
            hint = TAB_HINT
        raise StackFileError(
            path, f"not valid YAML: {reason}" + (f" (hint: {hint})" if hint else ""), mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError as error:
        raise StackFileError(path, f"not valid YAML: {error}") from None


def _indentation(text: str, line: int) -> str:
    """The leading blanks of the 0-based `line` of `text` ("" past its end)."""
    lines = text.splitlines()
    content = lines[line] if 0 <= line < len(lines) else ""
    return content[: len(content) - len(content.lstrip(" \t"))]


def load_yaml(path: Path) -> Any:
    """Any YAML file of the project (a fleet file), read with the stack file's safe loader and hints; a
    StackFileError names the file and line when it cannot be read."""
    try:
        text = path.read_text()
    except OSError as error:
        raise StackFileError(path, f"cannot be read: {error.strerror or error}") from None
    return _load(text, path)


def stacks_dir(root: Path = PROJECT_ROOT) -> Path:
    """The project's stack folder (`stackConfigDir` of its Pulumi.yaml)."""
    file = root / "Pulumi.yaml"
    project = _load(file.read_text(), file) or {}
    if not isinstance(project, Mapping):
        raise StackFileError(file, "is not a Pulumi project file: expected a mapping", 1)
    return root / str(project.get("stackConfigDir", "."))


def available_stacks(root: Path = PROJECT_ROOT) -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in stacks_dir(root).glob("Pulumi.*.yaml"))


def stack_config(stack: str, root: Path = PROJECT_ROOT) -> dict[str, Any]:
    """The stack file's `config:` block, keys fully qualified (`aks-istio:platform`)."""
    path = stacks_dir(root) / f"Pulumi.{stack}.yaml"
    if not path.exists():
        known = ", ".join(available_stacks(root)) or "(none)"
        raise MissingStackFileError(path, f"no such stack file; known stacks: {known}")
    return read_config(path)


def locate(stack_or_file: str, cwd: Path | None = None) -> tuple[str, Path]:
    """A stack name (`dev`) or the path of any stack file (`drafts/Pulumi.canary.yaml`) -> (stack name, file).

    Anything with a folder or a YAML suffix is a path and is never turned into `stacks/Pulumi.<it>.yaml`; a name is
    looked up in `search_roots(cwd)`, the first project that has it wins."""
    path = Path(stack_or_file)
    if path.suffix in (".yaml", ".yml") or len(path.parts) > 1:
        if not path.is_file():
            raise MissingStackFileError(path, "no such stack file (give a stack name such as dev, or a file's path)")
        return path.name.removeprefix("Pulumi.").rsplit(".", 1)[0], path
    looked: list[str] = []
    roots = search_roots(cwd)
    for root in dict.fromkeys(roots):
        candidate = stacks_dir(root) / f"Pulumi.{stack_or_file}.yaml"
        if candidate.is_file():
            return stack_or_file, candidate
        looked.append(f"{candidate} (known stacks: {', '.join(available_stacks(root)) or '(none)'})")
    if PROJECT_ROOT not in roots:  # inside a team's own project, which lacks it: the samples never stand in
        raise MissingStackFileError(
            stack_or_file,
            f"no stack of that name in the Pulumi project {roots[0] / 'Pulumi.yaml'}; looked for {looked[0]}; the "
            "shipped sample stacks stand in only outside any Pulumi project: name your stack file "
            f"(--stack path/to/Pulumi.{stack_or_file}.yaml)",
        )
    raise MissingStackFileError(
        stack_or_file, f"no stack of that name; looked for {'; '.join(looked)} (or give a stack file's path)"
    )


def resolve(stack_or_file: str) -> tuple[str, dict[str, Any]]:
    """A stack name (`dev`) or the path of any stack file (`Pulumi.canary.yaml`) -> (stack name, config)."""
    stack, path = locate(stack_or_file)
    return stack, read_config(path)


def read_config(path: Path) -> dict[str, Any]:
    """The file's `config:` block, keys fully qualified; a StackFileError names the file (and line) otherwise."""
    try:
        text = path.read_text()
    except OSError as error:
        raise StackFileError(path, f"cannot be read: {error.strerror or error}") from None
    return read_config_text(text, path)


def read_config_text(text: str, path: Path | str = "<stack file>") -> dict[str, Any]:
    """`read_config` of a stack file's text (e.g. an edit not yet written)."""
    document = _load(text, path) or {}
    if not isinstance(document, Mapping):
        raise StackFileError(path, "is not a Pulumi stack file: expected a mapping with a `config:` key", 1)
    config = document.get("config") or {}
    if not isinstance(config, Mapping):
        raise StackFileError(
            path, f"`config:` must be a mapping of config keys to values, found {type(config).__name__}"
        )
    return {key if ":" in key else f"{PROJECT}:{key}": value for key, value in config.items()}


def search_roots(cwd: Path | None = None) -> list[Path]:
    """Where stack names are looked up: the current folder's Pulumi project (the nearest `Pulumi.yaml` upwards)
    alone when it is a team's own; this package's (the checkout, or the installed copy of the sample stacks) only
    when there is no project around or it is aks-istio's own. A sample standing in for a stack a team's project
    lacks would be checked in its place, and a CI step would pass having checked nothing of the team's."""
    here = (cwd or Path.cwd()).resolve()
    project = next((folder for folder in (here, *here.parents) if (folder / "Pulumi.yaml").is_file()), None)
    if project is not None and not _is_aks_istio_project(project):
        return [project]
    return [*([project] if project is not None else []), PROJECT_ROOT]


def _is_aks_istio_project(root: Path) -> bool:
    """`root` is this package's project, or a copy of it (its Pulumi.yaml names the project aks-istio)."""
    if root == PROJECT_ROOT.resolve():
        return True
    try:
        project = _load((root / "Pulumi.yaml").read_text(), root / "Pulumi.yaml")
    except (OSError, StackFileError):
        return False
    return isinstance(project, Mapping) and project.get("name") == PROJECT


SAMPLE_BASE_ID: Final = "AKS_ISTIO_SAMPLES"
"""SARIF `uriBaseId` of a sample stack shipped with the package (it is in no repository of the user's)."""
SOURCE_BASE_ID: Final = "%SRCROOT%"
"""SARIF `uriBaseId` of a file in the user's repository: GitHub code scanning's name for the checkout's root."""


@dataclass(frozen=True)
class SourceFile:
    """A file as every output names it: relative to its root, the same from whatever folder the command runs.

    The root is the git top level of the folder the file is in, else its Pulumi project's folder, else its own
    folder. A sample stack of an installed package is in no repository of the user's: it is named as a sample
    (`aks-istio-sample:stacks/Pulumi.dev.yaml`), never as a path that does not exist where the user stands."""

    relative: str
    """`/`-separated, relative to the root (`stacks/Pulumi.prod.yaml`)."""
    root: Path
    sample: bool = False

    @property
    def base_id(self) -> str:
        return SAMPLE_BASE_ID if self.sample else SOURCE_BASE_ID

    def __str__(self) -> str:
        return f"{PROJECT}-sample:{self.relative}" if self.sample else self.relative


def source_root(path: Path) -> Path:
    """The repository root `path` lives in: the git top level (a folder holding `.git`, a folder or, in a
    worktree or submodule, a file), else the nearest Pulumi project folder, else the file's own folder."""
    folder = path.resolve().parent
    chain = (folder, *folder.parents)
    for marker in (".git", "Pulumi.yaml"):
        found = next((f for f in chain if (f / marker).exists()), None)
        if found is not None:
            return found
    return folder


def source_file(path: Path) -> SourceFile:
    """How outputs name `path` (see SourceFile)."""
    resolved = path.resolve()
    shipped = PROJECT_ROOT.resolve()
    if not IN_CHECKOUT and resolved.is_relative_to(shipped):
        return SourceFile(resolved.relative_to(shipped).as_posix(), shipped, sample=True)
    root = source_root(resolved)
    return SourceFile(resolved.relative_to(root).as_posix(), root)


def sample_warnings(source: SourceFile) -> list[str]:
    """The warning a check of a shipped sample stack carries (a stack name found in no Pulumi project around): it
    is the package's sample that was checked, not a file of the user's."""
    if not source.sample:
        return []
    stack = Path(source.relative).name.removeprefix("Pulumi.").rsplit(".", 1)[0]
    return [
        f"checked the sample stack shipped with aks-istio ({source}), not a file of yours (no Pulumi project of "
        f"yours is around this folder); to check yours, run inside its project or name its file (--stack "
        f"path/to/Pulumi.{stack}.yaml)"
    ]


def display_path(path: Path | str) -> str:
    """`path` as every output names it: relative to its repository root (see SourceFile)."""
    return str(source_file(Path(path)))


def _top_entry(path: Path, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    """A top-level key of a YAML file and its value, as nodes (with their line marks); None when there is none."""
    try:
        root = yaml.compose(path.read_text(), Loader=_LOADER)
    except (OSError, yaml.YAMLError):
        return None
    if not isinstance(root, yaml.MappingNode):
        return None
    return next(((k, v) for k, v in root.value if k.value == key), None)


def _config_node(path: Path) -> yaml.MappingNode | None:
    """The stack file's `config:` mapping as YAML nodes (with their line marks); None when there is none."""
    entry = _top_entry(path, "config")
    return entry[1] if entry is not None and isinstance(entry[1], yaml.MappingNode) else None


def key_lines(path: Path, config_key: str = f"{PROJECT}:platform") -> dict[str, int]:
    """The line (1-based) of every key under `config_key` in a stack file, by its key path (`cluster.tier`,
    `cluster.userPools[0].zones`); `""` is `config_key`'s own line. Read from the YAML composer's node marks, so
    it costs a second parse only when a finding or an error is to be placed."""
    config = _config_node(path)
    if config is None:
        return {}
    short = config_key.split(":", 1)[-1]
    for key, value in config.value:
        if key.value in (config_key, short):
            return {"": key.start_mark.line + 1, **dict(_walk(value, ""))}
    return {}


def config_value_lines(path: Path) -> dict[str, int]:
    """The line (1-based) where each config key's value starts (`aks-istio:grafanaToken`, keys fully qualified as
    `read_config` returns them): where a plain-text secret is held."""
    config = _config_node(path)
    if config is None:
        return {}
    return {
        (key.value if ":" in str(key.value) else f"{PROJECT}:{key.value}"): value.start_mark.line + 1
        for key, value in config.value
    }


def lines_under(path: Path, key: str) -> dict[str, int]:
    """The line (1-based) of every key under the top-level `key` of any YAML file (a fleet file's `fleet:`), by
    key path as `key_lines` gives them; empty when the file cannot be read or has no such key."""
    entry = _top_entry(path, key)
    return {"": entry[0].start_mark.line + 1, **dict(_walk(entry[1], ""))} if entry is not None else {}


def _walk(node: yaml.Node, prefix: str) -> Iterator[tuple[str, int]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = f"{prefix}.{key.value}" if prefix else str(key.value)
            yield path, key.start_mark.line + 1
            yield from _walk(value, path)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            path = f"{prefix}[{index}]"
            yield path, item.start_mark.line + 1
            yield from _walk(item, path)


def line_of(lines: Mapping[str, int], key: str) -> int | None:
    """The line of `key`, else of its nearest ancestor that the file sets (a key left unset is placed where it
    would be written); None when the file has no `aks-istio:platform` at all."""
    while key:
        if key in lines:
            return lines[key]
        cut = max(key.rfind("."), key.rfind("["))
        key = key[:cut] if cut > 0 else ""
    return lines.get("")


def engine_config(config: Mapping[str, Any]) -> dict[str, str]:
    """Config as the engine passes it: strings, structured values as JSON."""
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in config.items()}
