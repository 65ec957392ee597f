"""PluginCa: the Key Vault that holds Istio's intermediate CA for the add-on's plug-in CA feature.

With `generateDevCa` the component also creates a root and an intermediate CA with pulumi-tls and stores the
four secrets the add-on reads (https://learn.microsoft.com/azure/aks/istio-plugin-ca). The CA private key then sits in
Pulumi state
(encrypted as a secret), which is why config validation refuses it in prod.
"""

from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import keyvault

from aks_istio.mesh.values import PluginCaSource
from aks_istio.tokens import type_token

__all__ = ["PluginCa", "PluginCaArgs", "PluginCaSource"]

CA_VALIDITY_HOURS_ROOT = 24 * 365 * 10
CA_VALIDITY_HOURS_INTERMEDIATE = 24 * 365 * 2
PEM = "application/x-pem-file"


@dataclass(frozen=True, kw_only=True)
class PluginCaArgs:
    """Inputs of `PluginCa`."""

    source: PluginCaSource
    """The vault or a generated dev CA, and the secrets' object names."""
    resource_group_name: pulumi.Input[str]
    """Group for a vault we create."""
    location: str
    """Region of a vault we create."""
    tenant_id: pulumi.Input[str]
    """Entra tenant of the vault."""
    trust_domain: str = "cluster.local"
    """Subject of the generated CA."""
    tags: dict[str, str] = field(default_factory=dict)
    """Azure tags of a created vault."""
    protect: bool = False
    """Protect the vault (it holds the mesh's trust root)."""


class PluginCa(pulumi.ComponentResource):
    """The Key Vault holding the mesh's plug-in CA (an existing vault, or one we create with a generated
    dev CA in it)."""

    key_vault_id: pulumi.Output[str]
    """Resource id of the vault that holds the four CA secrets."""
    root_cert_pem: pulumi.Output[str] | None
    """The generated root certificate (public), when `generateDevCa` is on."""

    def __init__(self, name: str, args: PluginCaArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        """Declare the component `name` (its children's names start with it) from `args`; `opts` are Pulumi's
        resource options.

        Fields of `args` (`PluginCaArgs`):
            source: The vault or a generated dev CA, and the secrets' object names.
            resource_group_name: Group for a vault we create.
            location: Region of a vault we create.
            tenant_id: Entra tenant of the vault.
            trust_domain: Subject of the generated CA.
            tags: Azure tags of a created vault.
            protect: Protect the vault (it holds the mesh's trust root).

        Outputs (attributes of the component):
            key_vault_id: Resource id of the vault that holds the four CA secrets.
            root_cert_pem: The generated root certificate (public), when `generateDevCa` is on.
        """
        super().__init__(type_token("PluginCa"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        settings = args.source

        if settings.key_vault_id is not None:
            self.key_vault_id = pulumi.Output.from_input(settings.key_vault_id)
            self.root_cert_pem = None
        else:
            # Only a generated dev CA declares random and tls resources: stacks with their own vault never load them.
            import pulumi_random as random

            suffix = random.RandomString(f"{name}-vault-suffix", length=6, special=False, upper=False, opts=child)
            vault = keyvault.Vault(
                f"{name}-vault",
                resource_group_name=args.resource_group_name,
                location=args.location,
                vault_name=suffix.result.apply(lambda s: f"kv-istio-ca-{s}"),
                properties=_vault_properties(args.tenant_id),
                tags=args.tags,
                opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
            )
            self.key_vault_id = vault.id
            chain = _DevCaChain(name, args.trust_domain, child)
            self.root_cert_pem = chain.root_cert_pem
            secrets: dict[str, pulumi.Output[str]] = {
                settings.cert_object_name: chain.intermediate_cert_pem,
                settings.key_object_name: chain.intermediate_key_pem,
                settings.root_cert_object_name: chain.root_cert_pem,
                settings.cert_chain_object_name: chain.cert_chain_pem,
            }
            for secret_name, value in secrets.items():
                secret_value: pulumi.Output[str] = pulumi.Output.secret(value)
                keyvault.Secret(
                    f"{name}-{secret_name}",
                    resource_group_name=args.resource_group_name,
                    vault_name=vault.name,
                    secret_name=secret_name,
                    properties={"value": secret_value, "content_type": PEM},
                    opts=pulumi.ResourceOptions(parent=self, additional_secret_outputs=["properties"]),
                )

        self.register_outputs({"key_vault_id": self.key_vault_id, "root_cert_pem": self.root_cert_pem})


# Quoted: evaluating it would load the whole keyvault SDK package (hundreds of classes) in every program that
# imports this module, also where the plug-in CA lives in an existing vault and no Key Vault resource is declared.
def _vault_properties(tenant_id: pulumi.Input[str]) -> "keyvault.VaultPropertiesArgsDict":
    """RBAC (no access policies) and purge protection: a deleted trust root must stay recoverable."""
    return {
        "tenant_id": tenant_id,
        "sku": {"family": "A", "name": keyvault.SkuName.STANDARD},
        "enable_rbac_authorization": True,
        "enable_soft_delete": True,
        "soft_delete_retention_in_days": 90,
        "enable_purge_protection": True,
    }


class _DevCaChain:
    """A root CA and an intermediate signed by it, as Istio's plug-in CA expects (not a resource itself)."""

    def __init__(self, name: str, trust_domain: str, child: pulumi.ResourceOptions) -> None:
        import pulumi_tls as tls

        root_key = tls.PrivateKey(f"{name}-root-key", algorithm="ECDSA", ecdsa_curve="P384", opts=child)
        root = tls.SelfSignedCert(
            f"{name}-root-cert",
            private_key_pem=root_key.private_key_pem,
            is_ca_certificate=True,
            validity_period_hours=CA_VALIDITY_HOURS_ROOT,
            allowed_uses=["cert_signing", "crl_signing"],
            subject={"common_name": f"Root CA ({trust_domain})", "organization": "aks-istio"},
            opts=child,
        )
        key = tls.PrivateKey(f"{name}-intermediate-key", algorithm="ECDSA", ecdsa_curve="P256", opts=child)
        request = tls.CertRequest(
            f"{name}-intermediate-csr",
            private_key_pem=key.private_key_pem,
            subject={"common_name": f"Intermediate CA ({trust_domain})", "organization": "aks-istio"},
            opts=child,
        )
        intermediate = tls.LocallySignedCert(
            f"{name}-intermediate-cert",
            cert_request_pem=request.cert_request_pem,
            ca_private_key_pem=root_key.private_key_pem,
            ca_cert_pem=root.cert_pem,
            is_ca_certificate=True,
            validity_period_hours=CA_VALIDITY_HOURS_INTERMEDIATE,
            allowed_uses=["cert_signing", "crl_signing", "digital_signature", "key_encipherment"],
            opts=child,
        )
        self.root_cert_pem: pulumi.Output[str] = root.cert_pem
        self.intermediate_cert_pem: pulumi.Output[str] = intermediate.cert_pem
        self.intermediate_key_pem: pulumi.Output[str] = pulumi.Output.secret(key.private_key_pem)
        self.cert_chain_pem: pulumi.Output[str] = pulumi.Output.concat(intermediate.cert_pem, root.cert_pem)
