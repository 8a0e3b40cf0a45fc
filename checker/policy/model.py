"""The loaded policy as frozen values (see DESIGN.md, policy version 1)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from checker.findings import Severity
from checker.policy.conditions import Condition

LEVELS = ("error", "warning", "note", "off")


def level(value: str) -> Severity | None:
    """A policy level: a severity, or None for ``off``."""
    return None if value == "off" else Severity(value)


@dataclass(frozen=True, slots=True)
class UseProfile:
    """The intended use; ``None`` means the policy does not say (checks then report unknown)."""

    commercial: bool | None = None
    monthly_active_users: int | None = None
    based_in: tuple[str, ...] | None = None
    territories: tuple[str, ...] | None = None
    distribution: str | None = None
    purposes: tuple[str, ...] | None = None
    train_other_models: bool | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    """Gate threshold and the levels of the meta findings."""

    fail_on: Severity = Severity.ERROR
    unknown: Severity | None = Severity.ERROR
    unused_waiver: Severity | None = Severity.WARNING
    expired_waiver: Severity | None = Severity.ERROR


@dataclass(frozen=True, slots=True)
class LicensePolicy:
    """Which licences are accepted: ids and categories, deny before allow, default deny."""

    allow: tuple[str, ...] = ()
    allow_categories: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    deny_categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProvenancePolicy:
    """Which developer jurisdictions are refused, and whether ancestors count."""

    deny_jurisdictions: tuple[str, ...] = ()
    include_lineage: bool = True
    unknown_developer: Severity | None = Severity.WARNING


@dataclass(frozen=True, slots=True)
class WeightsPolicy:
    """Accepted availability, refused formats and the level for remote code."""

    allow_availability: tuple[str, ...] = ("open", "gated-auto", "gated-manual")
    deny_formats: tuple[str, ...] = ()
    unsafe_format: Severity | None = Severity.ERROR
    remote_code: Severity | None = Severity.WARNING


@dataclass(frozen=True, slots=True)
class CardPolicy:
    """Card metadata fields that must be present."""

    require: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CustomRule:
    """An organisation's own rule: a structured condition, never evaluated text."""

    id: str
    severity: Severity
    message: str
    help: str
    when: Condition
    on_missing: str = "unknown"


@dataclass(frozen=True, slots=True)
class Waiver:
    """An approved exception: a rule for models matching a glob, with reason and expiry."""

    id: str
    rule: str
    model: str
    reason: str
    approved_by: str
    expires: dt.date | None
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class Policy:
    """A complete, validated policy (after ``extends`` are merged)."""

    name: str
    files: tuple[str, ...]
    sha256: str
    use: UseProfile = field(default_factory=UseProfile)
    settings: Settings = field(default_factory=Settings)
    licenses: LicensePolicy = field(default_factory=LicensePolicy)
    provenance: ProvenancePolicy = field(default_factory=ProvenancePolicy)
    weights: WeightsPolicy = field(default_factory=WeightsPolicy)
    card: CardPolicy = field(default_factory=CardPolicy)
    rules: tuple[CustomRule, ...] = ()
    waivers: tuple[Waiver, ...] = ()
