"""Policies: the organisation's rules, loaded from YAML (version 1).

The names below are loaded on first use, so that the checks can import the condition language
(``checker.policy.conditions``) without loading the loader, which imports the checks' sections.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from checker.policy.loader import builtin_names, load_policy
    from checker.policy.model import Policy, UseProfile

__all__ = ["Policy", "UseProfile", "builtin_names", "load_policy"]


def __getattr__(name: str) -> object:
    if name in ("builtin_names", "load_policy"):
        from checker.policy import loader

        return getattr(loader, name)
    if name in ("Policy", "UseProfile"):
        from checker.policy import model

        return getattr(model, name)
    raise AttributeError(f"module 'checker.policy' has no attribute {name!r}")
