"""Fail closed: a rule that raises is a mandatory finding naming the rule, the resource and the error, reported
through the Analyzer gRPC interface; a rule that cannot decide (unknowns, wrong types) reports nothing."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from aks_istio.offline.analyzer_client import Analyzer, PolicyPackProcess
from aks_istio.offline.verdict import PACK_DIR
from tests.policy.conftest import Pack, mandatory
from tests.policy.fixtures import CLUSTER, MANAGED_CLUSTER, NAMESPACE, NAMESPACE_PROPS

# A pack of the real rule factories and reporters (rules.pack_policies), plus rules that raise or cannot decide.
BROKEN_PACK = """
import sys
from pathlib import Path

sys.path[:0] = [{policy!r}, {components!r}]
from pulumi_policy import EnforcementLevel, PolicyPack, Severity

import rules
from rules._common import Undecidable, get_str
from rules.addon_target import addon_resource_policy
from rules.factories import Meta, resource_policy, stack_policy


def meta(name):
    return Meta(name, "A test rule.", Severity.LOW, "None.", "https://example.com/", (), EnforcementLevel.ADVISORY)


def raises(props, config):
    return ["x"] if get_str(props, "kubernetesVersion") + 1 else []  # str + int: TypeError


def undecided(props, config):
    raise Undecidable("unknown at preview")


def stack_raises(resources, config):
    raise RuntimeError("stack rule bug")


def namespace_raises(props, config):
    raise KeyError("labels")


PolicyPack(
    name="broken",
    policies=rules.pack_policies(
        [
            resource_policy(meta("test-resource-raises"), None, raises),
            resource_policy(meta("test-resource-undecided"), None, undecided),
            stack_policy(meta("test-stack-raises"), stack_raises),
            addon_resource_policy(meta("test-addon-raises"), ("kubernetes:core:Namespace",), namespace_raises),
        ]
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
)
"""


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pack]:
    directory: Path = tmp_path_factory.mktemp("broken-pack")
    source = BROKEN_PACK.format(policy=str(PACK_DIR), components=str(PACK_DIR.parent / "components"))
    (directory / "__main__.py").write_text(textwrap.dedent(source))
    (directory / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\n")
    with PolicyPackProcess(directory, project="p", stack="s") as process:
        yield Pack(Analyzer(process.stub()))


def test_a_rule_that_raises_is_a_mandatory_finding_naming_rule_resource_and_error(broken: Pack) -> None:
    found = broken.program([(MANAGED_CLUSTER, "aks", CLUSTER), (NAMESPACE, "apps", NAMESPACE_PROPS)])
    assert mandatory(found) == [
        ("pack-resource-rule-raised", "aks"),
        ("pack-resource-rule-raised", "apps"),
        ("pack-stack-rule-raised", ""),  # the stack as a whole: no resource
        ("pack-stack-rule-raised", "apps"),
    ]
    messages = {(v.policy, v.resource): v.message.splitlines()[-1] for v in found}
    assert messages[("pack-resource-rule-raised", "aks")].startswith(
        "rule test-resource-raises raised TypeError: can only concatenate str"
    )
    assert "while judging resource urn:pulumi:test::aks-istio::" in messages[("pack-resource-rule-raised", "aks")]
    assert messages[("pack-stack-rule-raised", "apps")].startswith("rule test-addon-raises raised KeyError: 'labels'")
    assert messages[("pack-stack-rule-raised", "")].startswith(
        "rule test-stack-raises raised RuntimeError: stack rule bug while judging the stack"
    )


def test_a_rule_that_cannot_decide_reports_nothing(broken: Pack) -> None:
    found = broken.program([(MANAGED_CLUSTER, "aks", CLUSTER)])
    assert "test-resource-undecided" not in {v.policy for v in found}


def test_one_request_never_inherits_another_requests_failures(broken: Pack) -> None:
    broken.configure({"pack-resource-rule-raised": "disabled"})
    broken.analyze(MANAGED_CLUSTER, CLUSTER, name="first")  # raises, and no reporter takes it
    found = broken.program([(NAMESPACE, "apps", NAMESPACE_PROPS)])
    assert ("pack-resource-rule-raised", "first") not in mandatory(found)
    assert ("pack-resource-rule-raised", "apps") in mandatory(found)


def test_the_real_pack_ends_with_the_reporters(pack: Pack) -> None:
    names = [p.name for p in pack.policies]
    assert names[-3:] == ["stack-istio-addon-target-declared", "pack-resource-rule-raised", "pack-stack-rule-raised"]
    levels = {p.name: p.enforcement for p in pack.policies}
    assert levels["pack-resource-rule-raised"] == levels["pack-stack-rule-raised"] == "mandatory"


def test_a_failed_rule_is_waived_for_one_resource_only_with_a_reason(broken: Pack) -> None:
    waiver = {"exemptions": [{"resource": "aks", "reason": "rule bug reported upstream"}]}
    found = broken.program(
        [(MANAGED_CLUSTER, "aks", CLUSTER), (MANAGED_CLUSTER, "other", CLUSTER)], {"pack-resource-rule-raised": waiver}
    )
    assert [r for p, r in mandatory(found) if p == "pack-resource-rule-raised"] == ["other"]
