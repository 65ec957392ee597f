"""Load a provider SDK's shared type modules (`_inputs`, `outputs`, `_enums`) one class at a time.

Every resource module of pulumi-azure-native and pulumi-kubernetes starts with `from ._inputs import *`, and its
package's `_inputs`, `outputs` and `_enums` define every type of the package in one file: 728 input classes for
`kubernetes.core.v1`, of which a Namespace and a Service patch use 10. Creating those classes was the largest
part of a prod verdict (0.6 s of ~2 s, issue #7). After `install()`, such a module runs its header (imports,
`__all__`) and then only the class definitions someone reads:

* `from ._inputs import *` in one of the package's resource modules binds the classes that module names (and
  what those name, transitively), found by scanning its source for identifiers;
* an attribute read (`network.SubnetArgs`, `outputs.SubnetResponse`, which is how the SDK resolves its
  `'outputs.X'` annotations) defines that class (and what it names);
* `import *` from anywhere else still gets every name, as the real module gives.

The class definitions are compiled once per SDK file into a cache (like the interpreter's own `.pyc` files,
rebuilt when the file changes), with postponed evaluation of annotations (PEP 563): the SDK resolves its type
annotations with `typing.get_type_hints`, which takes strings and objects alike, so nothing evaluates them at
definition time any more (that halved what the remaining class definitions cost). A file whose layout is not
the generated one (a header, then only top-level classes) is left to the normal import.
"""

from __future__ import annotations
import __future__

import hashlib
import importlib
import importlib.abc
import importlib.machinery
import marshal
import os
import re
import sys
import tempfile
import types
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final

SHARED_MODULES: Final = frozenset({"_inputs", "outputs", "_enums"})
SDK_ROOTS: Final = ("pulumi_azure_native.", "pulumi_kubernetes.")
CACHE_FORMAT: Final = 1
# A class with its decorators (`@pulumi.input_type`, `@pulumi.output_type`, `@pulumi.type_token("...")`).
_CHUNK_START = re.compile(r"^(?:@pulumi\.\w+(?:\(.*\))?\n)*class (\w+)\b", re.MULTILINE)
_TOP_LEVEL_OK = re.compile(r"(?:@pulumi\.\w+(?:\(.*\))?|class \w+\b.*|#.*|\s*)$")
_STAR_IMPORT = re.compile(r"^from \.(\w+) import \*$", re.MULTILINE)
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_IMPORTLIB_FRAMES = ("<frozen importlib", importlib.__file__ or "importlib")


def cache_dir() -> Path:
    configured = os.environ.get("AKS_ISTIO_CACHE_DIR")
    base = Path(configured) if configured else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return (base if configured else base / "aks-istio") / "sdk-classes"


class ClassIndex:
    """One shared module's source, cut into its header and one compiled code object per class."""

    def __init__(self, header: bytes, chunks: dict[str, bytes], names: dict[str, list[str]], star: list[str]) -> None:
        self.header = header
        self.chunks = chunks
        """class name -> marshalled code that defines it"""
        self.names = names
        """class name -> the identifiers its definition uses (some of them other classes)"""
        self.star = star
        """siblings the header star-imports (`from ._enums import *`): their classes count as this module's"""

    @classmethod
    def build(cls, path: Path) -> ClassIndex | None:
        """Cut the generated layout apart; None if the file has anything else at top level."""
        source = path.read_text(encoding="utf-8")
        starts = [(match.start(), match.group(1)) for match in _CHUNK_START.finditer(source)]
        if not starts:
            return None
        header_source = source[: starts[0][0]]
        chunks: dict[str, bytes] = {}
        names: dict[str, list[str]] = {}
        flags = __future__.annotations.compiler_flag
        for position, (offset, name) in enumerate(starts):
            end = starts[position + 1][0] if position + 1 < len(starts) else len(source)
            text = source[offset:end]
            if name in chunks or not all(_TOP_LEVEL_OK.match(line) for line in _top_level_lines(text)):
                return None
            code = compile(text, str(path), "exec", flags=flags, dont_inherit=True)
            chunks[name] = marshal.dumps(_moved_down(code, source.count("\n", 0, offset)))
            names[name] = sorted(set(_IDENTIFIER.findall(text)) - {name})
        header = marshal.dumps(compile(header_source, str(path), "exec", dont_inherit=True))
        return cls(header, chunks, names, _STAR_IMPORT.findall(header_source))

    @classmethod
    def load(cls, path: Path, directory: Path | None = None) -> ClassIndex | None:
        """From the cache when it matches the file, else built and cached (None: not the generated layout)."""
        stat = path.stat()
        key = [CACHE_FORMAT, sys.implementation.cache_tag, str(path), stat.st_mtime_ns, stat.st_size]
        digest = hashlib.sha1(repr(key[:3]).encode()).hexdigest()[:20]
        cache = (directory or cache_dir()) / f"{path.stem}-{digest}.marshal"
        try:
            stored = marshal.loads(cache.read_bytes())
            if stored[0] == key:
                return None if stored[1] is None else cls(*stored[1])
        except (OSError, EOFError, ValueError, TypeError, IndexError):
            pass
        index = cls.build(path)
        fields = None if index is None else (index.header, index.chunks, index.names, index.star)
        _write_atomically(cache, marshal.dumps([key, fields]))
        return index


def _moved_down(code: types.CodeType, lines: int) -> types.CodeType:
    """`code` as if compiled `lines` further down its file, so tracebacks name the real line (line tables are
    relative to each code object's first line)."""
    consts = tuple(_moved_down(c, lines) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return code.replace(co_firstlineno=code.co_firstlineno + lines, co_consts=consts)


def _top_level_lines(text: str) -> Iterable[str]:
    return (line for line in text.split("\n") if line[:1] not in ("", " ", "\t"))


def _write_atomically(path: Path, data: bytes) -> None:
    """Best effort: a cache that cannot be written only costs the next process the compile again."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except OSError:
        pass


class _SharedModuleLoader(importlib.abc.Loader):
    def __init__(self, index: ClassIndex, path: str) -> None:
        self.index = index
        self.path = path

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        index = self.index
        namespace = module.__dict__
        exec(marshal.loads(index.header), namespace)  # the SDK's own code, as its own import would run it
        everything = list(namespace.pop("__all__", index.chunks))
        package = module.__name__.rpartition(".")[0]
        siblings: dict[str, types.ModuleType] = {}
        defined: set[str] = set()
        per_importer: dict[str, list[str]] = {}

        def sibling(name: str) -> types.ModuleType:
            if name not in siblings:
                siblings[name] = importlib.import_module(f"{package}.{name}")
            return siblings[name]

        def define(wanted: Iterable[str]) -> None:
            """Define `wanted` classes and every class they name, those they build on first."""
            for name in wanted:
                if name in defined or name not in index.chunks:
                    continue
                defined.add(name)
                uses = index.names[name]
                define(uses)
                for star in index.star:
                    other = sibling(star)
                    for used in uses:
                        if used not in namespace and used in _chunk_names(other):
                            namespace[used] = getattr(other, used)
                exec(marshal.loads(index.chunks[name]), namespace)

        def star_names(importer: str | None) -> list[str]:
            """What `from <this> import *` binds for `importer` (see the module doc)."""
            if importer is None or not importer.startswith(package + "."):
                return everything
            if importer.rpartition(".")[2] in SHARED_MODULES:
                return []  # a sibling's header: the classes it uses are bound as it defines them
            if importer not in per_importer:
                source = Path(sys.modules[importer].__file__ or "").read_text(encoding="utf-8")
                used = set(_IDENTIFIER.findall(source)) & index.chunks.keys()
                define(sorted(used))
                per_importer[importer] = sorted(defined)
            return per_importer[importer]

        def __getattr__(attribute: str) -> Any:  # noqa: N807 (PEP 562 module hook)
            if attribute == "__all__":
                return star_names(_importer())
            if attribute in index.chunks:
                define([attribute])
                return namespace[attribute]
            raise AttributeError(f"module {module.__name__!r} has no attribute {attribute!r}")

        namespace["__getattr__"] = __getattr__
        namespace["__aks_istio_classes__"] = index.chunks.keys()


def _chunk_names(module: types.ModuleType) -> Any:
    """The classes a (possibly shaken) sibling defines, without defining them."""
    return getattr(module, "__aks_istio_classes__", None) or vars(module).keys()


def _importer() -> str | None:
    """The module whose code runs `from <shared module> import *` (outside importlib's own frames)."""
    frame = sys._getframe(2)  # 0: this function, 1: the module's __getattr__
    while frame is not None and frame.f_code.co_filename.startswith(_IMPORTLIB_FRAMES):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return None
    name = frame.f_globals.get("__name__")
    return name if isinstance(name, str) and name in sys.modules else None


class SharedModuleFinder(importlib.abc.MetaPathFinder):
    def __init__(self, roots: Sequence[str] = SDK_ROOTS, directory: Path | None = None) -> None:
        self.roots = tuple(roots)
        self.directory = directory

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith(self.roots) or fullname.rpartition(".")[2] not in SHARED_MODULES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader) or not spec.origin:
            return spec
        index = ClassIndex.load(Path(spec.origin), self.directory)
        if index is not None:
            spec.loader = _SharedModuleLoader(index, spec.origin)
        return spec


def install(roots: Sequence[str] = SDK_ROOTS, directory: Path | None = None) -> None:
    """Load the SDKs' shared type modules class by class from now on (idempotent; modules already loaded stay)."""
    if not any(isinstance(finder, SharedModuleFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, SharedModuleFinder(roots, directory))
