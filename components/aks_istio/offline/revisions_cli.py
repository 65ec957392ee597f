"""The command-line side of the revision lifecycle: `revisions show|refresh` and `upgrade-readiness`.

Exit codes as for every command (README): 0 done (`upgrade-readiness`: a path exists), 1 `upgrade-readiness`
found no path in the catalog, 2 bad input (a stack file, an argument, a catalog or ARM answer that cannot be used).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from aks_istio.addon.catalog import CATALOG_ENV, CATALOG_FILE, CatalogError, active_catalog, load_catalog
from aks_istio.config import StackConfig

EXIT_OK, EXIT_BLOCKED, EXIT_INVALID = 0, 1, 2


def add_commands(commands: Any, command: Callable[..., argparse.ArgumentParser], stack_help: str) -> None:
    """The `revisions` and `upgrade-readiness` sub-commands (on cli.py's sub-parsers; `command` makes one)."""
    revisions = command(
        commands,
        "revisions",
        "the revision catalog: show the one in use, or refresh it from a region",
        "Which Istio add-on revisions exist, the Kubernetes versions each runs on, upgrades and end of life, with "
        "the catalog's as-of date.",
    )
    actions = revisions.add_subparsers(dest="action", required=True, metavar="ACTION", help="one of:")
    show = command(actions, "show", "print the revision catalog in use, its age and each revision's standing")
    show.add_argument("--json", action="store_true", help="print it as JSON (docs/preview-output.schema.json)")
    refresh = command(
        actions,
        "refresh",
        "write a catalog from a region's ARM mesh revision profile (pip install 'aks-istio[refresh]'; az login)",
    )
    refresh.add_argument("--location", required=True, help="Azure region, e.g. westeurope")
    subscription_help = "the Azure subscription to read ARM with; default: $AZURE_SUBSCRIPTION_ID"
    refresh.add_argument("--subscription", default=os.environ.get("AZURE_SUBSCRIPTION_ID"), help=subscription_help)
    for action in (show, refresh):
        action.add_argument(
            "--catalog",
            type=Path,
            help=f"catalog file (show: default the one in use; refresh: default stacks/{CATALOG_FILE})",
        )
        action.add_argument("--today", type=date.fromisoformat, default=None, help=argparse.SUPPRESS)
    readiness = command(
        commands,
        "upgrade-readiness",
        "can the cluster move to a Kubernetes version with its mesh revision; if not, the ordered steps",
        "Offline, from the revision catalog; --confirm checks the first steps against the cluster itself.",
    )
    readiness.add_argument("--stack", required=True, help=stack_help)
    readiness.add_argument("--kubernetes", required=True, help="target Kubernetes version, e.g. 1.37")
    readiness.add_argument("--json", action="store_true", help="print it as JSON (docs/preview-output.schema.json)")
    readiness.add_argument(
        "--confirm",
        action="store_true",
        help="check against the cluster's own mesh upgrade profile (needs credentials; aks-istio[refresh])",
    )
    readiness.add_argument(
        "--subscription",
        default=os.environ.get("AZURE_SUBSCRIPTION_ID"),
        help=f"with --confirm: {subscription_help}",
    )
    readiness.add_argument("--today", type=date.fromisoformat, default=None, help=argparse.SUPPRESS)


def use_catalog_beside(stack: str) -> None:
    """Point the program and the policy pack this command starts at the catalog in the stack file's folder, unless
    $AKS_ISTIO_REVISION_CATALOG already names one: all three then judge revisions by the same file."""
    from aks_istio.offline import stack_files

    folder = Path(stack).parent if stack.endswith((".yaml", ".yml")) else stack_files.stacks_dir()
    beside = folder / CATALOG_FILE
    if CATALOG_ENV not in os.environ and beside.is_file():
        os.environ[CATALOG_ENV] = str(beside.resolve())


def revisions(args: argparse.Namespace) -> int:
    """`revisions show|refresh`."""
    from aks_istio.offline import revision_catalog, stack_files

    today = args.today or date.today()
    try:
        if args.action == "show":
            catalog = load_catalog(args.catalog) if args.catalog else active_catalog(stack_files.stacks_dir())
            if args.json:
                print(json.dumps(revision_catalog.show_json(catalog, today), indent=2))
            else:
                print(revision_catalog.show(catalog, today))
            return EXIT_OK
        if not args.subscription:
            print("error: --subscription (or $AZURE_SUBSCRIPTION_ID) is required to read ARM", file=sys.stderr)
            return EXIT_INVALID
        curated = active_catalog(stack_files.stacks_dir())
        operations = revision_catalog.azure_client(args.subscription)
        try:
            snapshot = revision_catalog.read_region(operations, args.location)
        except Exception as error:  # the CLI's boundary: Azure's errors (auth, HTTP) are reported, never a traceback
            print(f"error: reading {args.location} from ARM failed: {error}", file=sys.stderr)
            return EXIT_INVALID
        fresh = revision_catalog.refreshed_catalog(snapshot, curated, today)
    except CatalogError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID
    except revision_catalog.MissingExtraError as error:
        print(f"error: revisions refresh {error}", file=sys.stderr)
        return EXIT_INVALID
    except revision_catalog.RefreshError as error:
        print(f"error: not written, ARM's answer for {args.location} cannot become a catalog:", file=sys.stderr)
        print("\n".join(f"  {p}" for p in error.problems), file=sys.stderr)
        return EXIT_INVALID
    path = args.catalog or revision_catalog.default_path(stack_files.stacks_dir())
    revision_catalog.write_catalog(fresh, path)
    new = [r.name for r in fresh.revisions if r.name not in curated.by_name]
    print(f"wrote {path}: {len(fresh.revisions)} revisions, newest {fresh.newest.name}, as of {fresh.as_of}")
    if new:
        print(
            f"new since {curated.source_note()}: {', '.join(new)} (no end-of-life date yet: add one with its source "
            "when Microsoft publishes it)"
        )
    return EXIT_OK


def upgrade_readiness(
    stack: str, config: StackConfig, args: argparse.Namespace, file: str, lines: Mapping[str, int]
) -> int:
    """`upgrade-readiness`; `file` is the stack file as outputs name it, `lines` its keys' lines."""
    from aks_istio.offline import report
    from aks_istio.offline.upgrade_readiness import ReadinessError, assess, confirm, render

    today = args.today or date.today()
    try:
        readiness = assess(stack, config, args.kubernetes, active_catalog(), today, config.location)
    except (ReadinessError, CatalogError) as error:
        print(f"stack {stack}: {error}", file=sys.stderr)
        return EXIT_INVALID
    if args.confirm:
        profile = _mesh_upgrade_profile(config, args.subscription)
        if profile is None:
            return EXIT_INVALID
        readiness.confirmed = confirm(readiness, profile)
    code = EXIT_BLOCKED if readiness.blocked else EXIT_OK
    warnings = report.placed_warnings(readiness.warnings, config, lines)
    if args.json:
        outcome = "blocked" if readiness.blocked else "ready" if readiness.ready else "steps"
        document = {
            "version": report.VERSION,
            "command": "upgrade-readiness",
            "stack": stack,
            "file": file,
            "exitCode": code,
            "outcome": outcome,
            **readiness.as_json(),
            "warnings": warnings,
        }
        print(json.dumps(document, indent=2))
    else:
        # Each warning at its line, as every command prints them.
        readiness.warnings = [line.removeprefix("warning: ") for line in report.warning_lines(warnings, file)]
        print(render(readiness))
    return code


def _mesh_upgrade_profile(config: StackConfig, subscription: str | None) -> dict[str, Any] | None:
    from aks_istio.offline import revision_catalog

    if not subscription:
        print("error: --confirm needs --subscription (or $AZURE_SUBSCRIPTION_ID)", file=sys.stderr)
        return None
    try:
        operations: Any = revision_catalog.azure_client(subscription)
        profile = operations.get_mesh_upgrade_profile(config.resource_group_name, config.cluster_name, "istio")
    except revision_catalog.MissingExtraError as error:
        print(f"error: upgrade-readiness --confirm {error}", file=sys.stderr)
        return None
    except Exception as error:  # Azure's errors (auth, HTTP, "Mesh upgrade is in progress")
        print(f"error: reading the cluster's mesh upgrade profile failed: {error}", file=sys.stderr)
        return None
    body: dict[str, Any] = profile.as_dict()
    return body
