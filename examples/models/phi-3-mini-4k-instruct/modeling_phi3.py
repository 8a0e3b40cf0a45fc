"""Clearance example: stands in for custom modelling code."""


class Phi3ForCausalLM:
    """Placeholder."""
