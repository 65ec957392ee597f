"""Gateway config refusals: each names the full key path, the bad value and what is allowed."""

from __future__ import annotations

from tests.config.gateway_support import ROOT, ingress, problems_of


def test_unknown_gateway_key_is_refused_with_a_hint() -> None:
    [problem] = problems_of("dev", ingress("internal", externalTrafficPolcy="Local"))
    assert problem.startswith(f"{ROOT}.ingress.internal.externalTrafficPolcy: unknown key (did you mean")
