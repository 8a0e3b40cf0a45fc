"""A built-in rule (cargo-deny's diagnostic code) and the helper that makes its findings.

Each check module defines its rules as ``Rule`` constants and refers to them, never to the id
string: every built-in id is written once, in the module of the check that reports it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from checker.findings import Evidence, Finding, Scope, Severity

if TYPE_CHECKING:
    from checker.facts import ModelFacts


@dataclass(frozen=True, slots=True)
class Rule:
    """A built-in rule id and what is documented about it.

    ``summary`` is one line (what it flags; SARIF's short description), ``help`` what to do
    about it, ``level`` the level it reports at under the default settings, ``group`` the check
    (a ``CHECKS`` name: the JUnit testcase) its findings belong to, and ``fires_when`` the
    README's description (the rule table is generated from it).
    """

    id: str
    summary: str
    help: str
    level: Severity
    group: str
    fires_when: str


def finding(
    rule: Rule,
    severity: Severity | None,
    facts: ModelFacts,
    message: str,
    evidence: Iterable[Evidence] = (),
) -> list[Finding]:
    """One finding of ``rule`` on the model (as a list, empty when the level is ``off``)."""
    if severity is None:
        return []
    return [Finding(rule.id, severity, facts.model.id, message, rule.help, tuple(evidence))]


def policy_finding(
    rule: Rule,
    severity: Severity | None,
    file: str,
    message: str,
    evidence: Iterable[Evidence] = (),
) -> list[Finding]:
    """One finding about the policy itself (scope POLICY; reports name it ``policy:<file>``)."""
    if severity is None:
        return []
    return [
        Finding(rule.id, severity, file, message, rule.help, tuple(evidence), scope=Scope.POLICY)
    ]
