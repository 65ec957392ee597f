"""The aks-istio Pulumi program (`pulumi up`): the library's `aks_istio.program`, from this checkout.

`components/` is the source root of the `aks_istio` package (see pyproject.toml): putting it first on the path
runs this checkout's code whether or not the package is also installed in the virtualenv.
"""

import gc
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "components"))

from aks_istio.offline import sdk_imports

sdk_imports.install()  # before any provider SDK loads: import only the resource modules we use

from aks_istio import program  # noqa: E402

gc.disable()
program.main()
