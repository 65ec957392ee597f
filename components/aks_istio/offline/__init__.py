"""Offline tooling for aks-istio: preview a stack under Pulumi mocks and check it with the policy pack."""
