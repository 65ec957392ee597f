"""The library reads as documented: help() on every component shows its Args fields and outputs, `dir(aks_istio)`
lists every export (still loaded lazily), one keyword means "wait for these", and results have names."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import os
import pydoc
import subprocess
import sys
from pathlib import Path

import pulumi
import pytest

import aks_istio
from aks_istio.addon.catalog import MinorRange, RevisionNumber, active_catalog, parse_revision
from aks_istio.component_package import args_type, public_components

COMPONENTS = public_components()
INHERITED = inspect.getdoc(pulumi.ComponentResource.__init__) or ""


def outputs(component: type[pulumi.ComponentResource]) -> list[str]:
    """The outputs a component declares (its `pulumi.Output` annotations)."""
    return [name for name, hint in inspect.get_annotations(component).items() if "Output" in str(hint)]


@pytest.mark.parametrize("component", COMPONENTS, ids=lambda c: c.__name__)
def test_help_shows_every_args_field_and_output(component: type[pulumi.ComponentResource]) -> None:
    own = component.__dict__["__init__"].__doc__
    assert own, f"{component.__name__}.__init__ has no docstring of its own"
    for field in dataclasses.fields(args_type(component)):
        assert f"\n            {field.name}: " in own, f"{component.__name__}: args field {field.name} undocumented"
    for output in outputs(component):
        assert f"\n            {output}: " in own, f"{component.__name__}: output {output} undocumented"
    shown = pydoc.render_doc(component, renderer=pydoc.TextDoc())
    assert f"Fields of `args` (`{args_type(component).__name__}`)" in shown
    assert INHERITED.splitlines()[0] not in shown  # not ComponentResource's constructor text


def test_dir_lists_every_export_without_loading_the_components() -> None:
    probe = (
        "import json, sys, aks_istio; names = dir(aks_istio); "
        "print(json.dumps([names, sorted(m for m in sys.modules if m.startswith('aks_istio.'))]))"
    )
    source_root = str(Path(aks_istio.__file__).resolve().parents[1])  # this checkout's library, as the tests import it
    env = {**os.environ, "PYTHONPATH": source_root}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
    names, loaded = json.loads(result.stdout)
    assert set(aks_istio.__all__) <= set(names)
    assert loaded == []  # the components and the SDKs load on first use, not on `import aks_istio`
    for name in aks_istio.__all__:
        assert getattr(aks_istio, name).__name__ == name


def test_one_keyword_means_wait_for_these_before_acting() -> None:
    """Beside name, args and opts, a component takes at most `wait_for` (what its action waits for; the
    platform's date aside)."""
    wiring = {"self", "name", "args", "opts"}
    extra = {c.__name__: [p for p in inspect.signature(c.__init__).parameters if p not in wiring] for c in COMPONENTS}
    assert {name: params for name, params in extra.items() if params} == {
        "AksIstioPlatform": ["today"],  # the date revision end-of-life warnings are judged on (a test seam)
        "AksIstioCluster": ["wait_for"],
        "CanaryUpgrade": ["wait_for"],
        "GatewayApiIngress": ["wait_for"],
        "MeshNamespaces": ["wait_for"],
    }


def test_revision_numbers_and_kubernetes_ranges_have_names() -> None:
    number = parse_revision("asm-1-28")
    assert number == RevisionNumber(major=1, minor=28)
    assert (number.major, number.minor) == (1, 28)
    assert parse_revision("asm-1-9") < number  # compares as versions do
    lts = [r.lts_kubernetes for r in active_catalog().revisions if r.lts_kubernetes is not None]
    assert lts and all(isinstance(r, MinorRange) and r.first <= r.last for r in lts)


# Style enforcement, not behaviour: a constructor reads as a short list of named steps (payloads from pure
# functions, resources from `_declare_*`-style methods) and registers its outputs last (style.md §6). Counted on
# the source, so every component is covered, exported or not.
CONSTRUCTOR_LINES_MAX = 60
SOURCE_ROOT = Path(aks_istio.__file__).resolve().parent


def component_constructors() -> list[tuple[str, ast.FunctionDef]]:
    """(`module:Class`, its `__init__`) for every ComponentResource subclass defined in aks_istio."""
    found = []
    for path in sorted(SOURCE_ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(ast.unparse(b).endswith("ComponentResource") for b in node.bases):
                init = next(f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "__init__")
                found.append((f"{path.relative_to(SOURCE_ROOT)}:{node.name}", init))
    return found


def body_lines(init: ast.FunctionDef) -> int:
    """Lines from the first statement after the docstring to the end of the constructor."""
    body = init.body[1:] if ast.get_docstring(init) is not None else init.body
    return (init.end_lineno or 0) - body[0].lineno + 1


def test_component_constructors_are_short_lists_of_steps_that_register_outputs_last() -> None:
    constructors = component_constructors()
    assert len(constructors) >= len(COMPONENTS)  # the scan sees at least every exported component
    too_long = {where: body_lines(init) for where, init in constructors if body_lines(init) > CONSTRUCTOR_LINES_MAX}
    assert too_long == {}, f"split these constructors into named steps (at most {CONSTRUCTOR_LINES_MAX} lines)"
    not_last = [
        where for where, init in constructors if not ast.unparse(init.body[-1]).startswith("self.register_outputs(")
    ]
    assert not_last == [], "register_outputs must be the constructor's last statement"
