"""Policies: the organisation's rules, loaded from YAML (version 1)."""

from checker.policy.loader import builtin_names, load_policy
from checker.policy.model import Policy, UseProfile

__all__ = ["Policy", "UseProfile", "builtin_names", "load_policy"]
