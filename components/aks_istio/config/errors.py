"""Turn pydantic's errors into messages a platform engineer can act on: key path, bad value, what is allowed."""

from __future__ import annotations

import copy
import difflib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from aks_istio.config._base import (
    K8S_NAME_PATTERN,
    LOCATION_PATTERN,
    PATH_SEP,
    POOL_NAME_PATTERN,
    PROBLEM_SEP,
    RESOURCE_GROUP_PATTERN,
)

CONFIG_ROOT = "aks-istio:platform"
T = TypeVar("T")
# Required keys a second pass may fill to let the rules across fields run (environment: the mildest preset).
STAND_INS: Mapping[str, object] = {"environment": "dev"}
REPAIR_PASSES = 3


class ConfigError(Exception):
    """The stack config is invalid; `problems` lists every problem found, one line each."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(
            f"invalid stack config ({len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}):\n"
            + "\n".join(f"  - {p}" for p in self.problems)
        )


def _key_path(loc: Sequence[int | str], root_key: str = CONFIG_ROOT) -> str:
    path = root_key
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
    """One line per problem, each naming the full key path (under the root model's `KEY_ROOT`, when it has one:
    another file's models, such as the fleet file's, are reported under their own top-level key)."""
    root_key: str = getattr(root, "KEY_ROOT", CONFIG_ROOT)
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
            lines.append(f"{_key_path(loc, root_key)}: unknown key{did_you_mean}; allowed keys: {', '.join(known)}")
        elif kind == "value_error" and PATH_SEP in str(item.get("ctx", {}).get("error", "")):
            for problem in str(item["ctx"]["error"]).split(PROBLEM_SEP):
                rel, message = problem.split(PATH_SEP, 1)
                path = _key_path(loc, root_key) + (f".{rel}" if rel and not rel.startswith("[") else rel)
                lines.append(f"{path}: {message}")
        elif kind == "missing":
            lines.append(f"{_key_path(loc, root_key)}: required key is missing")
        elif (
            kind == "string_type"
            and isinstance(item.get("input"), (int, float))
            and not isinstance(item.get("input"), bool)
        ):
            lines.append(
                f"{_key_path(loc, root_key)}: {item['input']!r} is a number, not text (YAML reads an unquoted 1.30 as "
                'the number 1.3); write the value in quotes as you mean it, e.g. kubernetesVersion: "1.30"'
            )
        else:
            message = _in_words(item, root, loc)
            lines.append(f"{_key_path(loc, root_key)}: {_short(item.get('input'))} is not valid: {message}")
    return lines


# The name rules the models check with a regular expression, in words (a user cannot act on the expression).
PATTERN_WORDS: Mapping[str, str] = {
    K8S_NAME_PATTERN: "1-63 lowercase letters, digits and '-', starting and ending with a letter or digit",
    POOL_NAME_PATTERN: "1-12 lowercase letters and digits, starting with a letter",
    RESOURCE_GROUP_PATTERN: "1-90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'",
    LOCATION_PATTERN: "an Azure region's name in lowercase, e.g. westeurope (`az account list-locations -o table`)",
}


def _in_words(item: Mapping[str, Any], root: type[BaseModel], loc: Sequence[int | str]) -> str:
    """pydantic's message, with a regular expression replaced by words: the known name rules, else the field's
    description; an enum value in the wrong case gets a "did you mean"."""
    message = str(item["msg"]).removeprefix("Value error, ")
    ctx = item.get("ctx") or {}
    if item["type"] == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern"))
        words = PATTERN_WORDS.get(pattern) or _resource_id_shape(pattern)
        if words is None:
            owner = _model_at(root, loc[:-1]) if loc else None
            field = next((f for n, f in owner.model_fields.items() if loc[-1] in (n, f.alias)), None) if owner else None
            words = field.description if field is not None and field.description else "see config-reference"
        return f"does not have the allowed form; allowed: {words}"
    if item["type"] == "literal_error" and isinstance(item.get("input"), str):
        expected = str(ctx.get("expected", ""))
        choices = [c.strip().strip("'") for c in expected.replace(" or ", ", ").split(",")]
        same = [c for c in choices if c.lower() == item["input"].lower()]
        allowed = f"allowed: {expected}"
        return f"{allowed} (did you mean {same[0]!r}?)" if same else allowed
    return message


def _resource_id_shape(pattern: str) -> str | None:
    """An ARM resource id pattern as the id's shape, e.g. `/subscriptions/<...>/resourceGroups/<...>/providers/
    Microsoft.KeyVault/vaults/<...>` (what `az resource show --query id` prints); None for other patterns."""
    if "/subscriptions/" not in pattern:
        return None
    shape = pattern.removeprefix("(?i)").removeprefix("^").removesuffix("$")
    for regex, text in (("[^/]+", "<...>"), (".+", "<...>"), ("\\.", ".")):
        shape = shape.replace(regex, text)
    return f"an Azure resource id of the form {shape}"


def key_of(problem: str) -> str:
    """The key path a problem line starts with (`aks-istio:platform.cluster.tier`)."""
    return problem.split(": ", 1)[0]


def validate_completely(validate: Callable[[Mapping[str, Any]], T], raw: Mapping[str, Any], root: type[BaseModel]) -> T:
    """`validate(raw)`, or a ConfigError with every problem: field errors and the rules across fields together.

    pydantic skips a model's cross-field rules once one of its fields fails. So after a failure the bad values
    are taken out (unknown keys dropped, a bad optional value back to its default, a bad required one to a
    stand-in) and the config validated again, up to REPAIR_PASSES times; what the later passes find is added,
    except what concerns the repaired keys themselves. A "required key is missing" that disappears once a bad
    value is repaired (the preset of a misspelt environment fills it) is not reported."""
    try:
        return validate(raw)
    except ValidationError as exc:
        error = exc
    problems = describe(error, root)
    data: Any = copy.deepcopy(dict(raw))
    repaired: list[str] = []
    still_missing: set[str] | None = None
    for _ in range(REPAIR_PASSES):
        fixed = [
            _key_path(loc, getattr(root, "KEY_ROOT", CONFIG_ROOT))
            for loc in _failed_locations(error)
            if _repair(data, loc, root)
        ]
        if not fixed:
            break
        repaired += fixed
        try:
            validate(data)
        except ValidationError as again:
            error = again
        else:
            still_missing = set()
            break
        later = describe(error, root)
        still_missing = {key_of(p) for p in later if p.endswith("required key is missing")}
        problems += [p for p in later if p not in problems and not _about_repaired(key_of(p), repaired)]
    if still_missing is not None:
        problems = [p for p in problems if not p.endswith("required key is missing") or key_of(p) in still_missing]
    raise ConfigError(problems)


def _failed_locations(error: ValidationError) -> list[list[int | str]]:
    """Where fields failed; not the rules across fields (their message carries its own key paths)."""
    return [
        [p for p in item["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        for item in error.errors(include_url=False)
        if item["type"] != "missing" and PATH_SEP not in str(item.get("ctx", {}).get("error", ""))
    ]


def _about_repaired(key: str, repaired: Sequence[str]) -> bool:
    """True for a problem at or under a repaired key, or beside one (a rule of the same model that saw the
    default standing in for the bad value, e.g. a node count checked against a default prefix size)."""
    parents = {_parent(r) for r in repaired}
    return _parent(key) in parents or any(key == r or key.startswith((f"{r}.", f"{r}[")) for r in repaired)


def _parent(key: str) -> str:
    return key[: max(key.rfind("."), key.rfind("["), 0)]


def _repair(data: Any, loc: list[int | str], root: type[BaseModel]) -> bool:
    """Take the bad value at `loc` out of `data` (in place); False when it cannot be (a required key)."""
    while loc and isinstance(loc[-1], int):
        loc = loc[:-1]  # a bad list item: repair the whole list
    if not loc:
        return False
    parent: Any = data
    for part in loc[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return False
    key = loc[-1]
    if not isinstance(parent, dict) or key not in parent:
        return False
    owner = _model_at(root, loc[:-1])
    field = next((f for n, f in owner.model_fields.items() if key in (n, f.alias)), None) if owner else None
    dotted = ".".join(str(p) for p in loc)
    if field is None or not field.is_required():
        del parent[key]  # an unknown key, or a field with a default (or a preset) to fall back on
    elif dotted in STAND_INS and parent[key] != STAND_INS[dotted]:
        parent[key] = STAND_INS[dotted]
    else:
        return False
    return True
