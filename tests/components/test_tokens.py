"""Every component's type token is `aks-istio:index:<Class>`: serving the library to other languages later must
rename no URN."""

from __future__ import annotations

import pulumi

from components._tokens import TOKEN_PATTERN
from tests.support import capture_stack


def test_every_component_token_follows_the_pattern() -> None:
    components = [r for r in capture_stack("prod").resources if not r.custom and not r.type.startswith("pulumi:")]
    assert components, "the prod stack declares components"
    for resource in components:
        assert TOKEN_PATTERN.match(resource.type), resource.type


def test_component_classes_are_component_resources() -> None:
    import components

    for name in components.__all__:
        exported = getattr(components, name)
        if not name.endswith("Args"):
            assert issubclass(exported, pulumi.ComponentResource), name


def test_every_lazy_export_is_listed_in_all() -> None:
    import components

    assert sorted(components.__all__) == sorted(components._EXPORTS)
