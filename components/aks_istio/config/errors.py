"""Turn pydantic's errors into messages a platform engineer can act on: key path, bad value, what is allowed."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from aks_istio.config._base import PATH_SEP, PROBLEM_SEP

CONFIG_ROOT = "aks-istio:platform"


class ConfigError(Exception):
    """The stack config is invalid; `problems` lists every problem found, one line each."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(
            f"invalid stack config ({len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}):\n"
            + "\n".join(f"  - {p}" for p in self.problems)
        )


def _key_path(loc: Sequence[int | str]) -> str:
    path = CONFIG_ROOT
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _field_aliases(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _model_at(root: type[BaseModel], loc: Sequence[int | str]) -> type[BaseModel] | None:
    """Follow `loc` through the model classes to the model that owns its last part."""
    model: Any = root
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = next(
            (f for n, f in model.model_fields.items() if part in (n, f.alias)),
            None,
        )
        if field is None:
            break
        model = _inner_model(field.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def describe(error: ValidationError, root: type[BaseModel]) -> list[str]:
    """One line per problem, each naming the full key path."""
    lines: list[str] = []
    for item in error.errors(include_url=False):
        loc = [p for p in item["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        kind = item["type"]
        if kind == "extra_forbidden":
            owner = _model_at(root, loc[:-1]) if loc else root
            known = _field_aliases(owner) if owner else []
            key = str(loc[-1]) if loc else "?"
            hint = difflib.get_close_matches(key, known, n=1)
            did_you_mean = f" (did you mean '{hint[0]}'?)" if hint else ""
            lines.append(f"{_key_path(loc)}: unknown key{did_you_mean}; allowed keys: {', '.join(known)}")
        elif kind == "value_error" and PATH_SEP in str(item.get("ctx", {}).get("error", "")):
            for problem in str(item["ctx"]["error"]).split(PROBLEM_SEP):
                rel, message = problem.split(PATH_SEP, 1)
                path = _key_path(loc) + (f".{rel}" if rel and not rel.startswith("[") else rel)
                lines.append(f"{path}: {message}")
        elif kind == "missing":
            lines.append(f"{_key_path(loc)}: required key is missing")
        else:
            message = item["msg"].removeprefix("Value error, ")
            lines.append(f"{_key_path(loc)}: {_short(item.get('input'))} is not valid: {message}")
    return lines
