"""Findings and their evidence: what a check says about a model, and why."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

# ``json.dumps(material, sort_keys=True, default=str)``'s encoder, made once (json.dumps builds a
# new one for every call with these arguments)
_FINGERPRINT = json.JSONEncoder(sort_keys=True, default=str)


class Severity(StrEnum):
    """How serious a finding is; maps 1:1 to SARIF levels."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        """Higher is more serious."""
        return _RANK[self]


_RANK = {Severity.NOTE: 1, Severity.WARNING: 2, Severity.ERROR: 3}


class Verdict(StrEnum):
    """The outcome for one model."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a fact came from: a file or API field, a pointer into it, the value seen, a line."""

    source: str
    pointer: str
    value: Any
    line: int | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the JSON report shape."""
        out: dict[str, Any] = {"source": self.source, "pointer": self.pointer, "value": self.value}
        if self.line is not None:
            out["line"] = self.line
        return out


class Scope(StrEnum):
    """What a finding is about: a model, or the policy itself (waiver findings)."""

    MODEL = "model"
    POLICY = "policy"


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule's verdict on one model, or (``scope`` POLICY, waiver findings) on the policy,
    whose file then stands in ``model``."""

    rule: str
    severity: Severity
    model: str
    message: str
    help: str
    evidence: tuple[Evidence, ...] = ()
    waived_by: str | None = None
    scope: Scope = Scope.MODEL
    new: bool | None = None  # against a baseline (``--baseline``): not in it; None: no baseline

    @property
    def subject(self) -> str:
        """What the reports name: the model id, or ``policy:<file>`` for a policy finding."""
        return f"policy:{self.model}" if self.scope is Scope.POLICY else self.model

    @property
    def fingerprint(self) -> str:
        """A hash stable across runs: rule, model and the evidence pointers and values."""
        material = _FINGERPRINT.encode(
            [self.rule, self.subject, [[e.source, e.pointer, e.value] for e in self.evidence]]
        )
        return hashlib.sha256(material.encode()).hexdigest()[:32]

    def waive(self, waiver_id: str) -> Finding:
        """Return the same finding marked as waived (waivers never delete findings)."""
        return replace(self, waived_by=waiver_id)

    def sort_key(self) -> tuple[int, str, str, str]:
        """Most serious first, then by rule, model and message."""
        return (-self.severity.rank, self.rule, self.subject, self.message)

    def to_json(self) -> dict[str, Any]:
        """Return the JSON report shape."""
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "model": self.subject,
            "message": self.message,
            "help": self.help,
            "evidence": [e.to_json() for e in self.evidence],
            "waived_by": self.waived_by,
            "fingerprint": self.fingerprint,
            **({} if self.new is None else {"new": self.new}),
        }
