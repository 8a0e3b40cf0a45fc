"""What every check receives, and the helper that builds its findings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from checker.catalog import help_for
from checker.facts import Ancestor, ModelFacts
from checker.findings import Evidence, Finding, Severity
from checker.knowledge import Knowledge, LicenseEntry
from checker.policy.model import Policy


@dataclass(frozen=True, slots=True)
class CheckContext:
    """The policy and knowledge a check evaluates facts against."""

    policy: Policy
    kb: Knowledge

    @property
    def unknown(self) -> Severity | None:
        """The level for facts that could not be established (None: off)."""
        return self.policy.settings.unknown


@dataclass(frozen=True, slots=True)
class Applicable:
    """A licence that binds the model: its own (``via`` None) or inherited from an ancestor."""

    entry: LicenseEntry
    via: Ancestor | None = None

    def label(self) -> str:
        """The licence's name, and where it comes from when inherited."""
        if self.via is None:
            return self.entry.name
        return f"{self.entry.name} (inherited from {self.via.id}, {self.via.relation})"


def applicable_licenses(facts: ModelFacts, kb: Knowledge) -> list[Applicable]:
    """Own licences, then every ancestor's: fine-tunes, adapters and quantisations carry their
    base's terms, merges all parents' (each licence once, nearest first)."""
    out = [Applicable(e) for e in facts.license.entries]
    seen = {e.key for e in facts.license.entries}
    for ancestor in sorted(facts.lineage, key=lambda a: (a.depth, a.id.lower())):
        for license_id in ancestor.license_ids:
            entry = kb.license(license_id)
            if entry is not None and entry.key not in seen:
                seen.add(entry.key)
                out.append(Applicable(entry, ancestor))
    return out


def finding(
    rule: str,
    severity: Severity | None,
    facts: ModelFacts,
    message: str,
    evidence: Iterable[Evidence] = (),
) -> list[Finding]:
    """One finding (as a list, empty when the level is ``off``)."""
    if severity is None:
        return []
    return [Finding(rule, severity, facts.model.id, message, help_for(rule), tuple(evidence))]
