"""Placeholder policy pack (the policy issue fills it): serves the Analyzer protocol with no policies yet."""

from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(name="aks-istio-guardrails", enforcement_level=EnforcementLevel.MANDATORY, policies=[])
