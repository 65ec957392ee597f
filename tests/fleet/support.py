"""The example fleet (examples/fleet: 6 clusters in 3 waves) copied where a test may change it, and the CLI run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aks_istio import cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "fleet"


FLEET_MANAGER = """\
  fleetManager:
    subscriptionId: 00000000-0000-0000-0000-000000000000
    resourceGroup: rg-fleet
    name: payments
    location: westeurope
    kubernetes: false
"""
"""A `fleetManager` section for the example fleet file (Fleet Manager does not own Kubernetes here)."""


def example_copy(tmp_path: Path) -> Path:
    """The example fleet's folder, copied into `tmp_path`; returns its fleet file."""
    shutil.copytree(EXAMPLE, tmp_path / "fleet")
    return tmp_path / "fleet" / "fleet.yaml"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(["fleet", *argv])
    out, err = capsys.readouterr()
    return code, out, err
