"""Tests import the library as `aks_istio` (pyproject puts components/ first on the path), `tests.*` from the root."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The suite runs twice in `make test`: as shipped (the SDKs as the Pulumi engine loads them), and with the offline
# tool's fast path (AKS_ISTIO_OFFLINE_FAST_PATH=1, as the CLI sets it): the SDK loaders installed before any test
# module imports an SDK, and the policy packs the tests start patched with analyze_once.
from aks_istio.offline import fast_path  # noqa: E402

if fast_path.requested():
    fast_path.install_sdk_loaders()
