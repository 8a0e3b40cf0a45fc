"""Custom rules from the policy (``rules:``): structured conditions over the facts tree.

Their ids are the policy's own (``acme/...``); a custom rule may not take a built-in id.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from checker.checks.base import CheckContext
from checker.checks.section import Reader, read_section, same
from checker.facts import ModelFacts
from checker.findings import Finding, Severity
from checker.paths import escaped
from checker.policy import conditions
from checker.policy.conditions import Condition, holds
from checker.policy.fields import MISSING, facts_tree, lookup, normalise_field, sections_read

_TEMPLATE = re.compile(r"\$\{([^}]*)\}")


def compile_condition(cond: Mapping[str, Any]) -> Condition:
    """A condition mapping (``all``/``any``/``not`` or a ``{field, operator}`` leaf) as a tree."""
    for kind in ("all", "any"):
        if kind in cond:
            return conditions.Combine(kind, tuple(compile_condition(c) for c in cond[kind]))
    if "not" in cond:
        return conditions.Combine("not", (compile_condition(cond["not"]),))
    op = next(k for k in conditions.OPERATORS if k in cond)
    value = cond[op]
    pattern = conditions.compile_pattern(value) if op == "matches" else None
    return conditions.Leaf(normalise_field(cond["field"]), op, value, pattern)


@dataclass(frozen=True, slots=True)
class CustomRule:
    """An organisation's own rule (an entry of ``rules:``): a structured condition, never
    evaluated text."""

    id: str
    severity: Severity
    message: str
    when: Condition
    help: str = ""
    on_missing: str = "unknown"

    READ: ClassVar[Mapping[str, Reader]] = {
        "id": same,
        "severity": Severity,
        "message": same,
        "when": compile_condition,
        "help": same,
        "on-missing": same,
    }

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> CustomRule:
        """One entry of ``rules:`` (schema-validated and checked: its condition compiles)."""
        return read_section(cls, data, cls.READ)


def read_rules(items: Sequence[Mapping[str, Any]]) -> tuple[CustomRule, ...]:
    """The ``rules:`` section (after ``extends`` are merged)."""
    return tuple(CustomRule.from_mapping(item) for item in items)


def interpolate(message: str, tree: dict[str, Any]) -> str:
    """Replace ``${path}`` with the fact's value; nothing else in the text is interpreted."""

    def value(match: re.Match[str]) -> str:
        found = lookup(tree, match.group(1))
        if found is MISSING or found is None:
            return "unknown"
        if isinstance(found, list):
            return escaped(", ".join("unknown" if v is None else str(v) for v in found) or "none")
        return escaped(str(found))  # card text: no raw control character reaches a terminal

    return _TEMPLATE.sub(value, message)


def _leaves(cond: Condition) -> Iterator[str]:
    if isinstance(cond, conditions.Leaf):
        yield cond.field
    else:
        for child in cond.children:
            yield from _leaves(child)


_READ: list[tuple[Sequence[CustomRule], frozenset[str] | None]] = []  # the last rules seen


def _sections(rules: Sequence[CustomRule]) -> frozenset[str] | None:
    """The projection's sections the rules' conditions and messages read (None: all), worked
    out once for the rules of a policy."""
    if _READ and _READ[0][0] is rules:
        return _READ[0][1]
    paths = [p for r in rules for p in (*_leaves(r.when), *_TEMPLATE.findall(r.message))]
    found = sections_read(paths)
    _READ[:] = [(rules, found)]
    return found


def check_custom(facts: ModelFacts, ctx: CheckContext) -> list[Finding]:
    """Evaluate every custom rule; an undecidable condition follows the rule's ``on-missing``."""
    if not ctx.policy.custom_rules:
        return []
    tree = facts_tree(facts, ctx.policy.use, _sections(ctx.policy.custom_rules))

    def categories(license_id: str) -> set[str]:
        entry = ctx.kb.license(license_id)
        return set(entry.categories) if entry else set()

    out: list[Finding] = []
    for rule in ctx.policy.custom_rules:
        evidence = (ctx.policy.evidence(f"/rules/{rule.id}", rule.when.describe()),)
        try:
            result = holds(rule.when, tree, categories)
        except conditions.MatchBound as bound:
            if ctx.unknown is not None:
                message = (
                    f"could not evaluate {rule.id}: {bound.leaf.field} matches "
                    f"{escaped(repr(bound.leaf.value))[:200]}: {bound.why}"
                )
                out.append(
                    Finding(rule.id, ctx.unknown, facts.model.id, message, rule.help, evidence)
                )
            continue
        if result is True or (result is None and rule.on_missing == "fail"):
            message = interpolate(rule.message, tree)
            out.append(
                Finding(rule.id, rule.severity, facts.model.id, message, rule.help, evidence)
            )
        elif result is None and rule.on_missing == "unknown" and ctx.unknown is not None:
            message = f"could not evaluate {rule.id}: a field it reads is not known"
            out.append(Finding(rule.id, ctx.unknown, facts.model.id, message, rule.help, evidence))
    return out
