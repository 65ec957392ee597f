"""Every stack's URNs are pinned: a rename or re-parenting changes a URN, and Pulumi would replace that
resource (for a cluster, a rebuild). Such a change must be deliberate: regenerate with
`UPDATE_GOLDEN=1 python -m pytest tests/offline/test_golden_urns.py` and review the diff (add an alias instead
where the resource must survive)."""

from __future__ import annotations

import os

import pytest

from aks_istio.offline.capture import run_program
from aks_istio.offline.stack_files import PROJECT_ROOT, stack_config

GOLDEN = PROJECT_ROOT / "tests" / "golden"


def urns(stack: str) -> str:
    capture = run_program(stack, stack_config(stack))
    return "".join(f"{urn}\n" for urn in sorted(r.urn for r in capture.resources))


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_urns_match_the_golden_snapshot(stack: str) -> None:
    path = GOLDEN / f"urns-{stack}.txt"
    current = urns(stack)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(current)
    assert path.read_text() == current, f"URNs of {stack} changed: resources would be replaced (see module doc)"
