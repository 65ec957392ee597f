"""The plan: what a stack deploys, derived once from its validated config (aks_istio.plan)."""

from datetime import date

from aks_istio.config import load_stack_config
from aks_istio.mesh.phases import Restart
from aks_istio.plan import plan_platform
from tests.components.mesh.test_canary import fixture_platform
from tests.support import config_of, merge, raw_platform

TODAY = date(2026, 11, 30)


def test_migrate_phase_points_only_migrated_namespaces_at_the_target() -> None:
    plan = plan_platform(load_stack_config(fixture_platform("step2-migrate-apps")), TODAY)
    revisions = plan.revisions
    assert revisions.installed == ["asm-1-29", "asm-1-30"]
    assert revisions.namespaces == {"apps": "asm-1-30", "legacy": "asm-1-29"}
    assert revisions.stable == "asm-1-29"
    assert revisions.shared_mesh_config == ["asm-1-29", "asm-1-30"]
    assert revisions.upgrade_phase == "migrate"
    assert revisions.restarts == [
        Restart(namespace="apps", deployment=d, key="migrate asm-1-29->asm-1-30") for d in ("frontend", "backend")
    ]
    assert plan.features.canary_upgrade


def test_complete_phase_runs_the_target_only() -> None:
    plan = plan_platform(load_stack_config(fixture_platform("step3-complete")), TODAY)
    assert plan.revisions.installed == ["asm-1-30"]
    assert plan.revisions.stable == "asm-1-30"
    assert set(plan.revisions.namespaces.values()) == {"asm-1-30"}


def test_names_follow_the_cluster_and_an_existing_subnet_decides_the_vnet() -> None:
    plan = plan_platform(config_of("dev"), TODAY)
    assert (plan.cluster_name, plan.resource_group_name) == ("aks-istio-dev", "rg-aks-istio-dev")
    assert (plan.vnet_resource_group, plan.vnet_name) == ("rg-aks-istio-dev", "vnet-aks-istio-dev")
    subnet = "/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub-vnet/subnets/aks"
    existing = plan_platform(config_of("dev", cluster={"network": {"existingSubnetId": subnet}}), TODAY)
    assert (existing.vnet_resource_group, existing.vnet_name) == ("rg-net", "hub-vnet")


def test_prod_keeps_grafana_private_unless_the_stack_file_opens_it() -> None:
    prod = plan_platform(config_of("prod"), TODAY)
    assert prod.protect
    assert not prod.grafana_public_network_access
    assert prod.grafana_private_endpoint
    opened = merge(raw_platform("prod"), {"observability": {"grafana": {"publicNetworkAccess": True}}})
    open_plan = plan_platform(load_stack_config(opened), TODAY)
    assert open_plan.grafana_public_network_access
    assert not open_plan.grafana_private_endpoint


def test_features_say_what_the_stack_declares() -> None:
    dev = plan_platform(config_of("dev"), TODAY)
    assert dev.tags["environment"] == "dev"
    assert dev.tags["managed-by"] == "aks-istio"
    assert not dev.features.canary_upgrade
    off = plan_platform(config_of("dev", observability={"enabled": False}), TODAY)
    assert not off.features.observability
    assert not off.features.grafana
