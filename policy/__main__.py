"""aks-istio-guardrails: `pulumi preview --policy-pack policy [--policy-pack-config policy/config/<env>.json]`.

The engine runs this file (`python policy/ <engine address>`) and reads the gRPC port `PolicyPack` prints; it
serves until killed. The rules live in `rules/`; the add-on facts in the `aks_istio.addon` package (the library's
pure-data support matrix, which imports without the Pulumi provider SDKs or pydantic: see requirements.txt).
"""

import gc
import sys
from pathlib import Path

# Start-up allocates pulumi's, gRPC's and the rules' long-lived objects. With the cyclic GC paused while they load
# and then frozen (out of its generations), no collection rescans them, neither while they load nor when an Analyze
# call's garbage triggers one: start-up ~0.23 -> ~0.19 s, AnalyzeStack over prod ~115 -> ~92 ms (2026-12-07,
# benchmarks/policy_throughput.py, alternated). The GC stays on for what calls allocate: the engine may keep a pack
# up through a long deployment.
gc.disable()

# The rules are found through this directory; the facts through the library's source root (components/ of the
# checkout this folder sits in). The engine's `python policy/` and `python policy/__main__.py` both work. A bundle
# (`aks-istio policy-bundle DIR`, for `pulumi policy publish`) carries its own copy of the facts in
# aks_istio/ here, which this directory, first on the path, provides; an installed wheel's copy of the pack finds
# them in site-packages.
_HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(_HERE), str(_HERE.parent / "components")]

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402
from rules import ALL_POLICIES  # noqa: E402

gc.freeze()
gc.enable()
# pulumi-policy runs as it ships: the engine runs this file, and the offline tool starts it exactly the same way.
PolicyPack(
    name="aks-istio-guardrails",
    policies=ALL_POLICIES,
    enforcement_level=EnforcementLevel.MANDATORY,
    description="Guard rails for AKS with the Istio service-mesh add-on, on any Pulumi program.",
)
