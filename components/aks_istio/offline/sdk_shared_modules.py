"""Load a provider SDK's shared type modules (`_inputs`, `outputs`, `_enums`) one class at a time (the offline
tool's fast path only: see `fast_path`).

Every resource module of pulumi-azure-native and pulumi-kubernetes starts with `from ._inputs import *`, and its
package's `_inputs`, `outputs` and `_enums` define every type of the package in one file: 728 input classes for
`kubernetes.core.v1`, of which a Namespace and a Service patch use 10. Creating those classes was the largest
part of a prod verdict (0.6 s of ~2 s, issue #7). After `install()`, such a module runs its header (imports,
`__all__`) and then only the class definitions someone reads:

* `from ._inputs import *` in one of the package's resource modules binds the classes that module names (and
  what those name, transitively): the names its code reads and the quoted forward references of its annotations;
* an attribute read (`network.SubnetArgs`, `outputs.SubnetResponse`, which is how the SDK resolves its
  `'outputs.X'` annotations) defines that class (and what it names);
* `import *` from anywhere else still gets every name, as the real module gives.

A class definition is compiled the first time a process needs it and cached, one file per class, under a folder
named for the SDK file's path, size and modification time and the interpreter's bytecode magic number (like the
interpreter's own `.pyc` files: a changed file or interpreter gets a new folder), so a first run pays only for the
classes it uses. The cache lives in the user's own cache folder and is read only when that folder belongs to the
user and nobody else can write to it (never a shared temp folder: it holds code this process runs). Classes
other than TypedDicts are compiled with postponed evaluation of annotations (PEP 563): the SDK resolves its type
annotations with `typing.get_type_hints`, which takes strings and objects alike, so nothing evaluates them at
definition time any more (that halved what the remaining class definitions cost). TypedDicts (`...ArgsDict`) are
compiled as shipped: `TypedDict` reads `NotRequired[...]` from evaluated annotations to build
`__required_keys__`. A file whose layout is not the generated one (a header, then only top-level classes) is
left to the normal import.
"""

from __future__ import annotations
import __future__

import hashlib
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import marshal
import os
import re
import stat
import sys
import tempfile
import threading
import types
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final

SHARED_MODULES: Final = frozenset({"_inputs", "outputs", "_enums"})
SDK_ROOTS: Final = ("pulumi_azure_native.", "pulumi_kubernetes.")
CACHE_FORMAT: Final = 4
# A class with its decorators (`@pulumi.input_type`, `@pulumi.output_type`, `@pulumi.type_token("...")`).
_CHUNK_START = re.compile(r"^(?:@pulumi\.\w+(?:\(.*\))?\n)*class (\w+)\b", re.MULTILINE)
# Anything else at the start of a line once the classes begin (a statement between classes): not shakeable.
_OTHER_TOP_LEVEL = re.compile(r"^(?!@pulumi\.\w+(?:\(.*\))?$|class \w|#|[ \t]|$)", re.MULTILINE)
_STAR_IMPORT = re.compile(r"^from \.(\w+) import \*$", re.MULTILINE)
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_CLASS_NAME = re.compile(r"^class (\w+)\b", re.MULTILINE)
_TYPED_DICT = re.compile(r"^class \w+\((?:typing\.)?TypedDict\b", re.MULTILINE)
_IMPORTLIB_FRAMES = ("<frozen importlib", importlib.__file__ or "importlib")


def cache_dir() -> Path | None:
    """`$AKS_ISTIO_CACHE_DIR`, else `$XDG_CACHE_HOME/aks-istio`, else `~/.cache/aks-istio`, then `sdk-classes/`;
    None (compile in memory, cache nothing) when there is no home folder or the folder is not private."""
    configured = os.environ.get("AKS_ISTIO_CACHE_DIR")
    if configured:
        folder = Path(configured) / "sdk-classes"
    else:
        home = os.path.expanduser("~")
        if home == "~" and not os.environ.get("XDG_CACHE_HOME"):
            return None  # a home-less container: no shared temp folder instead
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache")
        folder = Path(base) / "aks-istio" / "sdk-classes"
    return folder if private_folder(folder) else None


def private_folder(folder: Path) -> bool:
    """Create `folder` (mode 0700) if needed; True if it is a real folder of this user's that no one else can
    write to, so no other user can plant compiled code in it."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return False
    owner_is_us = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return stat.S_ISDIR(info.st_mode) and owner_is_us and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


class ClassIndex:
    """One shared module's layout (its header's code, where each class lies in the source) and its classes'
    compiled code: compiled when first defined, then cached one file per class."""

    def __init__(
        self,
        path: Path,
        directory: Path | None,
        header: bytes,
        spans: dict[str, tuple[int, int, int]],
        star: list[str],
        known: frozenset[str],
    ) -> None:
        self.path = path
        self.directory = directory
        """This source file's cache folder (named for its path, size, mtime and interpreter); None: no cache."""
        self.header = header
        self.spans = spans
        """class name -> (start, end, line) of its definition in the source"""
        self.star = star
        """siblings the header star-imports (`from ._enums import *`), whose classes it uses as its own"""
        self.known = known
        """the classes a definition may name: this module's and the star-imported siblings'"""
        self._source: str | None = None

    def chunk(self, name: str) -> tuple[list[str], types.CodeType]:
        """(the classes `name`'s definition names, its code): cached, or compiled now and cached."""
        cached = None if self.directory is None else self.directory / f"{name}.marshal"
        if cached is not None:
            try:
                uses, code = marshal.loads(cached.read_bytes())
                return uses, code
            except (OSError, EOFError, ValueError, TypeError):
                pass  # not compiled yet, or cut short: compile it (again)
        if self._source is None:
            self._source = self.path.read_text(encoding="utf-8")
        start, end, line = self.spans[name]
        text = self._source[start:end]
        flags = 0 if _TYPED_DICT.search(text) else __future__.annotations.compiler_flag
        code = _moved_down(compile(text, str(self.path), "exec", flags=flags, dont_inherit=True), line)
        uses = sorted(self.known.intersection(_IDENTIFIER.findall(text)) - {name})
        if cached is not None:
            _write_atomically(cached, marshal.dumps((uses, code)))
        return uses, code

    @classmethod
    def build(cls, path: Path, directory: Path | None) -> ClassIndex | None:
        """Find the classes in the generated layout; None if the file has anything else at top level."""
        source = path.read_text(encoding="utf-8")
        starts = [(match.start(), match.group(1)) for match in _CHUNK_START.finditer(source)]
        if not starts or len({name for _, name in starts}) != len(starts):
            return None
        first = starts[0][0]
        if _OTHER_TOP_LEVEL.search(source, first):
            return None
        header_source = source[:first]
        star = _STAR_IMPORT.findall(header_source)
        known = {name for _, name in starts}
        for sibling in star:
            sibling_path = path.with_name(f"{sibling}.py")
            if sibling_path.is_file():
                known.update(_CLASS_NAME.findall(sibling_path.read_text(encoding="utf-8")))
        spans: dict[str, tuple[int, int, int]] = {}
        line, previous = 0, 0
        for position, (offset, name) in enumerate(starts):
            line += source.count("\n", previous, offset)
            previous = offset
            spans[name] = (offset, starts[position + 1][0] if position + 1 < len(starts) else len(source), line)
        header = marshal.dumps(compile(header_source, str(path), "exec", dont_inherit=True))
        index = cls(path, directory, header, spans, star, frozenset(known))
        index._source = source
        return index

    @classmethod
    def load(cls, path: Path, directory: Path | None = None) -> ClassIndex | None:
        """From the cache when there is one for this exact file, else found now and cached (None: not the
        generated layout). The classes themselves are compiled and cached as they are first defined, so a
        first run pays only for what it uses."""
        root = directory or cache_dir()
        if root is None:
            return cls.build(path, None)
        info = path.stat()
        magic = importlib.util.MAGIC_NUMBER.hex()
        key = repr([CACHE_FORMAT, sys.implementation.cache_tag, magic, str(path), info.st_mtime_ns, info.st_size])
        folder = root / f"{path.stem}-{hashlib.sha1(key.encode()).hexdigest()[:20]}"
        try:
            stored = marshal.loads((folder / "index.marshal").read_bytes())
            if stored is None:
                return None
            header, spans, star, known = stored
            return cls(path, folder, header, spans, star, frozenset(known))
        except (OSError, EOFError, ValueError, TypeError):
            pass
        index = cls.build(path, folder)
        fields = None if index is None else (index.header, index.spans, index.star, sorted(index.known))
        _write_atomically(folder / "index.marshal", marshal.dumps(fields))
        return index


def _moved_down(code: types.CodeType, lines: int) -> types.CodeType:
    """`code` as if compiled `lines` further down its file, so tracebacks name the real line (line tables are
    relative to each code object's first line)."""
    consts = tuple(_moved_down(c, lines) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return code.replace(co_firstlineno=code.co_firstlineno + lines, co_consts=consts)


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
    def __init__(self, index: ClassIndex) -> None:
        self.index = index

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        index = self.index
        namespace = module.__dict__
        exec(marshal.loads(index.header), namespace)  # the SDK's own code, as its own import would run it
        everything = list(namespace.pop("__all__", index.spans))
        package = module.__name__.rpartition(".")[0]
        defined: set[str] = set()
        per_importer: dict[str, list[str]] = {}
        # A class counts as defined before its code has run (so cycles end): the lock keeps another thread
        # from reading it in that moment (the SDK resolves types on its event loop, but a program may use threads).
        lock = threading.RLock()

        def define(wanted: Iterable[str]) -> None:
            """Define `wanted` classes and every class they name, those they build on first."""
            for name in wanted:
                if name in defined or name in namespace:
                    continue
                if name not in index.spans:  # a star-imported sibling's class: bound as the import would
                    for sibling in index.star:
                        other = importlib.import_module(f"{package}.{sibling}")
                        if name in _class_names(other):
                            namespace[name] = getattr(other, name)
                            break
                    continue
                defined.add(name)
                uses, code = index.chunk(name)
                define(uses)
                exec(code, namespace)

        def star_names(importer: str | None, code: types.CodeType | None) -> list[str]:
            """What `from <this> import *` binds for `importer` (see the module doc)."""
            if importer is None or code is None or not importer.startswith(package + "."):
                return everything
            if importer.rpartition(".")[2] in SHARED_MODULES:
                return []  # a sibling's header: the classes it uses are bound as it defines them
            with lock:
                if importer not in per_importer:
                    define(sorted(_names_used_by(code) & index.spans.keys()))
                    per_importer[importer] = sorted(defined)
                return per_importer[importer]

        def __getattr__(attribute: str) -> Any:  # noqa: N807 (PEP 562 module hook)
            if attribute == "__all__":
                return star_names(*_importer())
            if attribute in index.spans:
                with lock:
                    define([attribute])
                    return namespace[attribute]
            raise AttributeError(f"module {module.__name__!r} has no attribute {attribute!r}")

        namespace["__getattr__"] = __getattr__
        namespace["__aks_istio_classes__"] = index.spans.keys()


def _class_names(module: types.ModuleType) -> Any:
    """The classes a (possibly class-by-class) sibling defines, without defining them."""
    return getattr(module, "__aks_istio_classes__", None) or vars(module).keys()


def _names_used_by(code: types.CodeType) -> set[str]:
    """Every name a module's code reads, and every identifier in its short strings: the quoted forward
    references of its annotations ('SubnetArgs', 'outputs.SubnetResponse'). Docstrings are skipped."""
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _names_used_by(constant)
        elif isinstance(constant, str) and len(constant) < 300 and "\n" not in constant:
            names.update(_IDENTIFIER.findall(constant))
    return names


def _importer() -> tuple[str | None, types.CodeType | None]:
    """The module whose code runs `from <shared module> import *` (outside importlib's own frames)."""
    frame = sys._getframe(2)  # 0: this function, 1: the module's __getattr__
    while frame is not None and frame.f_code.co_filename.startswith(_IMPORTLIB_FRAMES):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None or frame.f_code.co_name != "<module>":
        return None, None  # not a module body importing it: a function, a REPL, pydoc... gets every name
    name = frame.f_globals.get("__name__")
    return (name, frame.f_code) if isinstance(name, str) and name in sys.modules else (None, None)


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
            spec.loader = _SharedModuleLoader(index)
        return spec


def install(roots: Sequence[str] = SDK_ROOTS, directory: Path | None = None) -> None:
    """Load the SDKs' shared type modules class by class from now on (idempotent; modules already loaded stay)."""
    if not any(isinstance(finder, SharedModuleFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, SharedModuleFinder(roots, directory))
