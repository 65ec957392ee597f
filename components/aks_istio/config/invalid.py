"""What an invalid stack config is to its callers: one error listing every problem, each under the stack key.

Apart from `errors.py` (which reads pydantic's errors) so that taking a `StackConfig`, or catching a
`ConfigError`, never loads pydantic: only reading a stack file does.
"""

from collections.abc import Sequence

CONFIG_ROOT = "aks-istio:platform"
"""The stack file's key of the platform object; every problem line starts with it."""


class ConfigError(Exception):
    """The stack config is invalid; `problems` lists every problem found, one line each."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(
            f"invalid stack config ({len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}):\n"
            + "\n".join(f"  - {p}" for p in self.problems)
        )


def key_of(problem: str) -> str:
    """The key path a problem line starts with (`aks-istio:platform.cluster.tier`)."""
    return problem.split(": ", 1)[0]
