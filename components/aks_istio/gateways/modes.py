"""Which of the add-on's classic ingress gateways, and how its Service treats client addresses: plain enums that
`IngressGateway` and `AppIngress` share (no Pulumi imports, so a stack file's app routes validate without the SDKs).
"""

import enum


class IngressMode(enum.StrEnum):
    """Which of the add-on's two classic ingress gateways."""

    INTERNAL = "Internal"
    """Private IP on an internal load balancer in the cluster's virtual network."""
    EXTERNAL = "External"
    """Public IP on the cluster's public load balancer."""


class ExternalTrafficPolicy(enum.StrEnum):
    """`spec.externalTrafficPolicy` of the gateway Service: Local keeps client source IPs."""

    CLUSTER = "Cluster"
    """Every node forwards to a gateway pod; client source IPs are lost."""
    LOCAL = "Local"
    """Only nodes running a gateway pod take traffic; client source IPs are kept."""
