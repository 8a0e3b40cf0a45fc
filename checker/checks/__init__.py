"""Built-in checks: pure functions from facts (and policy, knowledge) to findings.

One module per check (cargo-deny's layout: a check, its config, its diagnostics): it defines its
rules as ``Rule`` constants, its policy section (a frozen dataclass whose defaults are the policy
defaults, and how it is read), and its check functions. This module only collects them:

- ``CHECKS``: the per-model checks, run in this order by the engine; their names are the JUnit
  testcases, and every rule's ``group`` is one of them (``waivers`` run once per audit).
- ``RULES``: every built-in rule by id. The README's rule table is generated from it.
"""

from __future__ import annotations

from collections.abc import Callable

from checker.checks import card, custom, drift, license, provenance, use, waivers, weights
from checker.checks.base import CheckContext
from checker.checks.rule import Rule
from checker.facts import ModelFacts
from checker.findings import Finding

Check = Callable[[ModelFacts, CheckContext], list[Finding]]

CHECKS: dict[str, Check] = {
    "card": card.check_card,
    "license": license.check_license,
    "consistency": license.check_consistency,
    "lineage": license.check_lineage_conflict,
    "use": use.check_use,
    "provenance": provenance.check_provenance,
    "weights": weights.check_weights,
    "custom": custom.check_custom,
    "drift": drift.check_drift,
}

RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        *license.RULES,
        *use.RULES,
        *provenance.RULES,
        *weights.RULES,
        *card.RULES,
        *waivers.RULES,
        *drift.RULES,
    )
}

__all__ = ["CHECKS", "RULES", "Check", "CheckContext", "Rule"]
