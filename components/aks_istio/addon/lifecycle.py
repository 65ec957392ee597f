"""Revision rules over the catalog, each one pure function that config validation and the policy pack both call.

Microsoft's lifecycle (https://learn.microsoft.com/azure/aks/istio-support-policy):
- at least two revisions are supported at any time, and `n-2` stays supported until six weeks after the newest
  `n` starts rolling out to all regions; the calendar's dates are *expected*, actual deprecations are announced
  in the release notes (https://github.com/Azure/AKS/releases);
- a canary upgrade goes to n+1, or skips one to n+2 when both are supported
  (https://learn.microsoft.com/azure/aks/istio-upgrade).

So a revision with an *expected* date that is still one of the two newest is not treated as past its end of life
(on 2027-01-01 asm-1-29 and asm-1-30 stay supported until Microsoft ships and rolls out asm-1-31), and a revision
newer than the catalog is a warning, never a refusal: the catalog may simply be older than the region.
Every rule takes `today` as an argument, so no caller and no test depends on the calendar.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Final

from aks_istio.addon.catalog import Catalog, Revision, kubernetes_minor, parse_revision

# "n-2 stays supported until six weeks after n starts rolling out to all regions" (istio-support-policy).
N_MINUS_2_GRACE: Final = timedelta(weeks=6)
SUPPORTED_AT_LEAST: Final = 2
# n+1, or n+2 skipping one (https://learn.microsoft.com/azure/aks/istio-upgrade).
MAX_UPGRADE_DISTANCE: Final = 2
# Revisions ship about every quarter; a catalog that has not been checked for 90 days may miss one.
CATALOG_MAX_AGE_DAYS: Final = 90
CONFIRM_HINT: Final = (
    "confirm with `az aks mesh get-revisions --location <region> -o table`, or refresh the catalog with "
    "`aks-istio revisions refresh --location <region>`"
)


NEWER_AT_MOST: Final = 3
"""How many minors above the catalog's newest revision a name is taken for a release the catalog missed: about nine
months of quarterly releases, long past the catalog's 90-day age warning. A name further off (asm-1-300, asm-2-0) is
a typo far more often than a release, and the Kubernetes range assumed for it would be nonsense (1.302-1.306)."""


def is_newer_than_catalog(catalog: Catalog, name: str) -> bool:
    """A well-formed revision of the newest catalogued one's major, at most NEWER_AT_MOST minors above it (the
    catalog may be older than the region)."""
    (major, minor), (newest_major, newest_minor) = parse_revision(name), parse_revision(catalog.newest.name)
    return major == newest_major and 0 < minor - newest_minor <= NEWER_AT_MOST


def newest_plausible(catalog: Catalog) -> str:
    """The newest revision name `is_newer_than_catalog` accepts."""
    major, minor = parse_revision(catalog.newest.name)
    return f"asm-{major}-{minor + NEWER_AT_MOST}"


def assumed_revision(catalog: Catalog, name: str, kubernetes: tuple[int, int] | None = None) -> Revision:
    """A revision newer than the catalog, as validation assumes it until the catalog knows it: the newest
    catalogued revision's Kubernetes range shifted by the minor distance (the add-on has moved each release's
    range up by about one minor: asm-1-29 1.31-1.36, asm-1-30 1.32-1.36), unless `kubernetes` says otherwise."""
    newest = catalog.newest
    shift = parse_revision(name).minor - newest.minor
    low, high = kubernetes or (newest.min_kubernetes_minor + shift, newest.max_kubernetes_minor + shift)
    return Revision(name=name, min_kubernetes_minor=low, max_kubernetes_minor=high)


def resolve(catalog: Catalog, name: str, kubernetes: tuple[int, int] | None = None) -> Revision | None:
    """The catalogued revision, the assumed one for a newer revision, or None (an older revision not in the
    catalog: AKS never had it, or retired it before the catalog starts)."""
    known = catalog.by_name.get(name)
    if known is not None:
        return known
    return assumed_revision(catalog, name, kubernetes) if is_newer_than_catalog(catalog, name) else None


def is_allowed_target(catalog: Catalog, revision: str, to: str) -> bool:
    """A catalogued canary target of `revision`, or (the catalog being older than the region) a revision newer than
    the catalog at most two minors above it (n+1, or n+2 skipping one: https://learn.microsoft.com/azure/aks/istio-upgrade)."""
    if to in catalog.upgrades_of(revision):
        return True
    (major, minor), (to_major, to_minor) = parse_revision(revision), parse_revision(to)
    return is_newer_than_catalog(catalog, to) and to_major == major and 0 < to_minor - minor <= MAX_UPGRADE_DISTANCE


def unknown_revision_problem(catalog: Catalog, name: str) -> str | None:
    """The refusal for a revision the add-on never had (not in the catalog, nor a plausible newer release)."""
    if name in catalog.by_name or is_newer_than_catalog(catalog, name):
        return None
    newer = f" (or a newer revision up to {newest_plausible(catalog)}; refresh the catalog for later ones)"
    return (
        f"{name!r} is not in the add-on's revision catalog; allowed: "
        f"{allowed_revisions(catalog, list(catalog.by_name), suffix=newer)}"
    )


PAST_END_OF_LIFE_SPELLED_OUT: Final = 3
"""More revisions past end of life than this are counted in a message, not listed."""


def allowed_revisions(catalog: Catalog, names: Iterable[str], today: date | None = None, *, suffix: str = "") -> str:
    """`names` as a message's allowed list: the supported ones, and those past end of life (on `today`, default
    the current date) apart, never as allowed: `asm-1-28, asm-1-29; past end of life: asm-1-27`."""
    day = today or date.today()
    supported: list[str] = []
    retired: list[str] = []
    for name in names:
        revision = catalog.by_name.get(name)
        ends = end_of_life(catalog, revision) if revision is not None else None
        (retired if ends is not None and day > ends else supported).append(name)
    text = (", ".join(supported) or "none supported") + suffix
    if len(retired) > PAST_END_OF_LIFE_SPELLED_OUT:
        counted = f"{len(retired)} from {retired[0]} to {retired[-1]}"
        return text + f"; past end of life: {counted} (`aks-istio revisions show`)"
    return text + (f"; past end of life: {', '.join(retired)}" if retired else "")


def newer_revision_warning(catalog: Catalog, revision: Revision, assumed_by: str = "") -> str:
    """The warning for a revision newer than the catalog (accepted, with what was assumed)."""
    how = assumed_by or f"the Kubernetes range of {catalog.newest.name} shifted by one minor per revision"
    return (
        f"mesh revision {revision.name} is newer than the revision catalog ({catalog.source_note()}, newest "
        f"{catalog.newest.name}): accepted, assuming it runs on Kubernetes {revision.kubernetes_range} ({how}); "
        f"{CONFIRM_HINT}"
    )


def end_of_life(catalog: Catalog, revision: Revision) -> date | None:
    """The day support ends as Microsoft's policy applies it: an announced date as is; an expected date no earlier
    than six weeks after the revision two minors newer was released, and none while fewer than two newer
    revisions exist (at least two are always supported)."""
    if revision.end_of_life is None or not revision.end_of_life_expected:
        return revision.end_of_life
    newer = [r for r in catalog.revisions if parse_revision(r.name) > parse_revision(revision.name)]
    if len(newer) < SUPPORTED_AT_LEAST:
        return None
    second = newer[SUPPORTED_AT_LEAST - 1]
    if second.released is None:
        return revision.end_of_life
    return max(revision.end_of_life, second.released + N_MINUS_2_GRACE)


def upgrade_route(catalog: Catalog, start: str, kubernetes_version: str | None = None) -> list[str]:
    """Canary upgrades from `start` to the newest catalogued revision (that runs on `kubernetes_version`, when
    given), each step the furthest allowed target (n+2 where allowed, else n+1): `[n+2, n+4, ...]`."""
    route: list[str] = []
    current = start
    while True:
        targets = [
            t
            for t in catalog.upgrades_of(current)
            if t in catalog.by_name
            and (kubernetes_version is None or catalog.by_name[t].supports_kubernetes(kubernetes_version))
        ]
        if not targets:
            return route
        current = max(targets, key=parse_revision)
        route.append(current)


def end_of_life_warnings(
    catalog: Catalog,
    revisions: Iterable[str],
    today: date,
    kubernetes_version: str | None = None,
    *,
    upgrade_with: str = "mesh.upgrade",
) -> list[str]:
    """One warning per catalogued revision past its end of life on `today`, naming where to move and how
    (`upgrade_with`: the setting that starts a canary upgrade where the warning is read)."""
    warnings: list[str] = []
    for name in revisions:
        revision = catalog.by_name.get(name)
        ends = end_of_life(catalog, revision) if revision is not None else None
        if revision is None or ends is None or today <= ends:
            continue
        kind = (
            "Microsoft's expected date, and two newer revisions are out"
            if revision.end_of_life_expected
            else "announced"
        )
        route = upgrade_route(catalog, name, kubernetes_version)
        if route:
            steps = " -> ".join([name, *route])
            distance = parse_revision(route[0]).minor - revision.minor
            move = (
                f"move to {route[-1]}: canary upgrade {steps} with {upgrade_with} (first step to: {route[0]}, "
                f"n+{distance})"
            )
        else:
            move = "move to a supported revision (none reachable in the catalog on this Kubernetes version)"
        warnings.append(
            f"mesh revision {name} passed its end of life on {ends} ({kind}; source: "
            f"{revision.end_of_life_source or catalog.source_note()}): no new installs and no support; {move}; "
            "see https://learn.microsoft.com/azure/aks/istio-upgrade"
        )
    return warnings


def catalog_age_warning(catalog: Catalog, today: date) -> str | None:
    age = (today - catalog.as_of).days
    if age <= CATALOG_MAX_AGE_DAYS:
        return None
    return (
        f"the revision catalog is {age} days old ({catalog.source_note()}; older than {CATALOG_MAX_AGE_DAYS} days): "
        f"AKS may have released or retired revisions since; {CONFIRM_HINT}"
    )


def kubernetes_problems(
    catalog: Catalog,
    revision: Revision,
    kubernetes_version: str,
    *,
    revision_key: str,
    kubernetes_key: str,
    revision_named: str | None = None,
) -> list[tuple[str, str]]:
    """A Kubernetes version `revision` does not run on, reported on both keys a user could change, each listing
    what would work: the revisions that run on the version, and the versions the revision runs on.
    `revision_named`: the revision's key as the Kubernetes message names it, where that is not `revision_key`
    (a value built in Python names its field `mesh_revision`)."""
    if revision.supports_kubernetes(kubernetes_version):
        return []
    fits = catalog.supporting(kubernetes_version)
    minor = kubernetes_minor(kubernetes_version)
    newer = minor is not None and minor > catalog.newest.max_kubernetes_minor
    revisions = allowed_revisions(catalog, fits) if fits else f"none in the catalog ({catalog.source_note()})"
    if not fits and newer:
        revisions += f"; if AKS has a revision for {kubernetes_version}, {CONFIRM_HINT}"
    versions = ", ".join(f"1.{m}" for m in range(revision.min_kubernetes_minor, revision.max_kubernetes_minor + 1))
    return [
        (
            revision_key,
            f"{revision.name!r} does not run on Kubernetes {kubernetes_version} (it supports "
            f"{revision.kubernetes_range}); allowed: {revisions}",
        ),
        (
            kubernetes_key,
            f"{kubernetes_version!r} does not run mesh revision {revision.name}; allowed with {revision.name}: "
            f"{versions} (or change {revision_named or revision_key})",
        ),
    ]


def supported_revisions(catalog: Catalog, today: date) -> list[str]:
    """Catalogued revisions not past their end of life on `today`, oldest first."""
    return [r.name for r in catalog.revisions if (end := end_of_life(catalog, r)) is None or today <= end]
