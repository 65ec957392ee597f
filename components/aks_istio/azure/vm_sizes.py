"""Which VM sizes can hold an ephemeral OS disk, and how large.

An ephemeral OS disk lives on the VM's cache or temp (resource) disk, so it fits only when the OS disk is no
larger than that disk. AKS places it on the temp disk for the `d` sizes below. Temp-disk sizes (GiB) are
from Microsoft's VM size pages (learn.microsoft.com/azure/virtual-machines/sizes: Ddsv5, Dadsv5, Edsv5
series); sizes not listed get a managed OS disk unless config says otherwise.
"""

from __future__ import annotations

from typing import Final

TEMP_DISK_GIB: Final[dict[str, int]] = {
    "Standard_D2ds_v5": 75,
    "Standard_D4ds_v5": 150,
    "Standard_D8ds_v5": 300,
    "Standard_D16ds_v5": 600,
    "Standard_D32ds_v5": 1200,
    "Standard_D2ads_v5": 75,
    "Standard_D4ads_v5": 150,
    "Standard_D8ads_v5": 300,
    "Standard_D16ads_v5": 600,
    "Standard_E2ds_v5": 75,
    "Standard_E4ds_v5": 150,
    "Standard_E8ds_v5": 300,
    "Standard_E16ds_v5": 600,
}

# The smallest OS disk we give a node: AKS images need ~30 GiB, and images plus logs want headroom.
MIN_OS_DISK_GIB: Final = 64
DEFAULT_MANAGED_OS_DISK_GIB: Final = 128


def ephemeral_capacity_gib(vm_size: str) -> int | None:
    """The largest ephemeral OS disk this size can hold, or None if we don't know it can hold one."""
    return TEMP_DISK_GIB.get(vm_size)
