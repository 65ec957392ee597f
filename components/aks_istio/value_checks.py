"""What every value type shares: its stack-file naming, its constraints, and the one way its rules are checked.

A value (a node pool, a network, a mesh namespace, ...) is defined once, as a frozen keyword-only dataclass of
plain typed fields: the components take it, Pulumi's component-provider host describes it to other languages, and
pydantic validates a stack file into it (`__pydantic_config__ = STACK_FILE`: camelCase keys, unknown keys
refused). Its rules run wherever it is made, with the same words:

- a field's constraint (a pattern, bounds, allowed choices, a check function) sits in the field's metadata
  (`constrained(...)`); pydantic puts it in the stack file's JSON Schema, `problems_of` checks it;
- rules across fields are the value's `rules(problems)` method; rules across values sit with the value that
  holds both (the cluster spec for its pools, the stack config for the revision against Kubernetes);
- built in Python (`NodePool(...)`, or Construct from another language), `__post_init__` calls `check(self)`:
  enum fields take their string values, and every problem of the value is raised at once as `InvalidValueError`;
- read from a stack file, the checks wait (`deferred_checks`) until pydantic has built the whole tree, then
  `problems_of` walks it once: every problem at once, each at its key, children before the rules that use them.

No pydantic import here: a component's Args load this module, and a library program never loads pydantic.
"""

import ast
import dataclasses
import difflib
import enum
import inspect
import re
import textwrap
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Final


def camel(name: str) -> str:
    """A field name as the stack file writes it: `min_count` -> `minCount`."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


STACK_FILE: Final[dict[str, Any]] = {
    "alias_generator": camel,
    "extra": "forbid",
}
"""pydantic's config of every value type (`__pydantic_config__`, a `pydantic.ConfigDict`, written as the plain
dict it is so this module needs no pydantic): camelCase keys, unknown keys refused. Not pydantic's
`use_attribute_docstrings`: it parses every class's source on each process's first validation (~0.25 s of
`aks-istio validate`); the JSON Schema's field descriptions come from `field_docstrings` where a schema is written
(`aks-istio config-schema`)."""

CONSTRAINT: Final = "aks_istio_constraint"
"""The field-metadata key of a field's `Constraint` (pydantic ignores keys that are not its own)."""

UUID_PATTERN: Final = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


class Key(str):
    """A path segment that is a map key the user wrote (kept as written), not a field name."""


PathPart = str | int
Path = tuple[PathPart, ...]


def snake(name: str) -> str:
    """A stack-file key as the field's name: `minCount` -> `min_count`."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def as_path(path: "PathPart | Path") -> "Path":
    """A field name, a path tuple, or a dotted stack-file path (`cluster.userPools[0].zones`) as a path tuple."""
    if isinstance(path, tuple):
        return path
    if isinstance(path, int | Key):
        return (path,)
    parts: list[PathPart] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        parts.append(int(index) if index else snake(name))
    return tuple(parts)


def render_path(path: Path, *, stack_file: bool) -> str:
    """`("user_pools", 0, "min_count")` -> `userPools[0].minCount` (stack file) or `user_pools[0].min_count`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = part if isinstance(part, Key) or not stack_file else camel(part)
            text += f".{name}" if text else name
    return text


_FIELD_NAME = re.compile("\x02([^\x03]*)\x03")


def field_name(path: "PathPart | Path") -> str:
    """Another field, named inside a message (`f"... above {field_name('max_count')}"`): shown as the place the
    value came from names it, `max_count` in Python, `maxCount` in a stack file or another language's program.
    (A marker in the message, rendered by `Problem.text`.)"""
    return f"\x02{render_path(as_path(path), stack_file=False)}\x03"


@dataclasses.dataclass(frozen=True)
class Problem:
    """One problem: where (relative to the value checked) and what, in the words every entry point prints."""

    path: Path
    message: str
    """What is wrong; the fields it names (`field_name`) are rendered by `text` for the place it is shown."""

    def under(self, *prefix: PathPart) -> "Problem":
        return Problem((*prefix, *self.path), self.message)

    def text(self, *, stack_file: bool = False) -> str:
        """The message, naming fields as Python does (`min_count`) or as a stack file does (`minCount`)."""
        return _FIELD_NAME.sub(lambda m: render_path(as_path(m.group(1)), stack_file=stack_file), self.message)

    def line(self, *, stack_file: bool = False) -> str:
        where = render_path(self.path, stack_file=stack_file)
        text = self.text(stack_file=stack_file)
        return f"{where}: {text}" if where else text


class InvalidValueError(ValueError):
    """A value built in code broke its rules; `problems` holds each, the message names every one."""

    def __init__(self, value_type: str, problems: Sequence[Problem]) -> None:
        self.value_type = value_type
        self.problems = list(problems)
        super().__init__(self.text())

    def text(self, *, stack_file: bool = False) -> str:
        """Every problem, fields named as Python does, or as a stack file and other languages do (camelCase)."""
        return f"{self.value_type}: " + "; ".join(p.line(stack_file=stack_file) for p in self.problems)


def short(value: Any) -> str:
    """A value as a message shows it (long ones cut)."""
    text = repr(value.value if isinstance(value, enum.Enum) else value)
    return text if len(text) <= 80 else text[:77] + "..."


def not_valid(value: Any, reason: str) -> str:
    """The one shape of a field-level refusal: `'Gold' is not valid: allowed: ...`."""
    return f"{short(value)} is not valid: {reason}"


def choices_text(choices: Sequence[Any]) -> str:
    """`'Free', 'Standard' or 'Premium'`: how the allowed values of a choice are listed everywhere."""
    shown = [repr(c.value if isinstance(c, enum.Enum) else c) for c in choices]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"


def choice_reason(value: Any, choices: Sequence[Any]) -> str:
    """Why `value` is not one of `choices`, with a "did you mean" for a value in the wrong case."""
    reason = f"allowed: {choices_text(choices)}"
    plain = [c.value if isinstance(c, enum.Enum) else c for c in choices]
    if isinstance(value, str):
        same = [c for c in plain if isinstance(c, str) and c.lower() == value.lower()]
        if same:
            reason += f" (did you mean {same[0]!r}?)"
    return reason


@dataclasses.dataclass(frozen=True, kw_only=True)
class Constraint:
    """What a field's value must be, beyond its type. Each part is also stated in the stack file's JSON Schema."""

    pattern: str | None = None
    """A regular expression a string (or each string of a list) must match ..."""
    words: str | None = None
    """... said in words (a user cannot act on the expression)."""
    ge: float | None = None
    le: float | None = None
    gt: float | None = None
    lt: float | None = None
    choices: tuple[Any, ...] = ()
    """The values allowed (for a list: for each item)."""
    min_items: int | None = None
    max_items: int | None = None
    check: Callable[[Any], str | None] | None = None
    """A function of the value returning why it is refused (the part after "is not valid: "), or None."""

    def json_schema(self, schema: dict[str, Any]) -> None:
        """State the constraint in the field's generated JSON Schema (a pattern or choices of a list: its items')."""
        item: dict[str, Any] = {}
        if self.pattern is not None:
            item["pattern"] = self.pattern
        if self.choices:
            item["enum"] = [c.value if isinstance(c, enum.Enum) else c for c in self.choices]
        for key, bound in (
            ("minimum", self.ge),
            ("maximum", self.le),
            ("exclusiveMinimum", self.gt),
            ("exclusiveMaximum", self.lt),
        ):
            if bound is not None:
                item[key] = bound
        if self.min_items is not None:
            schema["minItems"] = self.min_items
        if self.max_items is not None:
            schema["maxItems"] = self.max_items
        if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
            schema["items"].update(item)
        elif "anyOf" in schema:  # X | None: the constraint is X's
            next(o for o in schema["anyOf"] if o.get("type") != "null").update(item)
        else:
            schema.update(item)

    def problems(self, value: Any) -> Iterator[Problem]:
        """Each way `value` breaks this constraint (a list's items at their index)."""
        if value is None:
            return
        if isinstance(value, list) and (self.pattern is not None or self.choices):
            for index, item in enumerate(value):
                reason = self._item_reason(item)
                if reason is not None:
                    yield Problem((index,), not_valid(item, reason))
        elif not isinstance(value, list):
            reason = self._item_reason(value)
            if reason is not None:
                yield Problem((), not_valid(value, reason))
        if isinstance(value, list | dict):
            if self.min_items is not None and len(value) < self.min_items:
                yield Problem((), not_valid(value, f"allowed: at least {_items(self.min_items)}"))
            if self.max_items is not None and len(value) > self.max_items:
                yield Problem((), not_valid(value, f"allowed: at most {_items(self.max_items)}"))
        if self.check is not None:
            try:
                reason = self.check(value)
            except ValueError as error:  # what the check reads is itself broken (e.g. the revision catalog file)
                reason = str(error)
            if reason is not None:
                yield Problem((), not_valid(value, reason))

    def _item_reason(self, value: Any) -> str | None:
        if self.choices and value not in self.choices:
            return choice_reason(value, self.choices)
        if self.pattern is not None and isinstance(value, str) and not re.search(self.pattern, value):
            return f"does not have the allowed form; allowed: {self.words or self.pattern}"
        if isinstance(value, int | float) and not isinstance(value, bool):
            refused = (
                (self.ge, self.ge is not None and value < self.ge, ">="),
                (self.le, self.le is not None and value > self.le, "<="),
                (self.gt, self.gt is not None and value <= self.gt, ">"),
                (self.lt, self.lt is not None and value >= self.lt, "<"),
            )
            for bound, broken, text in refused:
                if bound is not None and broken:
                    return f"allowed: {text} {_number(bound)}"
        return None


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


def _number(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def constrained(
    default: Any = dataclasses.MISSING,
    *,
    default_factory: Callable[[], Any] | Any = dataclasses.MISSING,
    json_schema: Callable[[dict[str, Any]], None] | None = None,
    **constraint: Any,
) -> Any:
    """A dataclass field with a `Constraint` (keyword arguments as `Constraint`'s), stated in its metadata and in
    the stack file's JSON Schema (or, where the field's type alone cannot say what the file may hold, by
    `json_schema`, which amends the field's generated schema)."""
    rule = Constraint(**constraint)
    metadata = {CONSTRAINT: rule, "json_schema_extra": json_schema or rule.json_schema}
    if default_factory is not dataclasses.MISSING:
        return dataclasses.field(default_factory=default_factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


class Problems:
    """What the rules of one value find, knowing what its fields' own checks found already (a rule beside a bad
    value cannot be trusted, so it asks `fine(...)` first)."""

    def __init__(self, known: Sequence[Problem] = ()) -> None:
        self.known = list(known)
        self.found: list[Problem] = []

    def add(self, path: PathPart | Path, message: str) -> None:
        """`path`: a field name, a tuple of names and indices, or a dotted stack-file path (`mesh.upgrade.to`)."""
        self.found.append(Problem(as_path(path), message))

    def extend(self, problems: Sequence[Problem], *prefix: PathPart) -> None:
        self.found += [p.under(*prefix) for p in problems]

    def fine(self, *paths: PathPart | Path) -> bool:
        """None of `paths` (nor anything under them) has a problem so far."""
        wanted = [as_path(p) for p in paths]
        return not any(problem.path[: len(path)] == path for problem in [*self.known, *self.found] for path in wanted)


_DEFERRED: ContextVar[bool] = ContextVar("aks_istio_deferred_checks", default=False)


@contextmanager
def deferred_checks() -> Iterator[None]:
    """Values made inside wait with their checks (the stack file's reader walks the whole tree afterwards)."""
    token = _DEFERRED.set(True)
    try:
        yield
    finally:
        _DEFERRED.reset(token)


def check(value: Any) -> None:
    """A value's `__post_init__`: enum fields given as strings become the enum, then (unless checks are
    deferred) every problem of the value itself is raised at once. Its nested values checked themselves."""
    problems = _coerce_enums(value)
    if _DEFERRED.get():
        return
    problems += own_problems(value, problems)
    if problems:
        raise InvalidValueError(type(value).__name__, problems)


def own_problems(value: Any, known: Sequence[Problem] = ()) -> list[Problem]:
    """The problems of `value`'s own fields and its rules (not those inside its nested values); `known` are
    found already (a field with one is not checked again, a rule asks `Problems.fine`)."""
    found = list(known)
    for name, enum_type in _enum_fields(type(value)).items():
        given = getattr(value, name)
        if given is not None and not isinstance(given, enum_type) and not any(p.path[:1] == (name,) for p in found):
            found.append(Problem((name,), not_valid(given, choice_reason(given, list(enum_type)))))
    for field in dataclasses.fields(value):
        rule: Constraint | None = field.metadata.get(CONSTRAINT)
        if rule is not None and not any(p.path[:1] == (field.name,) for p in found):
            found += [p.under(field.name) for p in rule.problems(getattr(value, field.name))]
    rules = getattr(value, "rules", None)
    if rules is not None:
        problems = Problems(found)
        rules(problems)
        found += problems.found
    return found[len(known) :]


def problems_of(value: Any, known: Sequence[Problem] = ()) -> list[Problem]:
    """Every problem in `value` and the values inside it: each value's fields, then its rules, which know what
    was found under them. `known`: problems already reported elsewhere (a value the stack file's reader had to
    put back to its default): not reported again, but rules that use them stand aside."""
    below: list[Problem] = []
    for field in dataclasses.fields(value):
        for path, child in nested_values(getattr(value, field.name)):
            prefix = (field.name, *path)
            inside = [Problem(p.path[len(prefix) :], p.message) for p in known if p.path[: len(prefix)] == prefix]
            below += [p.under(*prefix) for p in problems_of(child, inside)]
    return below + own_problems(value, [*below, *known])


def nested_values(value: Any) -> Iterator[tuple[Path, Any]]:
    """The values inside `value` (itself, when it is one; a list's or a map's items), each with its path."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        yield (), value
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            for path, child in nested_values(item):
                yield (index, *path), child
    elif isinstance(value, Mapping):
        for key, item in value.items():
            for path, child in nested_values(item):
                yield (Key(key), *path), child


def _coerce_enums(value: Any) -> list[Problem]:
    """Enum fields given their string values take the enum member; other strings are problems."""
    problems: list[Problem] = []
    hints = _enum_fields(type(value))
    for name, enum_type in hints.items():
        given = getattr(value, name)
        if given is None or isinstance(given, enum_type):
            continue
        try:
            object.__setattr__(value, name, enum_type(given))
        except ValueError:
            problems.append(Problem((name,), not_valid(given, choice_reason(given, list(enum_type)))))
    return problems


_ENUM_FIELDS: dict[type, Mapping[str, type[enum.Enum]]] = {}
"""`_enum_fields` of each class, read once: a stack file makes hundreds of values of a few dozen classes."""


def _enum_fields(cls: type) -> Mapping[str, type[enum.Enum]]:
    """`cls`'s fields whose type is an Enum (or an optional one). The annotations as written (value modules do
    not postpone them, which Pulumi's schema inference needs too)."""
    known = _ENUM_FIELDS.get(cls)
    if known is not None:
        return known
    found: dict[str, type[enum.Enum]] = {}
    for base in reversed(cls.__mro__):
        for name, hint in inspect.get_annotations(base).items():
            origin: Any = typing.get_origin(hint)
            union = origin in (typing.Union, types.UnionType)
            options = typing.get_args(hint) if union else (hint,)
            enums = [o for o in options if isinstance(o, type) and issubclass(o, enum.Enum)]
            if len(enums) == 1:
                found[name] = enums[0]
    _ENUM_FIELDS[cls] = found
    return found


def resource_id(pattern: str) -> dict[str, Any]:
    """A constraint for an ARM resource id: the pattern, said as the id's shape (`/subscriptions/<...>/
    resourceGroups/<...>/providers/Microsoft.KeyVault/vaults/<...>`, what `az resource show --query id` prints)."""
    shape = pattern.removeprefix("(?i)").removeprefix("^").removesuffix("$")
    for regex, text in (("[^/]+", "<...>"), (".+", "<...>"), ("\\.", ".")):
        shape = shape.replace(regex, text)
    return {"pattern": pattern, "words": f"an Azure resource id of the form {shape}"}


# Name rules several values share: the pattern, and the words a user can act on.
K8S_NAME: Final[dict[str, Any]] = {
    "pattern": r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$",
    "words": "1-63 lowercase letters, digits and '-', starting and ending with a letter or digit",
}
"""A DNS-1123 label: namespaces, Kubernetes object names."""
POOL_NAME: Final[dict[str, Any]] = {
    "pattern": r"^[a-z][a-z0-9]{0,11}$",
    "words": "1-12 lowercase letters and digits, starting with a letter",
}
"""AKS: Linux pool names are 1-12 lowercase alphanumerics."""
RESOURCE_GROUP: Final[dict[str, Any]] = {
    "pattern": r"^[-\w\.\(\)]{1,89}[-\w\(\)]$",
    "words": "1-90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'",
}
"""ARM's naming rules for resource groups."""
LOCATION: Final[dict[str, Any]] = {
    "pattern": r"^[a-z][a-z0-9]+$",
    "words": "an Azure region's name in lowercase, e.g. westeurope (`az account list-locations -o table`)",
}
ENVIRONMENT_PATTERN: Final = r"^[a-z]([-a-z0-9]{0,18}[a-z0-9])?$"
ENVIRONMENT_WORDS: Final = (
    "1-20 lowercase letters, digits or '-', starting with a letter and not ending in '-' (e.g. qa, perf, eu-prod)"
)
"""A team's environment name: a DNS label short enough for the names derived from it (aks-istio-<environment>)."""


def environment_name_reason(value: Any) -> str | None:
    """Why `value` is not an environment name, with a "did you mean" for one in the wrong case; None: it is one."""
    if not isinstance(value, str) or re.search(ENVIRONMENT_PATTERN, value):
        return None
    reason = f"does not have the allowed form; allowed: {ENVIRONMENT_WORDS}"
    if re.search(ENVIRONMENT_PATTERN, value.lower()):
        reason += f" (did you mean {value.lower()!r}?)"
    return reason


ENVIRONMENT_NAME: Final[dict[str, Any]] = {
    "check": environment_name_reason,
    "json_schema": lambda schema: schema.update(pattern=ENVIRONMENT_PATTERN),
}
UUID: Final[dict[str, Any]] = {"pattern": UUID_PATTERN, "words": "an Entra object id (a UUID)"}
SUBNET_ID: Final[dict[str, Any]] = resource_id(
    r"(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Network/virtualNetworks/[^/]+/subnets/[^/]+$"
)
RESOURCE_ID: Final[dict[str, Any]] = resource_id(r"(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/.+$")


def field_docstrings(cls: type) -> dict[str, str]:
    """The docstring under each field of `cls` (and its bases), as pydantic and Pulumi's inference read them."""
    docs: dict[str, str] = {}
    for base in reversed(cls.__mro__):
        if base is object or not dataclasses.is_dataclass(base):
            continue
        body = ast.parse(textwrap.dedent(inspect.getsource(base))).body[0]
        assert isinstance(body, ast.ClassDef)
        for node, after in zip(body.body, body.body[1:], strict=False):
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                docs[node.target.id] = inspect.cleandoc(after.value.value)
    return docs


LONG_LIST: Final = 8
"""An allowed-list longer than this is shortened in messages to the nearest matches (see `nearest`)."""


def listed(values: Iterable[object]) -> str:
    """Allowed values listed the same way in every message, each once (a fleet's wave named twice is one choice)."""
    items = list(dict.fromkeys(str(v) for v in values))
    return ", ".join(items) if items else "(none)"


def nearest(value: str, choices: Sequence[str], *, documented_at: str) -> str:
    """What is allowed instead of `value`: the whole list when it is short; else the nearest few and where the
    full list is documented (a message of 26 names on one line hides the one the user meant)."""
    items = list(choices)
    if len(items) <= LONG_LIST:
        return listed(items)
    close = difflib.get_close_matches(value, items, n=3, cutoff=0.0)
    return f"{listed(close)} (the nearest of {len(items)}; all of them: {documented_at})"
