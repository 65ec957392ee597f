"""The worked example in docs/gateways.md runs as written and declares what the doc says it does."""

from __future__ import annotations

import re
from collections import Counter
from types import SimpleNamespace

import pulumi
import pulumi_kubernetes as k8s
import yaml

from aks_istio.addon import support_matrix as sm
from aks_istio.config import load_stack_config
from aks_istio.offline.stack_files import PROJECT_ROOT
from tests.components.gateways.app_ingress_cases import ISTIO_GATEWAY, ROLE_ASSIGNMENT, SPC, VIRTUAL_SERVICE
from tests.support import capture_program, merge, raw_platform

MARKER = "<!-- app-ingress-example:"


def example() -> str:
    text = (PROJECT_ROOT / "docs" / "gateways.md").read_text()
    block = re.search(r"```python\n(.*?)```", text[text.index(MARKER) :], re.S)
    assert block is not None
    return block.group(1).replace("<sub>", "00000000-0000-0000-0000-000000000001")


def test_the_worked_example_declares_one_grant_and_both_apps() -> None:
    def program() -> None:
        cluster = SimpleNamespace(
            secrets_provider_client_id=pulumi.Output.from_input("client-id"),
            secrets_provider_object_id=pulumi.Output.from_input("object-id"),
            subscription_id=pulumi.Output.from_input("00000000-0000-0000-0000-000000000001"),
            k8s_provider=k8s.Provider("cluster", kubeconfig="{}"),
        )
        exec(compile(example(), "docs/gateways.md", "exec"), {"cluster": cluster})

    capture = capture_program(program)
    counts = Counter(r.type for r in capture.resources)
    assert counts[ROLE_ASSIGNMENT] == 1  # the shared vault's one grant
    assert counts[SPC] == counts[ISTIO_GATEWAY] == counts[VIRTUAL_SERVICE] == 2
    modes = {
        g.inputs["metadata"]["name"]: g.inputs["spec"]["servers"][0]["tls"]["mode"]
        for g in capture.of_type(ISTIO_GATEWAY)
    }
    assert modes == {"shop": "SIMPLE", "orders": "MUTUAL"}
    assert all(s.inputs["metadata"]["namespace"] == sm.ADDON_INGRESS_NAMESPACE for s in capture.of_type(SPC))


def test_the_stack_file_example_is_a_valid_stack_section() -> None:
    text = (PROJECT_ROOT / "docs" / "gateways.md").read_text()
    section = text[text.index("### From the stack file") :]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block is not None
    filled = block.group(1).replace("<sub>", "00000000-0000-0000-0000-000000000001")
    changes = yaml.safe_load(filled.replace("<tenant id>", "11111111-2222-3333-4444-555555555555"))
    config = load_stack_config(merge(raw_platform("dev"), changes))
    assert [app.name for app in config.gateways.apps] == ["shop"]
