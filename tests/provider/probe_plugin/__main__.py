"""The probe components (probe.py) served by the package's host, started as Pulumi starts a plugin."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "components"))

from probe import Probe, Refused  # type: ignore[import-not-found]

from aks_istio.component_package import serve

if __name__ == "__main__":
    serve([Probe, Refused], sys.argv[1:])
