"""The aks-istio Pulumi program (`pulumi up`): the library's `aks_istio.program`, from this checkout.

`components/` is the source root of the `aks_istio` package (see pyproject.toml): putting it first on the path
runs this checkout's code whether or not the package is also installed in the virtualenv. The engine runs this
with pulumi and the provider SDKs exactly as they ship, as does the offline tool (`aks-istio preview`).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "components"))

from aks_istio import program

program.main()
