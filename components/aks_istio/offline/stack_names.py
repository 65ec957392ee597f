"""Two stacks of one project never declare the same Azure names (issue #19 item 6).

A stack file copied from another keeps its names unless its `environment` (the names derive from it) or its
explicit names change: `pulumi up` on the copy would then take over, or fight over, the other stack's cluster.
Checked offline, where every stack file of the project is at hand (`validate`, `check`, `preview`): each name this
stack declares is compared with the names of the other stack files in its folder; a clash is an input problem at
the key that sets the name (exit 2), naming both files.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from aks_istio.addon.catalog import CATALOG_ENV
from aks_istio.config import ConfigError, StackConfig, load_stack_config
from aks_istio.config.invalid import CONFIG_ROOT
from aks_istio.observability.values import grafana_default_name
from aks_istio.offline import stack_files


def declared_names(config: StackConfig) -> dict[str, tuple[str, str]]:
    """What the stack names in Azure -> (the name, the stack key that sets it): the resource group it creates, the
    cluster in it and Managed Grafana (a global name). Every other name derives from the cluster's."""
    naming = "cluster.name" if config.cluster.name else "environment"
    names: dict[str, tuple[str, str]] = {
        "cluster": (f"{config.resource_group_name}/{config.cluster_name}", naming),
    }
    if not config.resource_group.existing:  # sharing an existing group is what `existing: true` is for
        names["resource group"] = (
            config.resource_group_name,
            "resourceGroup.name" if config.resource_group.name else naming,
        )
    grafana = config.observability.grafana
    if config.observability.enabled and grafana.enabled and grafana.existing_id is None:
        names["Managed Grafana"] = (
            grafana.name or grafana_default_name(config.cluster_name),
            "observability.grafana.name" if grafana.name else naming,
        )
    return names


def _siblings(path: Path) -> Iterator[tuple[Path, StackConfig]]:
    """The other stack files in `path`'s folder that are valid (an invalid one is reported when it is checked)."""
    for other in sorted(path.parent.glob("Pulumi.*.yaml")):
        resolved = other.resolve()
        if resolved == path.resolve():
            continue
        stat = resolved.stat()
        config = _valid_config(resolved, stat.st_mtime_ns, stat.st_size, os.environ.get(CATALOG_ENV))
        if config is not None:
            yield other, config


@cache  # `validate` of N files of one folder reads each sibling once, not N times (as of its mtime, and the catalog)
def _valid_config(path: Path, mtime_ns: int, size: int, catalog: str | None) -> StackConfig | None:
    try:
        return load_stack_config(stack_files.read_config(path).get(f"{stack_files.PROJECT}:platform"))
    except (stack_files.StackFileError, ConfigError):
        return None


def name_clash_problems(path: Path, config: StackConfig) -> list[str]:
    """One problem per other stack file in the folder that declares one of this stack's Azure names."""
    mine = declared_names(config)
    problems = []
    for other, theirs in _siblings(path):
        shared = {
            kind: value
            for kind, value in mine.items()
            if theirs and declared_names(theirs).get(kind, ("",))[0] == value[0]
        }
        if not shared:
            continue
        key = next(iter(shared.values()))[1]
        listed = ", ".join(f"{kind} {name!r}" for kind, (name, _) in shared.items())
        problems.append(
            f"{CONFIG_ROOT}.{key}: declares the Azure names {stack_files.display_path(other)} declares ({listed}), so "
            "`pulumi up` of one stack would take over the other's resources; allowed: names of this stack's own "
            "(cluster.name, and resourceGroup.name where set)"
        )
    return problems
