"""`fleet edit`: write a stack file one step further along its fleet plan, comments and layout kept.

A round-trip YAML reader (ruamel.yaml) changes only the keys the step sets; the rest of the file stays as written.
The edited text is validated by the stack file's own validation before it is written, so a step never leaves a
file that `check` refuses (the plan's steps are legal by construction; this is the guard that proves it).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aks_istio.config import ConfigError, load_stack_config
from aks_istio.config.invalid import CONFIG_ROOT
from aks_istio.offline import stack_files

# YAML would read 1.30 as the number 1.3: versions are written double-quoted, as the sample stacks write them.
_QUOTED_KEYS = ("kubernetesVersion",)


class EditError(ValueError):
    """The stack file cannot be edited (its layout is not a stack file's, or the result would not validate)."""


def apply_edit(path: Path, edit: Mapping[str, Any]) -> str:
    """The stack file's text with `edit` applied (key paths under `aks-istio:platform`; None deletes a key),
    validated like `check` validates a stack file; the file itself is not written."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.util import load_yaml_guess_indent

    text = path.read_text()
    _, sequence_indent, offset = load_yaml_guess_indent(text)
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line the user wrote
    yaml.indent(mapping=_mapping_indent(text), sequence=sequence_indent or 4, offset=offset or 2)
    document = yaml.load(text)
    config = document.get("config") if isinstance(document, CommentedMap) else None
    if not isinstance(config, CommentedMap):
        raise EditError(f"{path}: no `config:` mapping to edit")
    key = next((k for k in (CONFIG_ROOT, CONFIG_ROOT.split(":", 1)[1]) if k in config), None)
    if key is None or not isinstance(config[key], CommentedMap):
        raise EditError(f"{path}: no `{CONFIG_ROOT}:` mapping to edit")
    for dotted, value in edit.items():
        _set(config[key], dotted.split("."), value)
    out = io.StringIO()
    yaml.dump(document, out)
    edited = out.getvalue()
    try:
        load_stack_config(stack_files.read_config_text(edited, path).get(CONFIG_ROOT))
    except (ConfigError, stack_files.StackFileError) as error:
        raise EditError(f"{path}: the edit would leave an invalid stack file, not written: {error}") from None
    return edited


def _mapping_indent(text: str) -> int:
    """The indentation of the first nested key (2 in the sample stacks)."""
    match = re.search(r"^[^\s#][^\n]*:\s*\n(?:\s*#[^\n]*\n)*( +)[^\s-]", text, re.MULTILINE)
    return len(match.group(1)) if match else 2


def _set(mapping: Any, keys: list[str], value: Any) -> None:
    from ruamel.yaml.comments import CommentedMap

    *parents, last = keys
    for part in parents:
        if not isinstance(mapping.get(part), CommentedMap):
            mapping[part] = CommentedMap()
        mapping = mapping[part]
    if value is None:
        mapping.pop(last, None)
    elif isinstance(value, Mapping) and isinstance(mapping.get(last), CommentedMap):
        # Edited in place, so the comments on the keys that stay stay too.
        for gone in [k for k in mapping[last] if k not in value]:
            del mapping[last][gone]
        for key, inner in value.items():
            _set(mapping[last], [key], inner)
    elif last in mapping and not isinstance(value, Mapping):
        mapping[last] = _scalar_like(mapping[last], last, value)
    else:
        mapping[last] = _node(last, value)


def _node(key: str, value: Any) -> Any:
    """A plain value as a YAML node: mappings in block style, lists in flow style (as the stack files write
    `migrated: [apps]`), versions quoted."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if isinstance(value, Mapping):
        node = CommentedMap()
        for k, v in value.items():
            node[k] = _node(k, v)
        return node
    if isinstance(value, list):
        seq = CommentedSeq(_node(key, v) for v in value)
        seq.fa.set_flow_style()
        return seq
    if key in _QUOTED_KEYS and isinstance(value, str):
        return DoubleQuotedScalarString(value)
    return value


def _scalar_like(old: Any, key: str, value: Any) -> Any:
    """`value` in the quoting the file already used for this key."""
    from ruamel.yaml.scalarstring import ScalarString

    if isinstance(old, ScalarString) and isinstance(value, str):
        return type(old)(value)
    return _node(key, value)
