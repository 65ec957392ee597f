"""Offline runs leave out azure-native's own per-API-version aliases (dozens per resource, most of the program's
run time under mocks) and keep every alias the program declares."""

from __future__ import annotations

import pulumi
from pulumi_azure_native import network

from aks_istio.offline.capture import run_program


def test_declared_aliases_are_kept_and_sdk_version_aliases_left_out() -> None:
    def program() -> None:
        network.PublicIPAddress(
            "pip",
            resource_group_name="rg",
            opts=pulumi.ResourceOptions(
                aliases=[
                    pulumi.Alias(name="old-pip"),
                    # Looks like one of the SDK's, but names another kind: the program's own, so it stays.
                    pulumi.Alias(type_="azure-native:network/v20230201:PublicIPPrefix"),
                ]
            ),
        )

    (pip,) = run_program("dev", {}, program).resources
    assert pip.aliases == [
        {"spec": {"name": "old-pip", "parentUrn": ""}},
        {"spec": {"type": "azure-native:network/v20230201:PublicIPPrefix", "parentUrn": ""}},
    ]


def test_a_resource_without_declared_aliases_has_none() -> None:
    def program() -> None:
        network.PublicIPAddress("pip", resource_group_name="rg")

    (pip,) = run_program("dev", {}, program).resources
    assert pip.aliases == []
