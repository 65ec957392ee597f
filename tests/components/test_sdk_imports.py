"""Lean SDK imports: a package loads only the modules that define what we use, and still behaves as before."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from aks_istio.offline.sdk_imports import module_candidates
from aks_istio.offline.stack_files import PROJECT_ROOT

PROBE = """
import json, sys
{install}
from pulumi_azure_native import network, authorization
import pulumi_kubernetes as k8s
found = [network.VirtualNetwork.__name__, network.PublicIPAddress.__name__, k8s.core.v1.ConfigMap.__name__,
         authorization.PrincipalType.SERVICE_PRINCIPAL.value, authorization.get_client_config_output.__name__,
         network.outputs.__name__]
loaded = sum(1 for m in sys.modules if m.startswith("pulumi_azure_native.network."))
try:
    network.NoSuchResource
    missing = "no error"
except AttributeError as error:
    missing = str(error)
after = sum(1 for m in sys.modules if m.startswith("pulumi_azure_native.network."))
print(json.dumps({{"found": found, "missing": missing, "loaded": loaded, "after_miss": after}}))
"""


def probe(install: bool) -> dict[str, Any]:
    code = PROBE.format(install="from aks_istio.offline.sdk_imports import install; install()" if install else "")
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def test_lean_packages_resolve_the_same_names_from_far_fewer_modules() -> None:
    lean, full = probe(install=True), probe(install=False)
    assert (
        lean["found"]
        == full["found"]
        == [
            "VirtualNetwork",
            "PublicIPAddress",
            "ConfigMap",
            "ServicePrincipal",
            "get_client_config_output",
            "pulumi_azure_native.network.outputs",
        ]
    )
    assert full["loaded"] > 250  # the package's __init__ imports every resource module
    assert lean["loaded"] < 12


def test_unknown_names_still_raise_attribute_error_after_a_full_load() -> None:
    lean = probe(install=True)
    assert lean["missing"] == "module 'pulumi_azure_native.network' has no attribute 'NoSuchResource'"
    assert lean["after_miss"] > 250  # looked everywhere, as the real package would


STAR_PROBE = """
import json
{install}
from aks_istio.offline.capture import run_program
from aks_istio.offline.stack_files import stack_config
run_program("prod", stack_config("prod"))  # the lean packages have resolved the names the program uses
names = {{}}
exec("from pulumi_azure_native.network import *", names)
print(json.dumps(sorted(name for name in names if name != "__builtins__")))
"""


def test_a_star_import_of_a_lean_package_binds_every_name_it_binds_as_shipped() -> None:
    def star(install: str) -> list[str]:
        code = STAR_PROBE.format(install=install)
        run = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
        names: list[str] = json.loads(run.stdout)
        return names

    lean = star("from aks_istio.offline.sdk_imports import install; install()")
    assert lean == star("")
    assert len(lean) > 1500  # every resource, function, type and enum of the network package


def test_module_candidates_cover_both_sdk_naming_schemes() -> None:
    assert module_candidates("PublicIPAddress") == ["PublicIPAddress", "public_ip_address"]
    assert module_candidates("get_client_config_output") == ["get_client_config"]
    assert module_candidates("outputs") == ["outputs"]
