"""The stack file's `gateways.apps`: the platform publishes each app as an AppIngress, grants each vault once, and
the offline check of such a stack (program and pack together) is clean."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from aks_istio import cli
from aks_istio.addon import support_matrix as sm
from aks_istio.offline.capture import Capture
from aks_istio.offline.stack_files import PROJECT_ROOT
from tests.components.gateways.app_ingress_cases import ISTIO_GATEWAY, ROLE_ASSIGNMENT, SPC
from tests.config.test_app_routes import CERTIFICATE, app
from tests.support import PLATFORM_KEY, capture_stack, merge, raw_platform

APP_INGRESS = "aks-istio:index:AppIngress"
READER = "aks-istio:index:KeyVaultSecretsReader"
PROD_CA_VAULT = raw_platform("prod")["mesh"]["pluginCa"]["keyVaultId"]


def dev_with(*apps: dict[str, Any]) -> dict[str, Any]:
    return merge(raw_platform("dev"), {"gateways": {"apps": list(apps)}})


@pytest.fixture(scope="module")
def two_apps() -> Capture:
    return capture_stack(
        "dev",
        dev_with(
            app(), app(name="docs", hosts=["docs.example.com"], tlsMode="MUTUAL", certificate={"caObjectName": "ca"})
        ),
    )


def test_each_app_is_an_app_ingress_and_their_shared_vault_is_granted_once(two_apps: Capture) -> None:
    counts = Counter(r.type for r in two_apps.resources)
    assert counts[APP_INGRESS] == 2 and counts[SPC] == 2 and counts[ISTIO_GATEWAY] == 2
    assert counts[READER] == 1
    grants = [r for r in two_apps.of_type(ROLE_ASSIGNMENT) if r.inputs["scope"] == CERTIFICATE["keyVaultId"]]
    assert len(grants) == 1
    assert grants[0].inputs["roleDefinitionId"].endswith(sm.ROLE_KEY_VAULT_SECRETS_USER)


def test_apps_go_to_the_cluster_through_its_own_provider(two_apps: Capture) -> None:
    apps = [
        r
        for r in two_apps.resources
        if r.parent.endswith(("::aks-istio-dev-app-apps-shop", "::aks-istio-dev-app-apps-docs"))
    ]
    kubernetes = [r for r in apps if r.type.startswith("kubernetes:")]
    assert kubernetes and {r.provider.split("::")[-2] for r in kubernetes} == {"aks-istio-dev-k8s"}


def test_an_app_on_the_plug_in_ca_vault_gets_no_second_grant() -> None:
    platform = merge(raw_platform("prod"), {"gateways": {"apps": [app(certificate={"keyVaultId": PROD_CA_VAULT})]}})
    capture = capture_stack("prod", platform)
    assert capture.of_type(READER) == []
    assert (
        len([r for r in capture.of_type(ROLE_ASSIGNMENT) if r.inputs["scope"] == PROD_CA_VAULT]) == 1
    )  # the cluster's


def test_a_stack_with_apps_checks_clean_offline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = yaml.safe_load((PROJECT_ROOT / "stacks" / "Pulumi.dev.yaml").read_text())
    source["config"][PLATFORM_KEY] = dev_with(
        app(), app(name="docs", hosts=["docs.example.com"], tlsMode="NONE", certificate=None)
    )
    path = tmp_path / "Pulumi.apps.yaml"
    path.write_text(yaml.safe_dump(source))
    code = cli.main(["check", "--stack", str(path), "--json"])
    document = json.loads(capsys.readouterr().out)
    assert (code, [v for v in document["policy"]["violations"] if v["enforcement"] == "mandatory"]) == (0, [])
    assert document["counts"]["resources"] > 0
