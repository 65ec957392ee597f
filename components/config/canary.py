"""Settings of a canary revision upgrade (asm-1-X -> asm-1-Y)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ._base import Settings

UpgradePhase = Literal["start", "migrate", "complete", "rollback"]


class RevisionUpgradeSettings(Settings):
    """An upgrade in progress: the target revision and how far the procedure has gone."""

    to: str = Field(description="Target revision, `asm-1-N`.")
    phase: UpgradePhase = Field(description="start, migrate, complete or rollback.")
