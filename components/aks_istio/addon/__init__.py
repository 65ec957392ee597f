"""The Istio add-on's facts as pure data (no Pulumi, no pydantic): what config validation, the components and the
policy pack all read, so the three never disagree."""
