"""What every check receives, and the licences that bind a model (own and inherited, as the
facts layer computed them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from checker.facts import Binding, ModelFacts
from checker.findings import Severity
from checker.knowledge import Knowledge

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


def binding_of(facts: ModelFacts) -> tuple[Binding, ...]:
    """The licences that bind the model (``facts.binding``, computed once when the facts are
    completed; empty for facts that were never bound)."""
    return facts.binding or ()
