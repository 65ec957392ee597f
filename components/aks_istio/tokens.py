"""Type tokens for our components: always `aks-istio:index:<ClassName>`.

Pulumi's component-provider host forces the `index` module for components served to other languages; using it
from the start means serving the library that way later renames no URN and replaces no resource.
"""

from __future__ import annotations

import re
from typing import Final

PACKAGE: Final = "aks-istio"
TOKEN_PATTERN: Final = re.compile(r"^aks-istio:index:[A-Z][A-Za-z0-9]*$")


def type_token(class_name: str) -> str:
    return f"{PACKAGE}:index:{class_name}"
