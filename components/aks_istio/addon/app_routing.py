"""What the add-on gives application traffic: its gateways' pod labels, Service ports and namespaces, and where a
TLS credential must live for them. Pure data, read by the policy pack's traffic analysis (policy/rules/traffic/)
and re-exported by `aks_istio.addon.support_matrix`.

Sources: https://learn.microsoft.com/azure/aks/istio-deploy-ingress (selector labels, Service ports),
https://learn.microsoft.com/azure/aks/istio-secure-gateway (credential in aks-istio-ingress, synced by a
SecretProviderClass that a pod mounts), https://learn.microsoft.com/azure/aks/istio-deploy-egress (egress Service
`<name>` labelled `istio: <name>`), https://learn.microsoft.com/azure/aks/istio-gateway-api (TLSRoute from asm-1-30).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from aks_istio.addon.ingress_gateways import INGRESS_GATEWAY_SERVICES

# Every add-on gateway's pods carry `istio: <Service name>`: an Istio Gateway selects them by it (istio-deploy-ingress:
# "selector must refer to the external ingress gateway by its label"; istio-deploy-egress: `istio: <name>`).
GATEWAY_SELECTOR_LABEL: Final = "istio"
INGRESS_GATEWAY_SELECTORS: Final[Mapping[str, Mapping[str, str]]] = {
    mode: {GATEWAY_SELECTOR_LABEL: service} for mode, service in INGRESS_GATEWAY_SERVICES.items()
}
# The add-on's gateway Services (ingress and egress) expose exactly these ports; more cannot be added
# ("port or protocol configuration is currently not supported", istio-about; Azure/AKS#3790, #5797).
GATEWAY_SERVICE_PORTS: Final[Mapping[str, int]] = {"status-port": 15021, "http2": 80, "https": 443}
GATEWAY_STATUS_PORT: Final = GATEWAY_SERVICE_PORTS["status-port"]
GATEWAY_TRAFFIC_PORTS: Final = (GATEWAY_SERVICE_PORTS["http2"], GATEWAY_SERVICE_PORTS["https"])

# What upstream Istio's docs, charts and `istioctl analyze`'s offline defaults assume, and the add-on does not have:
# the default gateway labels and the root namespace istio-system (the add-on's is aks-istio-system).
UPSTREAM_GATEWAY_SELECTORS: Final[Mapping[str, Mapping[str, str]]] = {
    "ingress": {GATEWAY_SELECTOR_LABEL: "ingressgateway"},
    "egress": {GATEWAY_SELECTOR_LABEL: "egressgateway"},
}
UPSTREAM_ROOT_NAMESPACE: Final = "istio-system"

# Secure ingress from Key Vault (istio-secure-gateway): a SecretProviderClass of this API group syncs the
# `credentialName` Secret, in the gateway pods' namespace, only while a pod mounts it through this CSI driver.
SECRET_PROVIDER_CLASS_GROUP: Final = "secrets-store.csi.x-k8s.io"
SECRETS_STORE_CSI_DRIVER: Final = "secrets-store.csi.k8s.io"
