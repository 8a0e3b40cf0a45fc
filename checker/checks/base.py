"""What every check receives, and the licences that bind a model (own and inherited)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from checker.facts import Ancestor, ModelFacts
from checker.findings import Severity
from checker.knowledge import Knowledge, LicenseEntry

if TYPE_CHECKING:  # the policy model is built from the checks' sections, not the reverse
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
