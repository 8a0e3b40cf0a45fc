"""Custom rules from the policy: structured conditions over the facts tree."""

from __future__ import annotations

import re
from typing import Any

from checker.checks.base import CheckContext
from checker.facts import ModelFacts
from checker.findings import Evidence, Finding
from checker.policy.conditions import evaluate
from checker.policy.fields import MISSING, facts_tree, lookup

_TEMPLATE = re.compile(r"\$\{([^}]*)\}")


def interpolate(message: str, tree: dict[str, Any]) -> str:
    """Replace ``${path}`` with the fact's value; nothing else in the text is interpreted."""

    def value(match: re.Match[str]) -> str:
        found = lookup(tree, match.group(1))
        if found is MISSING or found is None:
            return "unknown"
        if isinstance(found, list):
            return ", ".join("unknown" if v is None else str(v) for v in found) or "none"
        return str(found)

    return _TEMPLATE.sub(value, message)


def check_custom(facts: ModelFacts, ctx: CheckContext) -> list[Finding]:
    """Evaluate every custom rule; an undecidable condition follows the rule's ``on-missing``."""
    if not ctx.policy.rules:
        return []
    tree = facts_tree(facts, ctx.policy.use)

    def categories(license_id: str) -> set[str]:
        entry = ctx.kb.license(license_id)
        return set(entry.categories) if entry else set()

    out: list[Finding] = []
    for rule in ctx.policy.rules:
        result = evaluate(rule.when, tree, categories)
        evidence = (Evidence(ctx.policy.files[-1], f"/rules/{rule.id}", rule.when.describe()),)
        if result is True or (result is None and rule.on_missing == "fail"):
            message = interpolate(rule.message, tree)
            out.append(
                Finding(rule.id, rule.severity, facts.model.id, message, rule.help, evidence)
            )
        elif result is None and rule.on_missing == "unknown" and ctx.unknown is not None:
            message = f"could not evaluate {rule.id}: a field it reads is not known"
            out.append(Finding(rule.id, ctx.unknown, facts.model.id, message, rule.help, evidence))
    return out
