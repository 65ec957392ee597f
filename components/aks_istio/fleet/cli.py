"""The `fleet` commands: `plan`, `edit`, `gate`, `schema` (registered on cli.py's sub-parsers).

Exit codes (docs/fleet.md): 0 done / every cluster has a route / the gate passed; 1 a cluster has no route to the
target, or the gate failed or was inconclusive; 2 invalid input (the fleet file, a stack file it names, an
argument), with every problem at its line.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
FLEET_HELP = "the fleet file (fleet.yaml: docs/fleet.md); stack files in it are relative to it"
# The fleet's own meanings of 1 (no route, a failed gate), in place of the stack commands' table (1 = a mandatory
# policy finding) that every other subcommand's help prints.
FLEET_EXIT_CODES = f"""exit codes (fleet and each of its actions):
  {EXIT_OK}    done: every cluster has a route (plan), the wave's next step written (edit), every cluster healthy
       (gate), the update run created, started or its gate approved (k8s-run)
  {EXIT_FAILED}    a cluster has no route to the target (plan, edit), an earlier wave not at the target yet (edit),
       a cluster unhealthy or inconclusive (gate; k8s-run approve then approves nothing), Fleet Manager refused
  {EXIT_INVALID}    invalid input: the fleet file or a stack file it lists (every problem at its line), a bad argument,
       no Prometheus token, fleet.fleetManager not set or its packages missing
  3    internal error (a bug in aks-istio): one line; please report it with the command you ran
  130  interrupted (Ctrl-C)"""


def add_commands(commands: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    """The `fleet` sub-commands (on cli.py's sub-parsers; `command` makes one with its description)."""
    fleet = command(
        commands,
        "fleet",
        "many clusters from one fleet file: plan, edit, gate, workflow, Fleet Manager runs",
        "A fleet file lists existing stack files in waves and one target (docs/fleet.md).",
    )
    actions = fleet.add_subparsers(dest="action", required=True, metavar="ACTION", help="one of:")
    plan = command(actions, "plan", "print each wave's clusters' ordered steps to the fleet's target")
    plan.add_argument("--fleet", required=True, type=Path, help=FLEET_HELP)
    plan.add_argument("--json", action="store_true", help="print it as JSON (docs/fleet-plan.schema.json)")
    edit = command(
        actions, "edit", "write each stack file of a wave one step further along its plan (the next step only)"
    )
    edit.add_argument("--fleet", required=True, type=Path, help=FLEET_HELP)
    edit.add_argument("--wave", required=True, help="the wave whose stack files to edit")
    gate = command(
        actions,
        "gate",
        "judge a wave's clusters on the mesh's SLOs in Prometheus",
        "Exit 0 when every cluster is healthy; 1 when one is unhealthy or inconclusive (no data, too little traffic).",
    )
    gate.add_argument("--fleet", required=True, type=Path, help=FLEET_HELP)
    gate.add_argument("--wave", required=True, help="the wave whose clusters to judge")
    gate.add_argument("--json", action="store_true", help="print the verdicts as JSON (docs/fleet.md)")
    gate.add_argument("--at", type=float, default=None, help=argparse.SUPPRESS)  # Unix time; default now
    workflow = command(
        actions, "workflow", "print the GitHub Actions workflow that rolls the fleet out wave by wave, gated"
    )
    workflow.add_argument(
        "--fleet", required=True, type=Path, help=FLEET_HELP + " (as a path from the repository root)"
    )
    run = command(
        actions,
        "k8s-run",
        "Fleet Manager update runs for the Kubernetes waves, gated by `fleet gate`",
        "Needs fleet.fleetManager in the fleet file and pip install 'aks-istio[fleet]' (API 2026-06-01).",
    )
    steps = run.add_subparsers(dest="step", required=True, metavar="STEP", help="one of:")
    create = command(steps, "create", "create the gated update strategy (the waves) and an update run")
    start = command(steps, "start", "start the update run")
    approve = command(steps, "approve", "run `fleet gate` for a wave; only when it passes, approve the run's gate")
    for step in (create, start, approve):
        step.add_argument("--fleet", required=True, type=Path, help=FLEET_HELP + " (with fleet.fleetManager)")
        step.add_argument("--run", required=True, help="the update run's name, e.g. k8s-1-35")
    create.add_argument(
        "--upgrade", choices=("Full", "ControlPlaneOnly", "NodeImageOnly"), default="Full", help="default: Full"
    )
    approve.add_argument("--wave", required=True, help="the wave whose gate to judge and approve")
    approve.add_argument("--at", type=float, default=None, help=argparse.SUPPRESS)
    schema = command(actions, "schema", "print the fleet file's JSON Schema")
    for parser in (fleet, plan, edit, gate, workflow, run, create, start, approve, schema):
        parser.epilog = FLEET_EXIT_CODES


def run(args: argparse.Namespace) -> int:
    if args.action == "schema":
        from aks_istio.fleet.model import fleet_schema

        print(json.dumps(fleet_schema(), indent=2))
        return EXIT_OK
    from aks_istio.fleet.model import FleetFileError

    try:
        fleet = _load(args.fleet)
    except FleetFileError as error:
        count = f"{len(error.problems)} problem{'s' if len(error.problems) != 1 else ''}"
        print(f"fleet file {args.fleet}: invalid input ({count}):", file=sys.stderr)
        for message, line in error.problems:
            print(f"  {args.fleet}{f':{line}' if line else ''}: {message}", file=sys.stderr)
        return EXIT_INVALID
    if args.action == "workflow":
        from aks_istio.fleet.workflow import render as render_workflow
        from aks_istio.fleet.workflow import rollout_workflow

        print(render_workflow(rollout_workflow(fleet, args.fleet.as_posix()), args.fleet.as_posix()), end="")
        return EXIT_OK
    from aks_istio.addon.catalog import active_catalog
    from aks_istio.fleet.planner import plan_fleet, render

    plan = plan_fleet(fleet, active_catalog(), str(args.fleet))
    if args.action == "plan":
        print(json.dumps(plan.as_json(), indent=2) if args.json else render(plan))
        return EXIT_FAILED if plan.blocked else EXIT_OK
    names = [w.name for w in plan.waves]
    if getattr(args, "wave", None) is not None and args.wave not in names:
        print(
            f"error: --wave {args.wave!r} is not a wave of {args.fleet}; allowed: {', '.join(names)}", file=sys.stderr
        )
        return EXIT_INVALID
    if args.action == "edit":
        return _edit(plan, args.wave)
    if args.action == "gate":
        return _gate(fleet, plan, args)
    if args.action == "k8s-run":
        return _k8s_run(fleet, plan, args)
    raise AssertionError(f"unknown fleet action {args.action}")


def _edit(plan: Any, wave_name: str) -> int:
    from aks_istio.fleet.editor import EditError, apply_edit
    from aks_istio.fleet.planner import FleetPlan, edit_text

    assert isinstance(plan, FleetPlan)
    position = [w.name for w in plan.waves].index(wave_name)
    for earlier in plan.waves[:position]:
        behind = [c.cluster for c in earlier.clusters if c.steps or c.blocked]
        if behind:
            print(
                f"wave {wave_name}: not edited: wave {earlier.name} comes first and is not at the target yet "
                f"({', '.join(behind)}); a wave finishes every step and passes its gate before the next starts",
                file=sys.stderr,
            )
            return EXIT_FAILED
    wave = plan.waves[position]
    folder = Path(plan.file).parent
    writes: list[tuple[Path, str, str]] = []
    code = EXIT_OK
    for cluster in wave.clusters:
        if not cluster.steps:
            if cluster.blocked:
                print(f"{cluster.stack} ({cluster.cluster}): no route: {cluster.blocked}", file=sys.stderr)
                code = EXIT_FAILED
            continue
        step = cluster.steps[0]
        try:
            text = apply_edit(folder / cluster.stack, step.edit)
        except (EditError, OSError) as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_INVALID
        writes.append(
            (folder / cluster.stack, text, f"{cluster.stack} ({cluster.cluster}): {step.kind}: {edit_text(step.edit)}")
        )
    for path, text, _ in writes:
        path.write_text(text)
    for *_, line in writes:
        print(line)
    if not writes and code == EXIT_OK:
        print(f"wave {wave_name}: every cluster is at the target; nothing changed")
    return code


def _load(path: Path) -> Any:
    """The fleet, with the revision catalog of its stack folder in force (as `check` uses the one beside a stack)."""
    from aks_istio.fleet.model import load_fleet
    from aks_istio.offline.revisions_cli import use_catalog_beside

    use_catalog_beside(str(path.parent / "stacks" / "fleet.yaml"))
    return load_fleet(path)


def _gate(fleet: Any, plan: Any, args: argparse.Namespace) -> int:
    import time

    from aks_istio.fleet.gate import GateCluster, render, run_gate
    from aks_istio.fleet.planner import MESH_COMPLETE, MESH_GATEWAYS, FleetPlan
    from aks_istio.fleet.prometheus import NoCredentialError, PrometheusClient, bearer_token

    assert isinstance(plan, FleetPlan)
    wave = next(w for w in plan.waves if w.name == args.wave)
    if wave.gate is None:
        print(f"error: wave {wave.name} has no gate (waves[].gate in {args.fleet})", file=sys.stderr)
        return EXIT_INVALID
    settings = fleet.settings.gates[wave.gate]
    members = []
    for cluster in wave.clusters:
        # Before a complete, the proxies must have left the revision it removes.
        completing = bool(cluster.steps) and cluster.steps[0].kind in (MESH_COMPLETE, MESH_GATEWAYS)
        old, new = (cluster.revisions[0], cluster.revisions[-1]) if completing else (None, None)
        members.append(GateCluster(cluster.cluster, cluster.stack, old, new))
    try:
        token = bearer_token(settings.prometheus_query_endpoint)
    except NoCredentialError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID
    client = PrometheusClient(settings.prometheus_query_endpoint, token)
    at = args.at if args.at is not None else time.time()
    result = run_gate(client, plan.fleet, wave.name, wave.gate, settings, members, at)
    print(json.dumps(result.as_json(), indent=2) if getattr(args, "json", False) else render(result))
    return EXIT_OK if result.healthy else EXIT_FAILED


def _k8s_run(fleet: Any, plan: Any, args: argparse.Namespace) -> int:
    from aks_istio.fleet import update_runs

    if fleet.settings.fleet_manager is None:
        print(f"error: {args.fleet}: fleet.fleetManager is not set (docs/fleet.md)", file=sys.stderr)
        return EXIT_INVALID
    if args.step == "approve":
        verdict = _gate(fleet, plan, args)
        if verdict != EXIT_OK:
            print(f"run {args.run}: the gate after wave {args.wave} is NOT approved (fleet gate failed)")
            return verdict
    try:
        sdk = update_runs.client(fleet.settings.fleet_manager.subscription_id)
        if args.step == "create":
            run_id = update_runs.create(sdk, fleet, args.run, args.upgrade)
            print(f"created update run {run_id} (strategy {update_runs.STRATEGY_NAME}: the waves, gated)")
        elif args.step == "start":
            print(f"started update run {args.run}: {update_runs.start(sdk, fleet, args.run)}")
        else:
            gate = update_runs.pending_gate(sdk, fleet, args.run, args.wave)
            if gate is None:
                print(
                    f"run {args.run}: no pending gate after wave {args.wave} (has the run reached it?)",
                    file=sys.stderr,
                )
                return EXIT_FAILED
            print(f"run {args.run}: gate {gate} after wave {args.wave}: {update_runs.approve(sdk, fleet, gate)}")
    except update_runs.FleetManagerError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID
    except Exception as error:  # the CLI's boundary: Azure's errors (auth, HTTP, conflicts) are reported, not raised
        print(f"error: Fleet Manager: {error}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
