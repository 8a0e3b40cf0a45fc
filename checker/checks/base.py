"""What every check receives, and the helper that builds its findings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from checker.catalog import help_for
from checker.facts import Binding, ModelFacts
from checker.findings import Evidence, Finding, Severity
from checker.knowledge import Knowledge
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


def binding_of(facts: ModelFacts) -> tuple[Binding, ...]:
    """The licences that bind the model (``facts.binding``, computed once when facts are
    completed; empty for facts that were never bound)."""
    return facts.binding or ()


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
