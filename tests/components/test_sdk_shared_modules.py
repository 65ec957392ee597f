"""Class-by-class shared type modules: the SDK sees exactly the types it sees with the real modules, a module
that is not in the generated layout loads as usual, and the compiled classes are rebuilt when the SDK changes."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from aks_istio.offline.sdk_shared_modules import ClassIndex, cache_dir
from aks_istio.offline.stack_files import PROJECT_ROOT

TYPES_PROBE = """
import json, sys
{install}
import pulumi
from pulumi import _types
from aks_istio.offline.capture import run_program
from aks_istio.offline.stack_files import stack_config
run_program("prod", stack_config("prod"))

def input_types(cls, seen):
    if cls in seen or not _types.is_input_type(cls):
        return
    seen[cls] = {{k: repr(v) for k, v in _types.input_type_types(cls).items()}}
    for typ in _types.input_type_types(cls).values():
        for candidate in [typ, *getattr(typ, "__args__", ())]:
            if isinstance(candidate, type):
                input_types(candidate, seen)

result = {{}}
for name, module in list(sys.modules.items()):
    if not name.startswith(("pulumi_azure_native.", "pulumi_kubernetes.")):
        continue
    for attribute, value in list(vars(module).items()):
        if isinstance(value, type) and issubclass(value, pulumi.CustomResource) and value.__module__ == name:
            seen = {{}}
            args = getattr(module, attribute + "InitArgs", None) or getattr(module, attribute + "Args", None)
            if args is not None:
                input_types(args, seen)
            result[f"{{name}}.{{attribute}}"] = {{
                "outputs": {{k: repr(v) for k, v in _types.resource_types(value).items()}},
                "inputs": {{c.__qualname__: t for c, t in seen.items()}},
            }}
print(json.dumps(result))
"""


def run_probe(code: str, *, env: dict[str, str] | None = None, cwd: Path = PROJECT_ROOT) -> Any:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})}
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_sdk_resolves_the_same_types_for_every_resource_the_prod_stack_declares(tmp_path: Path) -> None:
    install = "from aks_istio.offline.sdk_imports import install; install()"
    shaken = run_probe(TYPES_PROBE.format(install=install), env={"AKS_ISTIO_CACHE_DIR": str(tmp_path)})
    real = run_probe(TYPES_PROBE.format(install=""))
    assert len(shaken) >= 25  # every resource class the stack used
    assert {name: real[name] for name in shaken} == shaken
    # The input side reaches nested argument types (ManagedCluster's agent pools, network profile, ...).
    assert len(shaken["pulumi_azure_native.containerservice.managed_cluster.ManagedCluster"]["inputs"]) > 20


FAKE_INPUTS = """\
import pulumi
from typing import Optional

__all__ = ["Used", "Nested", "Unused"]

@pulumi.input_type
class Used:
    def __init__(__self__, *, nested: Optional["Nested"] = None):
        pulumi.set(__self__, "nested", nested)

@pulumi.input_type
class Nested:
    def __init__(__self__, *, value: Optional[str] = None):
        pulumi.set(__self__, "value", value)

@pulumi.input_type
class Unused:
    pass
"""

FAKE_PROBE = """
import json, sys
from pathlib import Path
from aks_istio.offline.sdk_shared_modules import install
install(roots=["fakesdk."], directory=Path({cache!r}))
import fakesdk.thing as thing
inputs = sys.modules["fakesdk._inputs"]
defined_by_import = sorted(n for n in ("Used", "Nested", "Unused", "Later") if n in vars(inputs))
bound_in_thing = sorted(n for n in ("Used", "Nested", "Unused") if n in vars(thing))
star = {{}}
exec("from fakesdk._inputs import *", star)
print(json.dumps({{
    "defined_by_import": defined_by_import,
    "bound_in_thing": bound_in_thing,
    "attribute": inputs.Unused.__name__,
    "star_elsewhere": sorted(n for n in star if not n.startswith("__")),
    "line": inputs.Nested.__init__.__code__.co_firstlineno,
}}))
"""


def fake_sdk(root: Path, inputs: str) -> None:
    package = root / "fakesdk"
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text("")
    (package / "_inputs.py").write_text(inputs)
    (package / "thing.py").write_text("from ._inputs import *\n\ndef make(x: 'Used') -> None: ...\n")


def fake_probe(root: Path, cache: Path) -> Any:
    env = {"PYTHONPATH": os.pathsep.join([str(root), str(PROJECT_ROOT)])}
    return run_probe(FAKE_PROBE.format(cache=str(cache)), env=env, cwd=root)


def test_a_module_binds_what_it_names_and_everything_else_comes_on_demand(tmp_path: Path) -> None:
    fake_sdk(tmp_path, FAKE_INPUTS)
    result = fake_probe(tmp_path, tmp_path / "cache")
    assert result["defined_by_import"] == ["Nested", "Used"]  # Used names Nested; nobody names Unused
    assert result["bound_in_thing"] == ["Nested", "Used"]
    assert result["attribute"] == "Unused"  # read as an attribute: defined then
    assert result["star_elsewhere"] == ["Nested", "Unused", "Used"]  # `import *` from outside: every name
    assert result["line"] == FAKE_INPUTS.splitlines().index("class Nested:") + 2  # tracebacks: the real line


def test_the_compiled_classes_are_rebuilt_when_the_sdk_file_changes(tmp_path: Path) -> None:
    fake_sdk(tmp_path, FAKE_INPUTS)
    cache = tmp_path / "cache"
    fake_probe(tmp_path, cache)
    changed = FAKE_INPUTS.replace('"Unused"]', '"Unused", "Later"]') + "\n@pulumi.input_type\nclass Later:\n    pass\n"
    fake_sdk(tmp_path, changed)
    result = fake_probe(tmp_path, cache)
    assert result["star_elsewhere"] == ["Later", "Nested", "Unused", "Used"]


def test_a_module_not_in_the_generated_layout_loads_as_usual(tmp_path: Path) -> None:
    # A top-level statement between the classes: cut apart, it might not run; so the module runs whole.
    fake_sdk(
        tmp_path,
        FAKE_INPUTS.replace("@pulumi.input_type\nclass Nested", "MARKER = 1\n\n@pulumi.input_type\nclass Nested"),
    )
    result = fake_probe(tmp_path, tmp_path / "cache")
    assert result["defined_by_import"] == ["Nested", "Unused", "Used"]


def test_a_cached_class_cut_short_is_compiled_again(tmp_path: Path) -> None:
    fake_sdk(tmp_path, FAKE_INPUTS)
    cache = tmp_path / "cache"
    fake_probe(tmp_path, cache)
    (folder,) = cache.iterdir()
    unused = folder / "Unused.marshal"  # compiled when the star import from elsewhere defined it
    unused.write_bytes(unused.read_bytes()[:-20])  # e.g. a disk that filled up mid-write
    assert fake_probe(tmp_path, cache)["star_elsewhere"] == ["Nested", "Unused", "Used"]


def test_the_cli_loads_the_sdks_as_they_ship_when_asked(tmp_path: Path) -> None:
    probe = """
import json, sys
from aks_istio.offline import fast_path
fast_path.enable()
from pulumi_azure_native import network
network.Subnet
inputs = vars(sys.modules["pulumi_azure_native.network._inputs"])
print(json.dumps({"classes": sum(1 for value in inputs.values() if isinstance(value, type))}))
"""
    shaken = run_probe(probe, env={"AKS_ISTIO_CACHE_DIR": str(tmp_path)})["classes"]
    as_shipped = run_probe(probe, env={"AKS_ISTIO_SDK_AS_IS": "1"})["classes"]
    assert shaken < 100 < 600 < as_shipped  # network: ~620 input classes (+ its enums); a subnet names ~20


TYPED_DICTS_PROBE = """
import json, sys, typing
{install}
from aks_istio.offline.capture import run_program
from aks_istio.offline.stack_files import stack_config
run_program("prod", stack_config("prod"))
found = {{}}
for name, module in list(sys.modules.items()):
    if name.startswith(("pulumi_azure_native.", "pulumi_kubernetes.")) and name.endswith("._inputs"):
        for attribute, value in list(vars(module).items()):
            if typing.is_typeddict(value):
                found[f"{{name}}.{{attribute}}"] = sorted(value.__required_keys__)
print(json.dumps(found))
"""


def test_typed_dicts_require_the_keys_they_require_as_shipped(tmp_path: Path) -> None:
    install = "from aks_istio.offline.sdk_imports import install; install()"
    shaken = run_probe(TYPED_DICTS_PROBE.format(install=install), env={"AKS_ISTIO_CACHE_DIR": str(tmp_path)})
    real = run_probe(TYPED_DICTS_PROBE.format(install=""))
    assert len(shaken) > 50  # the ...ArgsDict twins of the argument classes the stack used
    assert {name: real[name] for name in shaken} == shaken
    # The HPA's metric target: `type` required, the three values NotRequired (postponed annotations, which the other
    # classes are compiled with, would make all four required).
    assert shaken["pulumi_kubernetes.autoscaling.v2._inputs.MetricTargetArgsDict"] == ["type"]


def test_the_class_cache_is_per_interpreter_bytecode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_sdk(tmp_path, FAKE_INPUTS)
    source, cache = tmp_path / "fakesdk" / "_inputs.py", tmp_path / "cache"
    first = ClassIndex.load(source, cache)
    monkeypatch.setattr(importlib.util, "MAGIC_NUMBER", b"\x00\x00\r\n")  # another interpreter build
    second = ClassIndex.load(source, cache)
    assert first is not None and second is not None
    assert first.directory != second.directory


def test_compiled_classes_are_never_read_from_a_folder_others_can_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AKS_ISTIO_CACHE_DIR", str(tmp_path))
    assert cache_dir() == tmp_path / "sdk-classes"
    assert (tmp_path / "sdk-classes").stat().st_mode & 0o777 == 0o700  # created private
    (tmp_path / "sdk-classes").chmod(0o777)  # e.g. a shared temp folder someone else prepared
    assert cache_dir() is None  # then nothing is cached: classes compile in memory
