"""`python -m aks_istio.offline.pack_launcher PACK_DIR`: start the policy pack with `analyze_once` installed.

The offline tool's fast path (`fast_path`) starts the pack this way; the Pulumi engine runs `python PACK_DIR`,
whose `__main__.py` patches nothing. `analyze_once` is the pack's own module (it reads the pack's `rules`), so it
is found in PACK_DIR, as the pack finds `rules`; the pack then runs exactly as `python PACK_DIR` would run it.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path


def main(argv: list[str]) -> None:
    pack = Path(argv[0]).resolve()
    sys.path.insert(0, str(pack))
    import analyze_once

    analyze_once.install()
    sys.argv = [str(pack), *argv[1:]]
    runpy.run_path(str(pack), run_name="__main__")  # serves until the offline tool stops it


if __name__ == "__main__":
    main(sys.argv[1:])
