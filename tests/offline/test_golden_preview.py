"""Every stack's offline preview is pinned whole: what each resource would send to ARM or Kubernetes (its type,
parent, options and inputs). A refactor must leave it byte for byte as it was; a change that means to alter a
payload regenerates it with `UPDATE_GOLDEN=1 python -m pytest tests/offline/test_golden_preview.py` and the
commit says why."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from aks_istio.offline.capture import run_program
from aks_istio.offline.stack_files import PROJECT_ROOT, stack_config

GOLDEN = PROJECT_ROOT / "tests" / "golden"


def preview(stack: str) -> str:
    capture = run_program(stack, stack_config(stack))
    resources: list[dict[str, Any]] = sorted(
        (
            {
                "urn": r.urn,
                "type": r.type,
                "parent": r.parent,
                "protect": r.protect,
                "provider": r.provider,
                "ignoreChanges": list(r.ignore_changes),
                "dependsOn": sorted(r.dependencies),
                "additionalSecretOutputs": list(r.additional_secret_outputs),
                "aliases": r.aliases,
                "inputs": r.inputs,
            }
            for r in capture.resources
        ),
        key=lambda resource: str(resource["urn"]),
    )
    return json.dumps(resources, indent=1, sort_keys=True, default=str) + "\n"


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_preview_matches_the_golden_snapshot(stack: str) -> None:
    path = GOLDEN / f"preview-{stack}.json"
    current = preview(stack)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(current)
    assert path.read_text() == current, f"the offline preview of {stack} changed (see module doc)"
