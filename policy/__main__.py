"""aks-istio-guardrails: `pulumi preview --policy-pack policy [--policy-pack-config policy/config/<env>.json]`.

The engine runs this file (`python policy/ <engine address>`) and reads the gRPC port `PolicyPack` prints; it
serves until killed. The rules live in `rules/`; the add-on facts in the `aks_istio.addon` package (the library's
pure-data support matrix, which imports without the Pulumi provider SDKs or pydantic: see requirements.txt).
"""

import os
import sys
from pathlib import Path

# The rules are found through this directory; the facts through the library's source root (components/ of the
# checkout this folder sits in). The engine's `python policy/` and `python policy/__main__.py` both work. A bundle
# (`python -m aks_istio policy-bundle DIR`, for `pulumi policy publish`) carries its own copy of the facts in
# aks_istio/ here, which this directory, first on the path, provides; an installed wheel's copy of the pack finds
# them in site-packages.
_HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(_HERE), str(_HERE.parent / "components")]

import gc  # noqa: E402

import analyze_once  # noqa: E402
from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402
from rules import ALL_POLICIES  # noqa: E402

# Escape hatch, and how the tests compare: AKS_ISTIO_POLICY_SDK_AS_IS=1 runs pulumi_policy unpatched.
if os.environ.get("AKS_ISTIO_POLICY_SDK_AS_IS") != "1":
    analyze_once.install()

# The server lives as long as the deployment; what it imported lives as long: keep the GC from rescanning it.
gc.freeze()

PolicyPack(
    name="aks-istio-guardrails",
    policies=ALL_POLICIES,
    enforcement_level=EnforcementLevel.MANDATORY,
    description="Guard rails for AKS with the Istio service-mesh add-on, on any Pulumi program.",
)
