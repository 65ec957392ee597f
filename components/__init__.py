"""`components/` is the source root of the `aks_istio` package, not a package: import `aks_istio`.

This guard keeps the library importable under one name only (`components.aks_istio.x` beside `aks_istio.x` would
load every module twice, with two copies of every class).
"""

raise ImportError("components/ is a source root, not a package: import aks_istio (see README, 'Use as a library')")
