"""How a check's policy section is read (cargo-deny's ``cfg.rs``).

A section is a frozen dataclass whose field defaults are the policy defaults: they live there
and nowhere else. ``read_section`` takes the (schema-validated, merged) mapping of the section
and converts each key that is present; an absent key keeps the field's default.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from checker.findings import Severity

S = TypeVar("S")
Reader = Callable[[Any], Any]


def level(value: str) -> Severity | None:
    """A policy level: a severity, or None for ``off``."""
    return None if value == "off" else Severity(value)


def codes(values: list[str]) -> tuple[str, ...]:
    """Country codes as their ISO code (``UK`` -> ``GB``), group names (lower case) as written."""
    from checker.countries import canonical

    return tuple(v if v.islower() else canonical(v) for v in values)


def strings(values: list[str]) -> tuple[str, ...]:
    """A list of strings, frozen."""
    return tuple(values)


def same(value: Any) -> Any:
    """A scalar as written (the schema has checked its type)."""
    return value


def read_section(
    cls: Callable[..., S], data: Mapping[str, Any], readers: Mapping[str, Reader], **fixed: Any
) -> S:
    """``cls`` with each key of ``readers`` that ``data`` has read into its field (``allow-
    categories`` -> ``allow_categories``), and the ``fixed`` fields; the other fields keep their
    defaults."""
    read = {
        key.replace("-", "_"): reader(data[key]) for key, reader in readers.items() if key in data
    }
    return cls(**read, **fixed)
