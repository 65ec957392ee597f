"""`fleet workflow`: the GitHub Actions workflow that rolls a fleet out wave by wave, generated from the fleet file.

One job per wave, in order (`needs:`): a matrix of `pulumi up`, one per stack of the wave, at most `maxParallel` at
a time, in the wave's GitHub environment (`fleet-<wave>`: give it required reviewers for human approval); then a
gate job that waits `soakMinutes` and runs `fleet gate`, which the next wave needs. The fleet file stays the one
source: edit it, regenerate the workflow (`aks-istio fleet workflow --fleet FILE > .github/workflows/...`).
Checked against GitHub's workflow schema in the tests (check-jsonschema's vendored copy).
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any, Final

import yaml

from aks_istio.fleet.model import Fleet

PYTHON_VERSION: Final = "3.11"
CHECKOUT: Final = "actions/checkout@v4"
SETUP_PYTHON: Final = "actions/setup-python@v5"
AZURE_LOGIN: Final = "azure/login@v2"
SETUP_PULUMI: Final = "pulumi/actions@v6"
# OIDC federation: no secret is stored, the job's token is exchanged for the identity's
# (https://learn.microsoft.com/azure/developer/github/connect-from-azure-openid-connect).
AZURE_LOGIN_WITH: Final = {
    "client-id": "${{ vars.AZURE_CLIENT_ID }}",
    "tenant-id": "${{ vars.AZURE_TENANT_ID }}",
    "subscription-id": "${{ vars.AZURE_SUBSCRIPTION_ID }}",
}
GATE_MARGIN_MINUTES: Final = 30


def _setup(extra: str = "") -> list[dict[str, Any]]:
    return [
        {"uses": CHECKOUT},
        {"uses": SETUP_PYTHON, "with": {"python-version": PYTHON_VERSION}},
        {"run": f"pip install -r requirements.txt -r policy/requirements.txt '.{extra}'"},
        {"uses": AZURE_LOGIN, "with": dict(AZURE_LOGIN_WITH)},
    ]


def _job_id(kind: str, wave: str) -> str:
    return f"{kind}-{wave}"


def rollout_workflow(fleet: Fleet, fleet_file: str) -> dict[str, Any]:
    """The workflow document for `fleet`, whose file is `fleet_file` (relative to the repository root)."""
    folder = PurePosixPath(fleet_file).parent
    name = fleet.settings.name
    jobs: dict[str, Any] = {
        "plan": {
            "runs-on": "ubuntu-latest",
            "steps": [
                {"uses": CHECKOUT},
                {"uses": SETUP_PYTHON, "with": {"python-version": PYTHON_VERSION}},
                {"run": "pip install -r requirements.txt -r policy/requirements.txt ."},
                {
                    "name": "Every cluster has a route to the target",
                    "run": f"aks-istio fleet plan --fleet {fleet_file}",
                },
            ],
        }
    }
    previous = "plan"
    for wave in fleet.settings.waves:
        stacks = [
            {
                "stack": PurePosixPath(m.stack).name.removeprefix("Pulumi.").rsplit(".", 1)[0],
                "file": str(folder / m.stack),
            }
            for m in fleet.wave_members(wave.name)
        ]
        deploy = _job_id("wave", wave.name)
        jobs[deploy] = {
            "name": f"wave {wave.name}: pulumi up",
            "needs": previous,
            "runs-on": "ubuntu-latest",
            "environment": f"fleet-{wave.name}",
            "strategy": {"max-parallel": wave.max_parallel, "fail-fast": True, "matrix": {"include": stacks}},
            "steps": [
                *_setup(),
                {"uses": SETUP_PULUMI},
                {
                    "name": "Check the stack offline (config and policy pack)",
                    "run": "aks-istio check --stack ${{ matrix.file }}",
                },
                {
                    "name": "pulumi up",
                    "run": "pulumi stack select --create ${{ matrix.stack }} && "
                    "pulumi up --yes --config-file ${{ matrix.file }} --policy-pack policy",
                    "env": {"PULUMI_ACCESS_TOKEN": "${{ secrets.PULUMI_ACCESS_TOKEN }}"},
                },
            ],
        }
        previous = deploy
        if wave.gate is not None:
            gate = _job_id("gate", wave.name)
            jobs[gate] = {
                "name": f"wave {wave.name}: soak {wave.soak_minutes} min, then gate {wave.gate}",
                "needs": deploy,
                "runs-on": "ubuntu-latest",
                "timeout-minutes": wave.soak_minutes + GATE_MARGIN_MINUTES,
                "steps": [
                    *_setup("[fleet]"),
                    {"name": f"Soak {wave.soak_minutes} min", "run": f"sleep {wave.soak_minutes * 60}"},
                    {
                        "name": "SLO gate (exit 1 stops the rollout)",
                        "run": f"aks-istio fleet gate --fleet {fleet_file} --wave {wave.name}",
                    },
                ],
            }
            previous = gate
    return {
        "name": f"fleet rollout: {name}",
        "on": {"workflow_dispatch": {}},
        "permissions": {"contents": "read", "id-token": "write"},
        "concurrency": {"group": f"fleet-{name}", "cancel-in-progress": False},
        "jobs": jobs,
    }


def render(document: dict[str, Any], fleet_file: str) -> str:
    header = (
        f"# Generated by `aks-istio fleet workflow --fleet {fleet_file}` from the fleet file: regenerate, do not "
        "edit.\n# Each wave's environment (fleet-<wave>) holds its required reviewers; the rollout stops at a "
        "failed gate.\n"
    )
    return header + yaml.safe_dump(document, sort_keys=False, width=1000)
