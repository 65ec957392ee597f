"""Stack config: every stack file validates; bad input is refused with the key, the value and what is allowed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from aks_istio.addon import lifecycle
from aks_istio.addon.catalog import active_catalog
from aks_istio.config import ConfigError, load_stack_config
from aks_istio.offline.capture import ProgramError
from tests.support import capture_stack, config_of, merge, raw_platform


def problems_of(raw: dict) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_stack_config(raw)
    return caught.value.problems


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_every_stack_file_validates(stack: str) -> None:
    config = load_stack_config(raw_platform(stack))
    assert config.environment == stack
    assert config.mesh.revision.startswith("asm-1-")


def test_typo_in_a_key_is_an_error_that_suggests_the_right_key() -> None:
    raw = merge(raw_platform("dev"), {"cluster": {"kubernetesVersoin": "1.34"}})
    [problem] = problems_of(raw)
    assert problem.startswith("aks-istio:platform.cluster.kubernetesVersoin: unknown key")
    assert "did you mean 'kubernetesVersion'" in problem
    assert "allowed keys:" in problem


def test_every_problem_is_reported_at_once() -> None:
    raw = merge(
        raw_platform("dev"),
        {
            "cluster": {"tier": "Gold", "systemPool": {"name": "Sys_Pool"}},
            "mesh": {"namespaces": [{"name": "apps", "labels": {"istio-injection": "enabled"}}]},
            "location": "West Europe",
        },
    )
    problems = problems_of(raw)
    paths = [p.split(":", 2)[1].split(" ")[0] for p in problems]
    assert len(problems) == 4, problems
    assert any("cluster.tier" in p and "'Gold'" in p and "'Standard'" in p for p in problems)
    assert any("cluster.systemPool.name" in p and "'Sys_Pool'" in p for p in problems)
    assert any("mesh.namespaces[0].labels" in p and "istio-injection" in p for p in problems)
    assert any(path.startswith("platform.location") for path in paths)


def test_revision_that_does_not_run_on_the_kubernetes_version_names_the_ones_that_do() -> None:
    raw = merge(raw_platform("dev"), {"mesh": {"revision": "asm-1-24"}})
    on_revision, on_version = problems_of(raw)
    assert on_revision.startswith("aks-istio:platform.mesh.revision: 'asm-1-24' does not run on Kubernetes 1.35")
    # The revisions that run on 1.35, those past end of life today listed apart, never as allowed.
    catalog, runs = active_catalog(), ["asm-1-27", "asm-1-28", "asm-1-29", "asm-1-30"]
    supported = [r for r in runs if r in lifecycle.supported_revisions(catalog, date.today())]
    retired = [r for r in runs if r not in supported]
    assert f"allowed: {', '.join(supported)}" + (f"; past end of life: {', '.join(retired)}" if retired else "") in (
        on_revision
    )
    assert on_version.startswith("aks-istio:platform.cluster.kubernetesVersion: '1.35' does not run mesh revision")
    assert "allowed with asm-1-24: 1.28, 1.29, 1.30, 1.31, 1.32, 1.33 (or change mesh.revision)" in on_version


def test_a_kubernetes_version_newer_than_every_catalogued_revision_names_both_keys_and_how_to_refresh() -> None:
    raw = merge(raw_platform("dev"), {"cluster": {"kubernetesVersion": "1.37"}})
    on_revision, on_version = problems_of(raw)
    assert "mesh.revision: 'asm-1-30' does not run on Kubernetes 1.37 (it supports 1.32-1.36)" in on_revision
    assert "allowed: none in the catalog (the shipped catalog, as of 2026-11-30)" in on_revision
    assert "revisions refresh --location" in on_revision
    assert "cluster.kubernetesVersion: '1.37' does not run mesh revision asm-1-30; allowed with asm-1-30: 1.32" in (
        on_version
    )


def test_a_revision_newer_than_the_catalog_runs_on_the_range_shifted_by_one_minor() -> None:
    # asm-1-31 is not catalogued; assumed 1.33-1.37 (asm-1-30's 1.32-1.36 shifted), so 1.37 is accepted ...
    raw = merge(raw_platform("dev"), {"cluster": {"kubernetesVersion": "1.37"}, "mesh": {"revision": "asm-1-31"}})
    assert load_stack_config(raw).mesh.revision == "asm-1-31"
    # ... and 1.32 is not, unless the stack states the range `az aks mesh get-revisions` shows.
    older = merge(raw, {"cluster": {"kubernetesVersion": "1.32"}})
    assert any("'asm-1-31' does not run on Kubernetes 1.32 (it supports 1.33-1.37)" in p for p in problems_of(older))
    stated = merge(older, {"mesh": {"newRevisionKubernetes": ["1.32", "1.37"]}})
    assert load_stack_config(stated).mesh.assumed_kubernetes == (32, 37)


@pytest.mark.parametrize(
    ("revision", "fragment"),
    [
        ("1.30", "is not a revision name; allowed: asm-<major>-<minor>"),
        ("asm-1-16", "is not in the add-on's revision catalog; allowed: "),
        # Typos far above the catalog are not taken for releases it missed (their assumed Kubernetes range was
        # nonsense: "asm-1-300 ... supports 1.302-1.306", "asm-2-0 ... 1.2-1.6").
        ("asm-1-300", "is not in the add-on's revision catalog; allowed: "),
        ("asm-2-0", "is not in the add-on's revision catalog; allowed: "),
    ],
)
def test_malformed_or_unknown_revisions_are_refused(revision: str, fragment: str) -> None:
    [problem] = problems_of(merge(raw_platform("dev"), {"mesh": {"revision": revision}}))
    assert "mesh.revision" in problem and fragment in problem
    if revision.startswith("asm-"):  # the catalogued ones past end of life are counted apart, not "allowed"
        catalog = active_catalog()
        supported = lifecycle.supported_revisions(catalog, date.today())
        retired = [name for name in catalog.by_name if name not in supported]
        newer = f"(or a newer revision up to {lifecycle.newest_plausible(catalog)}; "
        assert f"allowed: {', '.join(supported)} {newer}" in problem
        assert f"past end of life: {len(retired)} from {retired[0]} to {retired[-1]} (`aks-istio revisions show`)" in (
            problem
        )


def test_revision_is_required_never_left_to_the_add_on_default() -> None:
    raw = raw_platform("dev")
    del raw["mesh"]["revision"]
    assert problems_of(raw) == ["aks-istio:platform.mesh.revision: required key is missing"]


def test_prod_refuses_what_prod_must_not_have() -> None:
    raw = merge(
        raw_platform("prod"),
        {
            "cluster": {"tier": "Free", "userPools": [{"name": "apps", "zones": ["1"]}]},
            "mesh": {"pluginCa": {"keyVaultId": None, "generateDevCa": True}},
        },
    )
    problems = problems_of(raw)
    assert "aks-istio:platform.cluster.tier: 'Free' has no uptime SLA; allowed in prod: Standard, Premium" in problems
    assert any(
        p.startswith("aks-istio:platform.cluster.userPools[0].zones: ['1'] is not zone-redundant") for p in problems
    )
    assert any(
        p.startswith("aks-istio:platform.mesh.pluginCa.generateDevCa: true puts the CA private key") for p in problems
    )


def test_windows_pools_are_not_offered() -> None:
    raw = merge(raw_platform("dev"), {"cluster": {"userPools": [{"name": "win", "osType": "Windows"}]}})
    [problem] = problems_of(raw)
    assert problem.startswith("aks-istio:platform.cluster.userPools[0].osType: unknown key")


def test_plugin_ca_without_a_vault_or_a_generated_chain_is_refused() -> None:
    raw = merge(raw_platform("dev"), {"mesh": {"pluginCa": {"generateDevCa": False}}})
    [problem] = problems_of(raw)
    assert problem.startswith("aks-istio:platform.mesh.pluginCa.keyVaultId: is required unless generateDevCa is true")


def test_blocked_mesh_config_fields_are_refused_with_where_the_allowed_ones_are() -> None:
    raw = merge(raw_platform("dev"), {"mesh": {"meshConfig": {"fields": {"configSources": []}}}})
    [problem] = problems_of(raw)
    assert problem.startswith("aks-istio:platform.mesh.meshConfig.fields.configSources: the add-on does not admit")
    assert "https://learn.microsoft.com/azure/aks/istio-meshconfig" in problem
    assert len(problem) < 200


def test_a_misspelt_mesh_config_field_gets_a_suggestion() -> None:
    raw = merge(raw_platform("dev"), {"mesh": {"meshConfig": {"fields": {"defaultConfig": {"concurency": 2}}}}})
    [problem] = problems_of(raw)
    assert problem.startswith("aks-istio:platform.mesh.meshConfig.fields.defaultConfig.concurency: not a ProxyConfig")
    assert "(did you mean 'concurrency'?)" in problem


def test_network_cidrs_must_not_collide() -> None:
    raw = merge(raw_platform("dev"), {"cluster": {"network": {"serviceCidr": "10.20.0.0/16"}}})
    problems = problems_of(raw)
    assert (
        "aks-istio:platform.cluster.network.serviceCidr: '10.20.0.0/16' overlaps vnetAddressSpace '10.20.0.0/16'"
        in problems
    )
    assert any("dnsServiceIp" in p and "outside serviceCidr" in p for p in problems)


def test_ephemeral_os_disk_on_a_size_without_temp_disk_is_refused() -> None:
    raw = merge(
        raw_platform("dev"),
        {"cluster": {"userPools": [{"name": "apps", "vmSize": "Standard_D4s_v5", "osDiskType": "Ephemeral"}]}},
    )
    [problem] = problems_of(raw)
    assert problem.startswith("aks-istio:platform.cluster.userPools[0].osDiskType: 'Ephemeral' is not possible")


def test_private_cluster_and_authorized_ranges_are_exclusive() -> None:
    raw = merge(raw_platform("dev"), {"cluster": {"apiServer": {"privateCluster": True}}})
    [problem] = problems_of(raw)
    assert problem.startswith("aks-istio:platform.cluster.apiServer.authorizedIpRanges: must be empty")


def test_presets_make_dev_cheap_and_prod_protected_and_zone_redundant() -> None:
    dev, prod = config_of("dev"), config_of("prod")
    assert dev.cluster.system_pool is not None and prod.cluster.system_pool is not None  # the presets' pools
    assert (dev.cluster.tier, dev.protect, dev.cluster.system_pool.min_count) == ("Free", False, 1)
    assert (prod.cluster.tier, prod.protect) == ("Standard", True)
    assert prod.cluster.system_pool.zones == ["1", "2", "3"] and prod.cluster.system_pool.min_count == 3


def test_the_stack_file_overrides_its_preset() -> None:
    assert config_of("dev", cluster={"tier": "Standard"}).cluster.tier == "Standard"


def test_a_bad_config_declares_nothing() -> None:
    raw = merge(raw_platform("dev"), {"cluster": {"tier": "Gold"}})
    with pytest.raises(ProgramError) as caught:
        capture_stack("dev", raw)
    assert "aks-istio:platform.cluster.tier" in str(caught.value)
    assert caught.value.capture.resources == []


def test_grafana_private_endpoint_settings_are_checked() -> None:
    raw = raw_platform("prod")
    zone = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/example.com"
    raw["observability"]["grafana"]["privateEndpoint"] = {"privateDnsZoneId": zone}
    [problem] = problems_of(raw)
    assert "observability.grafana.privateEndpoint.privateDnsZoneId" in problem and "privatelink" in problem

    raw = raw_platform("prod")
    grafana = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Dashboard/grafana/amg"
    raw["observability"]["grafana"].update({"existingId": grafana, "privateEndpoint": {"enabled": True}})
    [problem] = problems_of(raw)
    assert "observability.grafana.privateEndpoint.enabled" in problem and "existingId" in problem


def test_an_unreadable_revision_catalog_is_a_config_error_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "revisions.json"
    broken.write_text('{"asOf": "2026-12-01", "revisions": [{"name": "asm-1-31", "kubernetes": ["1.37"]}]}')
    monkeypatch.setenv("AKS_ISTIO_REVISION_CATALOG", str(broken))
    problems = problems_of(raw_platform("dev"))
    assert any("mesh.revision" in p and f"{broken}: revisions[0].kubernetes (asm-1-31)" in p for p in problems)
