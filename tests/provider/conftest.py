"""What the provider tests share: one recording engine per module (a plugin calls back into it)."""

from collections.abc import Iterator

import pytest

from tests.provider.plugin import RecordingEngine


@pytest.fixture(scope="module")
def engine() -> Iterator[RecordingEngine]:
    with RecordingEngine() as engine:
        yield engine
