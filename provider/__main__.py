"""The aks-istio component package's plugin: Pulumi starts it with the engine's address, it prints its port.

`components/` is the source root of the `aks_istio` package: putting it first on the path serves this checkout's
components (the tag `pulumi package add` pinned), whatever else the plugin's virtualenv holds.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "components"))

from aks_istio.component_package import public_components, serve

if __name__ == "__main__":
    serve(public_components(), sys.argv[1:])
