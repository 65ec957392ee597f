"""Read `stacks/Pulumi.<stack>.yaml` the way the Pulumi CLI would hand it to the program, and find the project.

The project (`Pulumi.yaml`, `stacks/`, `policy/`) is this source checkout when the package runs from one
(`components/aks_istio/` inside it); an installed wheel carries a copy of those files as data
(`<prefix>/share/aks-istio/`, see pyproject.toml), so `aks-istio check --stack my.yaml` works from any folder.

A stack *name* is looked up as the Pulumi CLI would look it up first: in the Pulumi project the current folder is
in (the nearest `Pulumi.yaml` upwards, its `stackConfigDir`); when that project has no such stack, or there is
none, in this package's project (the checkout's stacks, or the sample stacks the wheel ships: dev, staging, prod).
"""

from __future__ import annotations

import json
import sysconfig
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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
# libyaml's parser when PyYAML was built with it: the same safe constructor and resolver, so the same values, about
# ten times faster on a stack file (~12 ms -> ~1.3 ms for prod, on every preview and check).
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StackFileError(ValueError):
    """A stack file or a Pulumi.yaml that is not the YAML mapping it must be: the message names file and line."""


def _load(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(), Loader=_LOADER)  # a safe loader, C or Python: no arbitrary objects
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}, line {mark.line + 1}" if mark is not None else str(path)
        problem = getattr(error, "problem", None) or str(error)
        raise StackFileError(f"{where}: not valid YAML: {problem}") from None


def _mapping(document: Any, path: Path) -> dict[str, Any]:
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise StackFileError(f"{path}: expected a YAML mapping at the top, found {type(document).__name__}")
    return document


def stacks_dir(root: Path = PROJECT_ROOT) -> Path:
    project = _mapping(_load(root / "Pulumi.yaml"), root / "Pulumi.yaml")
    return root / str(project.get("stackConfigDir", "."))


def available_stacks(root: Path = PROJECT_ROOT) -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in stacks_dir(root).glob("Pulumi.*.yaml"))


def stack_config(stack: str, root: Path = PROJECT_ROOT) -> dict[str, Any]:
    """The stack file's `config:` block, keys fully qualified (`aks-istio:platform`)."""
    path = stacks_dir(root) / f"Pulumi.{stack}.yaml"
    if not path.exists():
        known = ", ".join(available_stacks(root)) or "(none)"
        raise FileNotFoundError(f"no stack file {path}; known stacks: {known}")
    return read_config(path)


def resolve(stack_or_file: str) -> tuple[str, dict[str, Any]]:
    """A stack name (`dev`) or the path of any stack file (`Pulumi.canary.yaml`) -> (stack name, config)."""
    name, path = locate(stack_or_file)
    return name, read_config(path)


def locate(stack_or_file: str, cwd: Path | None = None) -> tuple[str, Path]:
    """A stack name or the path of a stack file -> (stack name, its file); FileNotFoundError names where it looked."""
    path = Path(stack_or_file)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return path.name.removeprefix("Pulumi.").rsplit(".", 1)[0], path
    if path.suffix in (".yaml", ".yml") or len(path.parts) > 1:
        raise FileNotFoundError(f"no stack file {path}")
    looked: list[str] = []
    for root in dict.fromkeys(search_roots(cwd)):
        candidate = stacks_dir(root) / f"Pulumi.{stack_or_file}.yaml"
        if candidate.is_file():
            return stack_or_file, candidate
        looked.append(f"{candidate} (known stacks: {', '.join(available_stacks(root)) or '(none)'})")
    raise FileNotFoundError(f"no stack {stack_or_file!r}: looked for {'; '.join(looked)}")


def search_roots(cwd: Path | None = None) -> list[Path]:
    """Where stack names are looked up, in order: the current folder's Pulumi project, then this package's."""
    here = (cwd or Path.cwd()).resolve()
    project = next((folder for folder in (here, *here.parents) if (folder / "Pulumi.yaml").is_file()), None)
    return [*([project] if project is not None else []), PROJECT_ROOT]


def read_config(path: Path) -> dict[str, Any]:
    config = _mapping(_load(path), path).get("config") or {}
    if not isinstance(config, dict):
        raise StackFileError(f"{path}: `config` must be a mapping of config keys, found {type(config).__name__}")
    return {key if ":" in key else f"{PROJECT}:{key}": value for key, value in config.items()}


def engine_config(config: Mapping[str, Any]) -> dict[str, str]:
    """Config as the engine passes it: strings, structured values as JSON."""
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in config.items()}
