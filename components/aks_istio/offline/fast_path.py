"""The offline tool's fast path: third-party code bent for speed, in the `aks-istio` command's process only.

Two things make an offline verdict about twice as fast (benchmarks/verdict_time.py, README "Benchmarks"):

* the provider SDKs load only what the program uses (`sdk_imports`: one resource module at a time;
  `sdk_shared_modules`: one type class at a time);
* the policy pack runs with `policy/analyze_once.py`, which unpacks each Analyze request once instead of once per
  policy (started through `pack_launcher`, so the pack's own `__main__.py` never patches anything).

Nothing switches it on but the CLI (`aks_istio.cli.run`), and `AKS_ISTIO_SDK_AS_IS=1` keeps it off there too. The
Pulumi program (`__main__.py`) and the pack (`policy/__main__.py`) that the Pulumi engine runs load pulumi, the
provider SDKs and pulumi-policy exactly as they ship, with the garbage collector on.

The switch is an environment variable, not module state: the pack is a child process, and `make test` runs the
suite once with the variable set (the same code paths the CLI takes) and once without (as shipped).
"""

from __future__ import annotations

import os
from typing import Final

VARIABLE: Final = "AKS_ISTIO_OFFLINE_FAST_PATH"
"""Set to 1 by the CLI (and by the test run that exercises the fast path)."""
AS_IS_VARIABLE: Final = "AKS_ISTIO_SDK_AS_IS"
"""Set to 1 to keep the CLI on the SDKs exactly as they ship (to rule the fast path out when something looks wrong)."""


def requested() -> bool:
    """Whether this process runs the offline tool's fast path."""
    return os.environ.get(VARIABLE) == "1"


def enable() -> bool:
    """Switch the fast path on for this process and the policy pack it starts; False when `AKS_ISTIO_SDK_AS_IS=1`.

    Call before any provider SDK is imported: modules already loaded stay as they are."""
    if os.environ.get(AS_IS_VARIABLE) == "1":
        os.environ.pop(VARIABLE, None)
        return False
    os.environ[VARIABLE] = "1"
    install_sdk_loaders()
    return True


def install_sdk_loaders() -> None:
    """The SDK loaders alone (what `enable()` and the fast-path test run install in-process)."""
    from aks_istio.offline import sdk_imports

    sdk_imports.install()
