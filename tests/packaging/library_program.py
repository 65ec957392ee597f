"""A library user's unit test, run by the virtualenv the built wheel was installed into (test_installed_wheel.py).

It imports `aks_istio` as a user would, from wherever it runs, declares the platform of a stack file under Pulumi
mocks (`pulumi.runtime.set_mocks`), and prints what was declared as JSON. The mocks answer the provider functions
the platform calls and the few outputs Azure computes (the offline preview's `AzureMocks`, which ships in the
package); `aks_istio.testing`, the library's documented testing helper, takes their place once it ships: `mocks()`
is the one function to change.

    python library_program.py STACK_FILE
"""

from __future__ import annotations

import json
import sys
from typing import Any

import pulumi
import yaml

from aks_istio.offline.capture import AzureMocks


class RecordingMocks(AzureMocks):
    """AzureMocks that also record every resource declared."""

    def __init__(self) -> None:
        super().__init__(computed=True)
        self.resources: list[dict[str, Any]] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.resources.append({"type": args.typ, "name": args.name, "inputs": args.inputs})
        return super().new_resource(args)


def mocks() -> RecordingMocks:
    return RecordingMocks()


def main(stack_file: str) -> None:
    recorded = mocks()
    pulumi.runtime.set_mocks(recorded, project="library-user", stack="test", preview=False)

    import aks_istio
    from aks_istio import AksIstioPlatform, AksIstioPlatformArgs
    from aks_istio.config import load_stack_config

    with open(stack_file) as stream:
        platform_config = yaml.safe_load(stream)["config"]["aks-istio:platform"]

    @pulumi.runtime.test  # type: ignore[untyped-decorator]  # untyped decorator: runs the body, waits for every registration
    def declare() -> pulumi.Output[Any]:
        platform = AksIstioPlatform("payments", AksIstioPlatformArgs(config=load_stack_config(platform_config)))
        return platform.revisions

    declare()
    print(json.dumps({"library": aks_istio.__file__, "resources": recorded.resources}))


if __name__ == "__main__":
    main(sys.argv[1])
