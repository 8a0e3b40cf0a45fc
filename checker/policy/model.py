"""The loaded policy as frozen values (see DESIGN.md, policy version 1).

A ``Policy`` is composed of sections. The sections of the built-in checks live with their checks
(``checker/checks/<check>.py``); the intended use and the general settings live here. Every
section's field defaults are the policy defaults (there is no other copy of them), and
``from_mapping`` reads a section from the merged, validated policy mapping.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from checker.checks.card import CardPolicy
from checker.checks.custom import CustomRule
from checker.checks.drift import DriftPolicy
from checker.checks.license import LicensePolicy
from checker.checks.provenance import ProvenancePolicy
from checker.checks.section import Reader, codes, level, read_section, same, strings
from checker.checks.waivers import EXPIRED, UNUSED, Waiver
from checker.checks.weights import WeightsPolicy
from checker.facts.curations import Curations
from checker.findings import Evidence, Severity
from checker.policy.origins import COMMAND_LINE, DEFAULT, Origins


@dataclass(frozen=True, slots=True)
class UseProfile:
    """The intended use (``use:``); ``None`` means the policy does not say (checks then report
    unknown). Read by the use checks and by custom rules (``use.*``)."""

    commercial: bool | None = None
    monthly_active_users: int | None = None
    based_in: tuple[str, ...] | None = None
    territories: tuple[str, ...] | None = None
    distribution: str | None = None
    purposes: tuple[str, ...] | None = None
    train_other_models: bool | None = None

    READ: ClassVar[Mapping[str, Reader]] = {
        "commercial": same,
        "monthly-active-users": same,
        "based-in": codes,
        "territories": codes,
        "distribution": same,
        "purposes": strings,
        "train-other-models": same,
    }

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> UseProfile:
        """The section as the policy states it; what it does not state stays unknown."""
        return read_section(cls, data, cls.READ)


@dataclass(frozen=True, slots=True)
class UseValue:
    """One intended-use setting as a report states it: the key (kebab-case), its value as JSON
    (lists, not tuples; None when unstated) and where it came from: a policy file and line,
    the command line (``COMMAND_LINE``, no line) or ``DEFAULT`` (no one stated it)."""

    key: str
    value: Any
    source: str
    line: int | None = None


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


@dataclass(frozen=True, slots=True)
class Settings:
    """The ``settings:`` section: the gate threshold, the level for facts that could not be
    established, and the levels of the waiver findings."""

    fail_on: Severity = Severity.ERROR
    unknown: Severity | None = Severity.ERROR
    unused_waiver: Severity | None = UNUSED.level
    expired_waiver: Severity | None = EXPIRED.level

    READ: ClassVar[Mapping[str, Reader]] = {
        "fail-on": Severity,
        "unknown": level,
        "unused-waiver": level,
        "expired-waiver": level,
    }

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Settings:
        """The section as the policy states it, defaults for what it does not."""
        return read_section(cls, data, cls.READ)


@dataclass(frozen=True, slots=True)
class Policy:
    """A complete, validated policy (after ``extends`` are merged), with where each setting
    came from (``origins``)."""

    name: str
    files: tuple[str, ...]
    sha256: str  # the effective policy: the files' bytes, and the overrides when there are any
    use: UseProfile = field(default_factory=UseProfile)
    settings: Settings = field(default_factory=Settings)
    licenses: LicensePolicy = field(default_factory=LicensePolicy)
    provenance: ProvenancePolicy = field(default_factory=ProvenancePolicy)
    weights: WeightsPolicy = field(default_factory=WeightsPolicy)
    card: CardPolicy = field(default_factory=CardPolicy)
    drift: DriftPolicy = field(default_factory=DriftPolicy)
    custom_rules: tuple[CustomRule, ...] = ()  # the policy's ``rules:``
    waivers: tuple[Waiver, ...] = ()
    curations: Curations = field(default_factory=Curations)  # ``developers:``, ``clarify:``
    origins: Origins = field(default_factory=Origins)
    notes: tuple[str, ...] = ()  # what loading noted but did not refuse (UK taken as GB)
    files_sha256: str = ""  # the files' bytes alone ("": the same as ``sha256``)
    overrides: tuple[str, ...] = ()  # the keys the command line set (``use.monthly-active-users``)

    def evidence(self, pointer: str, value: Any) -> Evidence:
        """Evidence citing the setting at ``pointer`` (``/licenses/allow``, ``/rules/<id>``):
        the file and line that set it, ``command line`` for an override; an intended use no
        file states is cited to ``default``, any other setting to the policy itself (its last
        file)."""
        if pointer.startswith("/use/"):
            return self.origins.evidence(pointer, value, DEFAULT)
        return self.origins.evidence(pointer, value, self.files[-1] if self.files else "")

    def use_record(self) -> tuple[UseValue, ...]:
        """The intended use, every key in the policy's order, each with where it came from."""
        out = []
        for key in UseProfile.READ:
            value = _plain(getattr(self.use, key.replace("-", "_")))
            origin = self.origins.get(f"/use/{key}")
            if origin is None:
                out.append(UseValue(key, value, DEFAULT))
            else:
                out.append(UseValue(key, value, origin.source, origin.line))
        return tuple(out)

    def with_use(self, changes: Mapping[str, Any], source: str = COMMAND_LINE) -> Policy:
        """The policy with intended-use fields (``based_in``, ...) replaced, cited to
        ``source`` rather than to a file."""
        if not changes:
            return self
        keys = [f"use.{name.replace('_', '-')}" for name in changes]
        return self._overridden(keys, source, use=replace(self.use, **changes))

    def with_fail_on(self, fail_on: Severity, source: str = COMMAND_LINE) -> Policy:
        """The policy with ``settings.fail-on`` replaced (``--fail-on``), cited to ``source``."""
        settings = replace(self.settings, fail_on=fail_on)
        return self._overridden(["settings.fail-on"], source, settings=settings)

    def _overridden(self, keys: list[str], source: str, **sections: Any) -> Policy:
        """The policy with ``sections`` replaced and ``keys`` (``use.based-in``) recorded as
        overrides; the digest covers the files' bytes and every override's value."""
        changed = replace(self, **sections)
        overrides = tuple(sorted({*self.overrides, *keys}))
        files_sha256 = self.files_sha256 or self.sha256
        stated = {key: changed._stated(key) for key in overrides}
        effective = json.dumps({"files": files_sha256, "overrides": stated}, sort_keys=True)
        return replace(
            changed,
            origins=self.origins.overridden(["/" + k.replace(".", "/") for k in keys], source),
            sha256=hashlib.sha256(effective.encode("utf-8")).hexdigest(),
            files_sha256=files_sha256,
            overrides=overrides,
        )

    def _stated(self, key: str) -> Any:
        """The value of an overridable key (``use.based-in``, ``settings.fail-on``), plain."""
        section, name = key.split(".", 1)
        value = getattr(getattr(self, section), name.replace("-", "_"))
        return value.value if isinstance(value, Severity) else _plain(value)


__all__ = [
    "COMMAND_LINE",
    "DEFAULT",
    "CardPolicy",
    "CustomRule",
    "LicensePolicy",
    "Policy",
    "ProvenancePolicy",
    "Settings",
    "UseProfile",
    "UseValue",
    "Waiver",
    "WeightsPolicy",
]
