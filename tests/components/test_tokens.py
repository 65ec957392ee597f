"""Every component's type token is `aks-istio:index:<Class>`: serving the library to other languages later must
rename no URN."""

from __future__ import annotations

import dataclasses
from enum import Enum

import pulumi

import aks_istio
from aks_istio.tokens import TOKEN_PATTERN
from tests.support import capture_stack


def test_every_component_token_follows_the_pattern() -> None:
    components = [r for r in capture_stack("prod").resources if not r.custom and not r.type.startswith("pulumi:")]
    assert components, "the prod stack declares components"
    for resource in components:
        assert TOKEN_PATTERN.match(resource.type), resource.type


def test_every_export_is_a_component_its_args_or_a_plain_value() -> None:
    """Besides components and their Args: the frozen dataclasses and enums Args are made of, and the plan."""
    for name in aks_istio.__all__:
        exported = getattr(aks_istio, name)
        if name.endswith("Args"):
            assert issubclass(getattr(aks_istio, name.removesuffix("Args")), pulumi.ComponentResource), name
        elif not (isinstance(exported, type) and issubclass(exported, pulumi.ComponentResource)):
            plain = dataclasses.is_dataclass(exported) or (isinstance(exported, type) and issubclass(exported, Enum))
            assert plain or name == "plan_platform", name


def test_every_exported_class_has_a_docstring() -> None:
    for name in aks_istio.__all__:
        exported = getattr(aks_istio, name)
        # dataclasses without a docstring get their signature as __doc__, "Name(field: type, ...)".
        assert exported.__doc__ and not exported.__doc__.startswith(f"{name}("), name


def test_every_lazy_export_is_listed_in_all() -> None:
    assert sorted(aks_istio.__all__) == sorted(aks_istio._EXPORTS)
