"""Load provider-SDK packages one module at a time (the offline tool's fast path only: see `fast_path`).

`pulumi_azure_native.network` and friends are lazy modules, but the first attribute read runs the package's
`__init__`, which imports every resource module in it (290 for `network`): about a quarter of a second spent on
classes we never use, in every offline preview. After `install()`, those packages resolve an
attribute by importing only the module that defines it (`network.VirtualNetwork` -> `network.virtual_network`,
`core.v1.ConfigMap` -> `core.v1.ConfigMap`); anything else falls back to running the real `__init__`, so the
package behaves exactly as before, only sooner. Resource-type registration lives in the SDKs' top-level
packages, which this leaves alone.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import re
import sys
import types
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final

# The SDK packages our components use, each with hundreds of resource modules behind one `__init__`.
LEAN_PACKAGES: Final = (
    "pulumi_azure_native.alertsmanagement",
    "pulumi_azure_native.authorization",
    "pulumi_azure_native.containerservice",
    "pulumi_azure_native.dashboard",
    "pulumi_azure_native.keyvault",
    "pulumi_azure_native.managedidentity",
    "pulumi_azure_native.monitor",
    "pulumi_azure_native.network",
    "pulumi_azure_native.privatedns",
    "pulumi_azure_native.resources",
    "pulumi_kubernetes.core.v1",
)
# Modules every package has besides one-per-resource ones, in the order a name is looked for in them.
SHARED_MODULES: Final = ("_enums", "_inputs", "outputs")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def module_candidates(attribute: str) -> list[str]:
    """Where a package's attribute may be defined: `PublicIPAddress` -> public_ip_address (azure-native) or
    PublicIPAddress (kubernetes); `get_client_config_output` -> get_client_config."""
    if attribute in SHARED_MODULES:
        return [attribute]
    base = attribute.removesuffix("_output")
    return list(dict.fromkeys([base, _CAMEL_BOUNDARY.sub("_", base).lower()]))


class _LeanLoader(importlib.abc.Loader):
    def __init__(self, real: importlib.machinery.SourceFileLoader) -> None:
        self.real = real

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        real = self.real
        package = module.__name__
        directory = Path(real.path).parent
        loaded_all = False

        def __getattr__(attribute: str) -> Any:  # noqa: N807 (PEP 562 module hook)
            nonlocal loaded_all
            if attribute == "__all__" and not loaded_all:
                # `from <package> import *` asks for __all__ first: it binds every name the package has as
                # shipped, so run the real __init__ now (it defines no __all__: Python then takes every public
                # name, all of them there by then).
                loaded_all = True
                real.exec_module(module)
                return getattr(module, attribute)
            if attribute.startswith("__") or loaded_all:
                raise AttributeError(f"module {package!r} has no attribute {attribute!r}")
            for candidate in module_candidates(attribute):
                if (directory / f"{candidate}.py").is_file():
                    found = importlib.import_module(f"{package}.{candidate}")
                    value = getattr(found, attribute, found if candidate == attribute else None)
                    if value is not None:
                        setattr(module, attribute, value)
                        return value
            for shared in SHARED_MODULES:
                found = importlib.import_module(f"{package}.{shared}")
                if hasattr(found, attribute):
                    value = getattr(found, attribute)
                    setattr(module, attribute, value)
                    return value
            loaded_all = True  # not where we looked: run the package's own __init__, as without install()
            real.exec_module(module)
            return getattr(module, attribute)

        module.__getattr__ = __getattr__  # type: ignore[method-assign]


class _LeanFinder(importlib.abc.MetaPathFinder):
    def __init__(self, packages: Iterable[str]) -> None:
        self.packages = frozenset(packages)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.packages:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            return spec
        spec.loader = _LeanLoader(spec.loader)
        return spec


def install(packages: Iterable[str] = LEAN_PACKAGES) -> None:
    """Make `packages` load module by module, and the SDKs' shared type modules class by class
    (`sdk_shared_modules`), from now on (idempotent; what is already loaded stays as it is)."""
    from aks_istio.offline import sdk_shared_modules

    sdk_shared_modules.install()
    if not any(isinstance(finder, _LeanFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _LeanFinder(packages))
