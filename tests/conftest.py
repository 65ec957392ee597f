"""Tests import the library as `aks_istio` (pyproject puts components/ first on the path), `tests.*` from the root."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
