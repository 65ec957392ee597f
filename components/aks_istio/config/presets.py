"""What the tier (dev, staging, prod: `tier`, else `environment`) decides, in one place: presets, prod hardening,
prod defaults.

- Presets: the defaults a stack file starts from; the stack file always wins. dev is small and cheap; prod is
  zone-redundant, on the Standard tier (uptime SLA) and protected.
- Prod hardening: what a prod stack file may not say even explicitly (`prod_problems`), checked with the rest of
  the stack's validation.
- Prod defaults that depend on other settings (Grafana's network access), resolved once by the plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from aks_istio.addon.exposure import api_server_open_to_internet, open_ranges, open_to_internet
from aks_istio.value_checks import Problems

if TYPE_CHECKING:
    from aks_istio.config.stack import StackConfig
    from aks_istio.observability.values import GrafanaSettings

PROD: Final = "prod"

PRESETS: Final[dict[str, dict[str, Any]]] = {
    "dev": {
        "protect": False,
        "cluster": {
            "tier": "Free",
            "systemPool": {"name": "system", "vmSize": "Standard_D4ds_v5", "minCount": 1, "maxCount": 2},
            "upgrade": {"channel": "patch", "nodeOsChannel": "NodeImage"},
        },
    },
    "staging": {
        "protect": False,
        "cluster": {
            "tier": "Standard",
            "systemPool": {
                "name": "system",
                "vmSize": "Standard_D4ds_v5",
                "minCount": 2,
                "maxCount": 3,
                "zones": ["1", "2", "3"],
            },
            "upgrade": {"channel": "patch", "nodeOsChannel": "NodeImage"},
        },
    },
    "prod": {
        "protect": True,
        "cluster": {
            "tier": "Standard",
            "systemPool": {
                "name": "system",
                "vmSize": "Standard_D4ds_v5",
                "minCount": 3,
                "maxCount": 5,
                "zones": ["1", "2", "3"],
            },
            "upgrade": {"channel": "stable", "nodeOsChannel": "SecurityPatch"},
        },
    },
}


def with_preset(raw: Mapping[str, Any]) -> dict[str, Any]:
    """`raw` laid over its tier's preset (`tier`, else `environment`); mappings merge key by key, lists and scalars
    replace."""
    tier = raw.get("tier") if raw.get("tier") is not None else raw.get("environment")
    preset = PRESETS.get(str(tier), {})
    return _merge(preset, raw)


def _merge(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = dict(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def prod_problems(config: StackConfig, problems: Problems) -> None:
    """Prod hardening: an uptime SLA, zone-redundant pools and IPs, no generated CA, no ingress open to all."""
    if config.preset_tier != PROD:
        return
    cluster = config.cluster
    if cluster.tier == "Free":
        problems.add("cluster.tier", "'Free' has no uptime SLA; allowed in prod: Standard, Premium")
    pools: list[tuple[str, Any]] = [("cluster.systemPool", cluster.system_pool)] if cluster.system_pool else []
    pools += [(f"cluster.userPools[{i}]", p) for i, p in enumerate(cluster.user_pools)]
    if config.gateways.egress.pool is not None:
        pools.append(("gateways.egress.pool", config.gateways.egress.pool))
    for path, pool in pools:
        if len(pool.zones) < 2:
            problems.add(f"{path}.zones", f"{pool.zones} is not zone-redundant; allowed in prod: 2 or 3 zones")
    plugin_ca = config.mesh.plugin_ca
    if plugin_ca is not None and plugin_ca.generate_dev_ca:
        problems.add(
            "mesh.pluginCa.generateDevCa",
            "true puts the CA private key in Pulumi state; allowed in prod: false, with keyVaultId",
        )
    external = config.gateways.ingress.external
    # The same rule the pack applies to any program's gateway Service (ingressgateway-external-source-restricted).
    reason = open_to_internet({**external.annotations, **external.managed_annotations()})
    if external.enabled and reason is not None:
        problems.add(
            "gateways.ingress.external",
            f"is open to the whole internet ({reason}); allowed in prod: allowedServiceTags "
            "(e.g. AzureFrontDoor.Backend) or allowedIpRanges other than Internet and 0.0.0.0/0",
        )
    ip = external.static_ip
    if external.enabled and ip is not None and not ip.existing and len(ip.zones) < 2:
        problems.add(
            "gateways.ingress.external.staticIp.zones", f"{ip.zones} is not zone-redundant; allowed in prod: 1, 2, 3"
        )


API_SERVER_RANGES: Final = "cluster.apiServer.authorizedIpRanges"
OPEN_API_SERVER_REFUSED_IN: Final = ("staging", "prod")
"""The presets whose stacks may not open the API server to the whole internet (dev is warned)."""


def exposure_problems(config: StackConfig, problems: Problems) -> None:
    """An API server open to the internet through an authorized range of the whole address space: refused in
    staging and prod (the pack's managedcluster-api-authorized-ip-ranges judges by the same function)."""
    api = config.cluster.api_server
    whole = open_ranges(api.authorized_ip_ranges)
    if whole and config.preset_tier in OPEN_API_SERVER_REFUSED_IN:
        reason = api_server_open_to_internet(api.authorized_ip_ranges, private_cluster=api.private_cluster)
        problems.add(
            API_SERVER_RANGES,
            f"{whole} opens the API server to the whole internet ({reason}); allowed in {config.preset_tier}: "
            "your office/CI CIDRs (e.g. 203.0.113.0/24), or privateCluster: true",
        )


def config_warnings(config: StackConfig) -> list[str]:
    """What a valid stack is warned about (the program logs each; the offline commands place each at its key):
    an API server open to the internet in dev, where it is allowed."""
    api = config.cluster.api_server
    whole = open_ranges(api.authorized_ip_ranges)
    if not whole or config.preset_tier in OPEN_API_SERVER_REFUSED_IN:
        return []
    return [
        f"aks-istio:platform.{API_SERVER_RANGES}: {whole} opens the API server to the whole internet (allowed in "
        f"{config.preset_tier}, refused in {' and '.join(OPEN_API_SERVER_REFUSED_IN)}); list your office/CI CIDRs "
        "(e.g. 203.0.113.0/24), or set privateCluster: true"
    ]


def grafana_public_access(grafana: GrafanaSettings, tier: str) -> bool:
    """Grafana's public network access as configured, else off in prod only (reach it through a private
    endpoint there)."""
    if grafana.public_network_access is not None:
        return grafana.public_network_access
    return tier != PROD


def grafana_private_endpoint(grafana: GrafanaSettings, tier: str) -> bool:
    """A private endpoint as configured, else exactly when public access is off (never for an existing one)."""
    if grafana.existing_id is not None:
        return False
    if grafana.private_endpoint.enabled is not None:
        return grafana.private_endpoint.enabled
    return not grafana_public_access(grafana, tier)
