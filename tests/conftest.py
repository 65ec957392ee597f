"""Tests import the library as `aks_istio` (pyproject puts components/ first on the path), `tests.*` from the root."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The SDKs load as the program (__main__.py) and the CLI load them: resource modules one by one, shared type
# modules class by class. Installed before any test module imports an SDK, so every test sees that one way.
from aks_istio.offline import sdk_imports as _sdk_imports  # noqa: E402

_sdk_imports.install()
