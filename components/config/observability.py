"""Settings of Azure Monitor managed Prometheus and Azure Managed Grafana."""

from __future__ import annotations

from pydantic import Field

from ._base import Settings


class ObservabilitySettings(Settings):
    """Managed Prometheus + Managed Grafana wired for Istio metrics."""

    enabled: bool = Field(default=False, description="Create and wire the whole metrics chain.")
