"""use/territory from the repository's gating: weights the Hub refuses to users located in a
territory (``extra_gated_eu_disallowed: true``) cannot be obtained there, whatever the licence
says. Part of the use check (checker/checks/use.py owns the rule)."""

from __future__ import annotations

from checker.checks.base import CheckContext
from checker.checks.rule import Rule, finding
from checker.facts import ModelFacts
from checker.findings import Finding


def check_withheld(facts: ModelFacts, ctx: CheckContext, rule: Rule) -> list[Finding]:
    """A withheld territory against where the licensee is based and where the model is used."""
    out: list[Finding] = []
    use = ctx.policy.use
    for withheld in facts.weights.withheld:
        territory = (
            withheld.territory.upper()
            if not ctx.kb.is_group(withheld.territory)
            else (withheld.territory)
        )
        evidence = [
            withheld.evidence,
            ctx.policy.evidence(
                "/use/based-in", None if use.based_in is None else list(use.based_in)
            ),
            ctx.policy.evidence(
                "/use/territories", None if use.territories is None else list(use.territories)
            ),
        ]
        if use.based_in is None and use.territories is None:
            out += finding(
                rule,
                ctx.unknown,
                facts,
                f"the repository's gating refuses the weights to users in {territory}; the policy "
                "states neither use.based-in nor use.territories",
                evidence,
            )
            continue
        named = ctx.kb.expand([*(use.based_in or ()), *(use.territories or ())])
        hit = sorted(ctx.kb.expand([withheld.territory]) & named)
        if hit:
            out += finding(
                rule,
                rule.level,
                facts,
                f"the repository's gating refuses the weights to users in {territory} "
                f"({withheld.evidence.pointer.lstrip('/')}); the policy names {', '.join(hit)}",
                evidence,
            )
    return out
