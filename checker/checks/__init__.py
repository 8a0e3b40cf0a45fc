"""Built-in checks: pure functions from facts (and policy, knowledge) to findings.

``CHECKS`` is the explicit registry; the engine runs every entry in order.
"""

from __future__ import annotations

from collections.abc import Callable

from checker.checks.base import CheckContext
from checker.checks.card import check_card
from checker.checks.custom import check_custom
from checker.checks.license import check_consistency, check_license, check_lineage_conflict
from checker.checks.provenance import check_provenance
from checker.checks.use import check_use
from checker.checks.weights import check_weights
from checker.facts import ModelFacts
from checker.findings import Finding

Check = Callable[[ModelFacts, CheckContext], list[Finding]]

CHECKS: dict[str, Check] = {
    "card": check_card,
    "license": check_license,
    "consistency": check_consistency,
    "lineage": check_lineage_conflict,
    "use": check_use,
    "provenance": check_provenance,
    "weights": check_weights,
    "custom": check_custom,
}

__all__ = ["CHECKS", "Check", "CheckContext"]
