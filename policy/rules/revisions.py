"""Revision lifecycle on any program's cluster: end-of-life revisions and revisions the catalog does not know.

The same data and rules as config validation (aks_istio.addon.catalog and .lifecycle), so a stack file and
another team's raw azure-native program get the same verdict. Advisory by default: AKS keeps running an
end-of-life revision, and a revision newer than the catalog may well exist (the catalog may be older than the
region), so neither may block a deployment.

Which catalog: the policy config's `catalogPath` if set, else `$AKS_ISTIO_REVISION_CATALOG`, else
`stacks/revisions.json` of the current directory, else the catalog the pack carries (a policy bundle carries the
user's refreshed file in its place). "Today" is the policy config's `today` if set, so a CI run can pin it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Final

from pulumi_policy import EnforcementLevel, Severity

from aks_istio.addon import lifecycle
from aks_istio.addon.catalog import REVISION_PATTERN, Catalog, CatalogError, active_catalog, load_catalog

from ._common import DOCS, MANAGED_CLUSTER, NO_CONFIG, RESOURCE_TYPE, Config, Props, get_str
from .clusters import CLUSTER_KINDS, istio_enabled, mesh_revisions, shape_of
from .factories import Meta, resource_policy

CONFIG_SCHEMA: Final = {
    "catalogPath": {
        "type": "string",
        "default": "",
        "description": "Revision catalog file (`aks-istio revisions refresh` writes one); empty: "
        "$AKS_ISTIO_REVISION_CATALOG, ./stacks/revisions.json, else the catalog the pack carries.",
    },
    "today": {
        "type": "string",
        "default": "",
        "description": "The date end of life is judged on (YYYY-MM-DD); empty: the current date.",
    },
}


def catalog_for(config: Config) -> Catalog:
    path = config.get("catalogPath") or ""
    return load_catalog(Path(path)) if path else active_catalog()


def today_for(config: Config) -> date:
    given = config.get("today") or ""
    return date.fromisoformat(given) if given else date.today()


def check_revision_lifecycle(props: Props, config: Config = NO_CONFIG) -> list[str]:
    if not istio_enabled(props):
        return []
    shape = shape_of(str(config.get(RESOURCE_TYPE, MANAGED_CLUSTER)))
    where = shape.revisions  # both providers: serviceMeshProfile.istio.revisions / serviceMeshProfile.revisions
    revisions = [r for r in mesh_revisions(props, shape) if REVISION_PATTERN.match(r)]
    if not revisions:
        return []  # managedcluster-istio-revision-pinned reports a missing or malformed list
    try:
        catalog = catalog_for(config)
        today = today_for(config)
    except (CatalogError, ValueError) as error:
        # Fail closed: a catalog or date the rule cannot read is a finding, never a silent pass.
        return [f"{where} cannot be judged: {error}. Fix catalogPath/today in the policy config."]
    messages: list[str] = []
    for name in revisions:
        unknown = lifecycle.unknown_revision_problem(catalog, name)
        if unknown is not None:
            messages.append(f"{where}: {unknown}.")
            continue
        revision = lifecycle.resolve(catalog, name)
        if revision is not None and name not in catalog.by_name:
            messages.append(f"{where}: {lifecycle.newer_revision_warning(catalog, revision)}.")
    version = get_str(props, "kubernetesVersion")
    upgrade_with = f"{where} [current, target] (az aks mesh upgrade start)"
    warnings = lifecycle.end_of_life_warnings(catalog, revisions, today, version, upgrade_with=upgrade_with)
    messages += [f"{where}: {warning}." for warning in warnings]
    return messages


LIFECYCLE = resource_policy(
    Meta(
        "managedcluster-istio-revision-lifecycle",
        "Every mesh revision is in the revision catalog and not past its end of life.",
        Severity.MEDIUM,
        "Start a canary upgrade to the revision the message names (az aks mesh get-upgrades lists the targets); "
        "for a revision newer than the catalog, run `aks-istio revisions refresh --location <region>`.",
        DOCS + "istio-support-policy",
        ("aks", "istio", "service-mesh", "lifecycle"),
        enforcement=EnforcementLevel.ADVISORY,
        config=CONFIG_SCHEMA,
    ),
    CLUSTER_KINDS,
    check_revision_lifecycle,
)

POLICIES: Final = (LIFECYCLE,)
