"""waiver/*: approved exceptions (``waivers:``), applied to the findings of every model, and
reported when expired or never used (cargo-deny's ``*-not-encountered``).

A waiver matches a rule id and a model glob (case-insensitive). It never deletes a finding: the
finding stays in every report, marked ``waived_by``. Unlike the per-model checks in ``CHECKS``,
this one runs once per audit, after every model has been checked.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from checker.checks.rule import Rule, policy_finding
from checker.checks.section import Reader, read_section, same
from checker.findings import Evidence, Finding, Severity

if TYPE_CHECKING:
    from checker.policy.model import Policy
    from checker.policy.origins import Origins

EXPIRED = Rule(
    id="waiver/expired",
    summary="A waiver's expiry date has passed; it no longer applies.",
    help="Renew the waiver with a new review and expiry, or remove it.",
    level=Severity.ERROR,
    group="waivers",
    fires_when="a waiver's expiry date has passed",
)
UNUSED = Rule(
    id="waiver/unused",
    summary="A waiver matched no finding in this audit.",
    help="Remove the stale waiver, or fix its rule id or model pattern.",
    level=Severity.WARNING,
    group="waivers",
    fires_when="a waiver matched no finding",
)
RULES = (EXPIRED, UNUSED)


@dataclass(frozen=True, slots=True)
class Waiver:
    """An approved exception: a rule for models matching a glob, with reason and expiry, and
    the policy file and line that state it."""

    id: str
    rule: str
    model: str
    reason: str
    approved_by: str
    expires: dt.date | None
    file: str
    line: int

    READ: ClassVar[Mapping[str, Reader]] = {
        "id": same,
        "rule": same,
        "model": same,
        "reason": same,
        "approved-by": same,
        "expires": lambda value: dt.date.fromisoformat(value) if value else None,
    }

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], file: str, line: int) -> Waiver:
        """One entry of ``waivers:`` (schema-validated; ``expires`` a real date or None), and
        the file and line it is written at."""
        return read_section(cls, {"expires": None, **data}, cls.READ, file=file, line=line)

    def matches(self, finding: Finding) -> bool:
        """Same rule id, and the model id matches the glob (case-insensitive)."""
        return self.rule == finding.rule and fnmatch.fnmatchcase(
            finding.model.lower(), self.model.lower()
        )


def read_waivers(items: Sequence[Mapping[str, Any]], origins: Origins) -> tuple[Waiver, ...]:
    """The ``waivers:`` section (after ``extends`` are merged), each with where it is written."""
    out = []
    for item in items:
        origin = origins.get(f"/waivers/{item['id']}")
        where = (origin.source, origin.line or 0) if origin else ("", 0)
        out.append(Waiver.from_mapping(item, *where))
    return tuple(out)


def apply_waivers(
    findings: Iterable[Finding], waivers: Sequence[Waiver], today: dt.date, used: set[str]
) -> list[Finding]:
    """Mark findings covered by a live waiver; never drop one. Records the waivers used."""
    live = [w for w in waivers if w.expires is None or w.expires >= today]
    out = []
    for f in findings:
        waiver = next((w for w in live if w.matches(f)), None)
        if waiver is None:
            out.append(f)
        else:
            used.add(waiver.id)
            out.append(f.waive(waiver.id))
    return out


def check_waivers(policy: Policy, used: set[str], today: dt.date) -> list[Finding]:
    """Expired waivers, and waivers that matched nothing (``used`` holds those that did)."""
    out: list[Finding] = []
    settings = policy.settings
    for w in policy.waivers:
        where = (Evidence(w.file, f"/waivers/{w.id}", w.model, w.line),)
        if w.expires is not None and w.expires < today:
            message = f"waiver {w.id} for {w.rule} on {w.model} expired on {w.expires}"
            out += policy_finding(EXPIRED, settings.expired_waiver, w.file, message, where)
        elif w.id not in used:
            message = f"waiver {w.id} ({w.rule} on {w.model}) matched no finding"
            out += policy_finding(UNUSED, settings.unused_waiver, w.file, message, where)
    return sorted(out, key=Finding.sort_key)
