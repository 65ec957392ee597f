"""Turn a stack file's problems into messages a platform engineer can act on: key path, bad value, what is allowed.

Two kinds of problem: what pydantic finds building the value tree (a wrong type, an unknown or missing key, an
enum value not allowed), and what the values' own checks find (`aks_istio.value_checks.problems_of`). Both are
rendered as `aks-istio:platform.<camelCase key path>: <message>` (another file's values under their own top-level
key, `KEY_ROOT`: the fleet file's `fleet.`).
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple, TypeVar

from pydantic import TypeAdapter, ValidationError

from aks_istio.config.invalid import CONFIG_ROOT, ConfigError, key_of
from aks_istio.value_checks import (
    CONSTRAINT,
    Constraint,
    Problem,
    as_path,
    camel,
    choice_reason,
    deferred_checks,
    field_docstrings,
    nested_values,
    not_valid,
    problems_of,
)

T = TypeVar("T")
# Required keys a second pass may fill to let the rules across fields run (environment: the mildest preset).
STAND_INS: Mapping[str, object] = {"environment": "dev"}
REPAIR_PASSES = 3


def _key_path(loc: Sequence[int | str], root_key: str = CONFIG_ROOT) -> str:
    path = root_key
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


class StackField(NamedTuple):
    """A key of a stack-file object: its field's annotation, whether it must be set, its default (or
    `dataclasses.MISSING`; a factory's value), its description."""

    annotation: Any
    required: bool
    default: Any
    description: str | None
    constraint: Constraint | None


def is_section(cls: Any) -> bool:
    """A class a file holds as an object: a value dataclass."""
    return isinstance(cls, type) and dataclasses.is_dataclass(cls)


def stack_fields(cls: type) -> dict[str, StackField]:
    """The keys of an object the stack file holds, by their camelCase names."""
    assert dataclasses.is_dataclass(cls), cls
    hints = _annotations(cls)
    docs = field_docstrings(cls)
    fields: dict[str, StackField] = {}
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        fields[camel(f.name)] = StackField(
            hints[f.name], default is dataclasses.MISSING, default, docs.get(f.name), f.metadata.get(CONSTRAINT)
        )
    return fields


def _annotations(cls: type) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for base in reversed(cls.__mro__):
        found.update(inspect.get_annotations(base))
    return found


def _field_aliases(model: type) -> list[str]:
    return list(stack_fields(model))


def _model_at(root: type, loc: Sequence[int | str]) -> type | None:
    """Follow `loc` through the classes to the one that owns its last part."""
    model: Any = root
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = stack_fields(model).get(str(part))
        if field is None:
            break
        model = _inner_model(field.annotation)
    return model if is_section(model) else None


def _inner_model(annotation: Any) -> type | None:
    if is_section(annotation):
        return annotation  # type: ignore[no-any-return]
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


UNKNOWN_KEY = ("extra_forbidden", "unexpected_keyword_argument")
MISSING = ("missing", "missing_keyword_only_argument")


def describe(error: ValidationError, root: type) -> list[str]:
    """One line per problem, each naming the full key path (under the root's `KEY_ROOT`)."""
    root_key: str = getattr(root, "KEY_ROOT", CONFIG_ROOT)
    lines: list[str] = []
    for item in error.errors(include_url=False):
        loc = [p for p in item["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        kind = item["type"]
        if kind in UNKNOWN_KEY:
            owner = _model_at(root, loc[:-1]) if loc else root
            known = _field_aliases(owner) if owner else []
            key = str(loc[-1]) if loc else "?"
            hint = difflib.get_close_matches(key, known, n=1)
            did_you_mean = f" (did you mean '{hint[0]}'?)" if hint else ""
            lines.append(f"{_key_path(loc, root_key)}: unknown key{did_you_mean}; allowed keys: {', '.join(known)}")
        elif kind in MISSING:
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
        elif kind == "enum":
            choices = [c.strip().strip("'") for c in str(item["ctx"]["expected"]).replace(" or ", ", ").split(",")]
            reason = choice_reason(item.get("input"), choices)
            lines.append(f"{_key_path(loc, root_key)}: {not_valid(item.get('input'), reason)}")
        else:
            message = _in_words(item, root, loc)
            lines.append(f"{_key_path(loc, root_key)}: {_short(item.get('input'))} is not valid: {message}")
    return lines


def _in_words(item: Mapping[str, Any], root: type, loc: Sequence[int | str]) -> str:
    """pydantic's message, or the words the field's constraint gives for what it takes (`migrated`: a list of
    mesh namespaces, or all)."""
    owner = _model_at(root, loc[:-1]) if loc else None
    field = stack_fields(owner).get(str(loc[-1])) if owner is not None and loc else None
    if field is not None and field.constraint is not None and field.constraint.words and not field.constraint.pattern:
        return f"allowed: {field.constraint.words}"
    ctx = item.get("ctx") or {}
    if item["type"] == "literal_error" and isinstance(item.get("input"), str):
        choices = [c.strip().strip("'") for c in str(ctx.get("expected", "")).replace(" or ", ", ").split(",")]
        return choice_reason(item["input"], choices)
    return str(item["msg"]).removeprefix("Value error, ")


def validate_completely(
    validate: Callable[[Mapping[str, Any]], T],
    raw: Mapping[str, Any],
    root: type,
    prepare: Callable[[Mapping[str, Any]], Mapping[str, Any]] = dict,
) -> T:
    """`validate(raw)`, or a ConfigError with every problem.

    pydantic builds the value tree (types, enum values, required and unknown keys) with the values' own checks
    waiting (`deferred_checks`); then `problems_of` walks the tree once: every field's constraint and every rule,
    each at its key, rules across values knowing which of their inputs already failed.

    When pydantic cannot build the tree, the bad values are taken out (unknown keys dropped, a bad optional
    value back to its default, a bad required one to a stand-in) and the config built again, up to
    REPAIR_PASSES times; what the later passes and the walk find is added, except what concerns the repaired
    keys themselves. A "required key is missing" that disappears once a bad value is repaired (the preset of a
    misspelt environment fills it) is not reported. When no repair builds the whole tree (a required value
    stays bad), each top-level section that pydantic can build alone is still checked on its own.

    `prepare` lays defaults (the environment's preset) under the data before each pass."""
    root_key: str = getattr(root, "KEY_ROOT", CONFIG_ROOT)
    problems: list[str] = []
    repaired: list[str] = []
    data: Any = raw
    built: T | None = None
    still_missing: set[str] | None = None
    with deferred_checks():
        for attempt in range(REPAIR_PASSES + 1):
            try:
                built = validate(prepare(data))
            except ValidationError as error:
                later = describe(error, root)
                if attempt:
                    still_missing = {key_of(p) for p in later if p.endswith("required key is missing")}
                problems += [p for p in later if p not in problems and not _under(key_of(p), repaired)]
                if attempt == 0:
                    data = copy.deepcopy(dict(raw))
                failed = _failed_locations(error)
                fixed = [_key_path(loc, root_key) for loc in failed if _repair(data, loc, root)]
                if not fixed:
                    problems += [
                        line
                        for line in _section_problems(prepare(data), root, failed)
                        if line not in problems and not _under(key_of(line), repaired)
                    ]
                    unbuilt = getattr(root, "unbuilt_problems", None)
                    if unbuilt is not None and isinstance(raw, Mapping):
                        # The object's own first keys (environment): their problems come first, as pydantic's would.
                        problems = [
                            line for line in (stack_line(p, root_key) for p in unbuilt(raw)) if line not in problems
                        ] + problems
                    break
                repaired += fixed
            else:
                if attempt:
                    still_missing = set()
                break
    if still_missing is not None:
        problems = [p for p in problems if not p.endswith("required key is missing") or key_of(p) in still_missing]
    if built is not None:
        # The repaired values stand in as known problems: the rules that use them stand aside.
        stand_ins = [Problem(as_path(key.removeprefix(f"{root_key}.")), "repaired") for key in repaired]
        problems += [
            line
            for line in (stack_line(p, root_key) for p in problems_of(built, stand_ins))
            if line not in problems and not _under(key_of(line), repaired)
        ]
    if problems:
        raise ConfigError(problems)
    assert built is not None
    return built


def _section_problems(data: Mapping[str, Any], root: type, failed: Sequence[Sequence[int | str]]) -> list[str]:
    """The value checks of each top-level key of `data` that nothing structural failed under, checked alone
    (the rules across sections need the whole tree, and are left out)."""
    root_key: str = getattr(root, "KEY_ROOT", CONFIG_ROOT)
    bad = {str(loc[0]) for loc in failed if loc}
    lines: list[str] = []
    for field in dataclasses.fields(root):
        key = camel(field.name)
        if key in bad or key not in data:
            continue
        annotation = stack_fields(root)[key].annotation
        try:
            value = TypeAdapter(annotation).validate_python(data[key])
        except ValidationError:
            continue
        rule = field.metadata.get(CONSTRAINT)
        found = [p.under(field.name) for p in rule.problems(value)] if rule is not None else []
        for path, child in nested_values(value):
            found += [p.under(field.name, *path) for p in problems_of(child)]
        lines += [stack_line(p, root_key) for p in found]
    return lines


def stack_line(problem: Problem, root_key: str = CONFIG_ROOT) -> str:
    """A value's problem as a problem line of its file: `aks-istio:platform.cluster.tier: ...`."""
    return f"{root_key}.{problem.line(stack_file=True)}"


def _failed_locations(error: ValidationError) -> list[list[int | str]]:
    """Where fields failed (a missing key is no value to take out)."""
    return [
        [p for p in item["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        for item in error.errors(include_url=False)
        if item["type"] not in MISSING
    ]


def _under(key: str, repaired: Sequence[str]) -> bool:
    """True for a problem at or under a repaired key."""
    return any(key == r or key.startswith((f"{r}.", f"{r}[")) for r in repaired)


def _repair(data: Any, loc: list[int | str], root: type) -> bool:
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
    field = stack_fields(owner).get(str(key)) if owner else None
    dotted = ".".join(str(p) for p in loc)
    if field is None or not field.required:
        del parent[key]  # an unknown key, or a field with a default (or a preset) to fall back on
    elif dotted in STAND_INS and parent[key] != STAND_INS[dotted]:
        parent[key] = STAND_INS[dotted]
    else:
        return False
    return True
