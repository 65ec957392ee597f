"""A library user's unit test, run by the virtualenv the built wheel was installed into (test_installed_wheel.py).

It imports `aks_istio` as a user would, from wherever it runs, declares the platform of a stack file under the
library's documented testing helper (`aks_istio.testing.AksIstioMocks`, which answers the provider functions the
components call), and prints what was declared as JSON.

    python library_program.py STACK_FILE
"""

from __future__ import annotations

import json
import sys
from typing import Any

import pulumi
import yaml


def main(stack_file: str) -> None:
    from aks_istio.testing import AksIstioMocks

    mocks = AksIstioMocks.install(project="library-user", stack="test")

    import aks_istio
    from aks_istio import AksIstioPlatform, AksIstioPlatformArgs
    from aks_istio.config import load_stack_config

    with open(stack_file) as stream:
        platform_config = yaml.safe_load(stream)["config"]["aks-istio:platform"]

    @pulumi.runtime.test  # type: ignore[untyped-decorator]  # untyped decorator: runs the body, waits for every registration
    def declare() -> pulumi.Output[Any]:
        platform = AksIstioPlatform("payments", AksIstioPlatformArgs(platform=load_stack_config(platform_config)))
        return platform.revisions

    declare()
    declared = [{"type": r.typ, "name": r.name, "inputs": r.inputs} for r in mocks.resources]
    print(json.dumps({"library": aks_istio.__file__, "resources": declared}, default=str))


if __name__ == "__main__":
    main(sys.argv[1])
