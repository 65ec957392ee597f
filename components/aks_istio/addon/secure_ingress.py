"""Secure ingress through the add-on's gateways: the objects Microsoft's procedure builds by hand, as facts.

"Secure ingress gateway for Istio service mesh add-on" (https://learn.microsoft.com/azure/aks/istio-secure-gateway):
the Key Vault secrets provider add-on syncs the certificate from Key Vault into a Secret through a
`SecretProviderClass` in `aks-istio-ingress` (the gateway pods' namespace: `credentialName` is read there, not in
the Gateway resource's namespace, Azure/AKS#4073, istio/istio#27740), and "the secret store CSI driver requires a
pod to reference the SecretProviderClass to ensure secrets sync". Pure data: no Pulumi imports.
"""

from __future__ import annotations

from typing import Final

# secrets-store-csi-driver's CRD (https://secrets-store-csi-driver.sigs.k8s.io/getting-started/usage) and the
# Azure provider's parameters (https://learn.microsoft.com/azure/aks/csi-secrets-store-identity-access, "Access
# with a user-assigned managed identity": usePodIdentity "false", useVMManagedIdentity "true",
# userAssignedIdentityID = the add-on identity's client id).
SECRET_PROVIDER_CLASS_API: Final = "secrets-store.csi.x-k8s.io/v1"
SECRET_PROVIDER_CLASS_KIND: Final = "SecretProviderClass"
SECRETS_STORE_CSI_DRIVER: Final = "secrets-store.csi.k8s.io"
AZURE_SECRETS_PROVIDER: Final = "azure"
KEY_VAULT_OBJECT_TYPE: Final = "secret"
# Keys of the synced Secret Istio reads for `credentialName`: tls.crt/tls.key, and ca.crt for MUTUAL
# (https://istio.io/latest/docs/tasks/traffic-management/ingress/secure-ingress/, "Key formats").
TLS_CERT_KEY: Final = "tls.crt"
TLS_KEY_KEY: Final = "tls.key"
CA_CERT_KEY: Final = "ca.crt"
TLS_SECRET_TYPE: Final = "kubernetes.io/tls"
# MUTUAL: Microsoft's procedure syncs the three keys into one generic Secret.
MUTUAL_SECRET_TYPE: Final = "Opaque"
# The pod that mounts the SecretProviderClass does nothing else: the pause image from Microsoft's registry
# (mcr.microsoft.com/oss/kubernetes/pause), whose process runs as any user.
SECRET_SYNC_IMAGE: Final = "mcr.microsoft.com/oss/kubernetes/pause:3.9"
SECRET_SYNC_USER: Final = 65532
SECRET_SYNC_MOUNT_PATH: Final = "/mnt/secrets-store"
# Istio's own annotation: the sync pod takes no sidecar when its namespace is in the mesh.
SIDECAR_INJECT_ANNOTATION: Final = "sidecar.istio.io/inject"
