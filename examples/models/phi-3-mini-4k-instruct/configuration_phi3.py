"""Clearance example: stands in for a custom configuration class."""


class Phi3Config:
    """Placeholder."""
