"""provenance/*: who made the model and its ancestors, and where they are established."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from checker.checks.base import CheckContext
from checker.checks.card import INVALID_METADATA
from checker.checks.rule import Rule, finding
from checker.checks.section import Reader, codes, level, read_section, same
from checker.facts import LineageError, ModelFacts
from checker.findings import Finding, Severity

DENIED_JURISDICTION = Rule(
    id="provenance/denied-jurisdiction",
    summary="The developer is in a denied jurisdiction.",
    help="Pick a model from another developer, or record an approved waiver.",
    level=Severity.ERROR,
    group="provenance",
    fires_when="the developer is established in a denied jurisdiction",
)
LINEAGE_JURISDICTION = Rule(
    id="provenance/lineage-jurisdiction",
    summary="An ancestor's developer is in a denied jurisdiction.",
    help="A fine-tune, adapter, quantisation or merge keeps its base's provenance; pick a model "
    "with another lineage or record an approved waiver.",
    level=Severity.ERROR,
    group="provenance",
    fires_when="an ancestor's developer is in a denied jurisdiction",
)
UNKNOWN_DEVELOPER = Rule(
    id="provenance/unknown-developer",
    summary="The developer's country is not known.",
    help="State where the organisation is established in the policy's `developers:` key "
    "(`org: {country: DE, name: ..., source: URL}`), or review it.",
    level=Severity.WARNING,
    group="provenance",
    fires_when="the developer's (or an ancestor's) country is not known",
)
UNDECLARED_LINEAGE = Rule(
    id="provenance/undeclared-lineage",
    summary="The repository hints at a model family the card does not declare as its base.",
    help="Declare the real base in the card's `base_model`, or review where the weights come "
    "from; until then the family's developer and jurisdiction may apply.",
    level=Severity.WARNING,
    group="provenance",
    fires_when="a model that declares no lineage has a repository name or a config.json "
    "architecture of a known family from another developer (weak evidence; at the `unknown` "
    "level when the family's jurisdiction is denied)",
)
RULES = (DENIED_JURISDICTION, LINEAGE_JURISDICTION, UNKNOWN_DEVELOPER, UNDECLARED_LINEAGE)


@dataclass(frozen=True, slots=True)
class ProvenancePolicy:
    """The ``provenance:`` section: which developer jurisdictions are refused, whether
    ancestors count, and the level for a developer whose country is not known."""

    deny_jurisdictions: tuple[str, ...] = ()
    include_lineage: bool = True
    unknown_developer: Severity | None = UNKNOWN_DEVELOPER.level
    undeclared_lineage: Severity | None = UNDECLARED_LINEAGE.level

    READ: ClassVar[Mapping[str, Reader]] = {
        "deny-jurisdictions": codes,
        "include-lineage": same,
        "unknown-developer": level,
        "undeclared-lineage": level,
    }

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ProvenancePolicy:
        """The section as the policy states it, defaults for what it does not."""
        return read_section(cls, data, cls.READ)


def check_provenance(facts: ModelFacts, ctx: CheckContext) -> list[Finding]:
    """Denied jurisdictions for the developer and (optionally) every ancestor; unknown ones."""
    out: list[Finding] = []
    rules = ctx.policy.provenance
    denied = ctx.kb.expand(rules.deny_jurisdictions)
    groups = ", ".join(rules.deny_jurisdictions)
    policy_evidence = ctx.policy.evidence("/provenance/deny-jurisdictions", groups)
    developer = facts.provenance.developer
    if developer is not None:
        if developer.country is None:
            out += finding(
                UNKNOWN_DEVELOPER,
                rules.unknown_developer,
                facts,
                f"the country of developer {developer.org!r} is not known",
                developer.evidence,
            )
        elif developer.country in denied:
            out += finding(
                DENIED_JURISDICTION,
                DENIED_JURISDICTION.level,
                facts,
                f"developer {developer.name or developer.org} is in "
                f"{developer.country}, a denied jurisdiction ({groups})",
                [*developer.evidence, policy_evidence],
            )
    for ancestor in facts.lineage:
        if ancestor.error_kind is LineageError.CYCLE:
            cycle = (ancestor.error or "").removeprefix("lineage cycle: ")
            out += finding(
                INVALID_METADATA,
                ctx.unknown,
                facts,
                f"base_model forms a cycle ({cycle})",
                ancestor.evidence,
            )
    if not rules.include_lineage:
        return out
    out += _licensors(facts, ctx, denied, groups)
    out += _undeclared(facts, ctx, denied, groups)
    for ancestor in facts.lineage:
        if ancestor.error is not None and ancestor.error_kind is not LineageError.CYCLE:
            out += finding(
                LINEAGE_JURISDICTION,
                ctx.unknown,
                facts,
                f"the lineage beyond {ancestor.id} ({ancestor.relation}, depth {ancestor.depth}) "
                f"could not be read: {ancestor.error}",
                ancestor.evidence,
            )
        if ancestor.country is None:
            out += finding(
                UNKNOWN_DEVELOPER,
                rules.unknown_developer,
                facts,
                f"the country of the developer of ancestor {ancestor.id} "
                f"({ancestor.relation}, depth {ancestor.depth}) is not known",
                ancestor.evidence,
            )
        elif ancestor.country in denied:
            out += finding(
                LINEAGE_JURISDICTION,
                LINEAGE_JURISDICTION.level,
                facts,
                f"ancestor {ancestor.id} ({ancestor.relation}, depth "
                f"{ancestor.depth}) comes from {ancestor.developer or 'a developer'} "
                f"in {ancestor.country}, a denied jurisdiction ({groups})",
                [*ancestor.evidence, policy_evidence],
            )
    return out


def _licensors(
    facts: ModelFacts, ctx: CheckContext, denied: frozenset[str], groups: str
) -> list[Finding]:
    """The licence names a licensor in a denied jurisdiction: whatever the card declares, the
    weights derive from that developer's models (a DeepSeek-licensed re-upload is DeepSeek's)."""
    out: list[Finding] = []
    for licensor in facts.provenance.licensors:
        if licensor.country in denied:
            out += finding(
                LINEAGE_JURISDICTION,
                LINEAGE_JURISDICTION.level,
                facts,
                f"its licence ({licensor.license}) is granted by {licensor.name or licensor.org} "
                f"({licensor.org}, {licensor.country}), a denied jurisdiction ({groups}): the "
                "model derives from that developer's weights though the card declares no such "
                "base",
                [*licensor.evidence, ctx.policy.evidence("/provenance/deny-jurisdictions", groups)],
            )
    return out


def _undeclared(
    facts: ModelFacts, ctx: CheckContext, denied: frozenset[str], groups: str
) -> list[Finding]:
    """Weak evidence of a family from another developer, for a model that declares no base."""
    out: list[Finding] = []
    for hint in facts.provenance.evident:
        denied_here = hint.country in denied
        severity = ctx.unknown if denied_here else ctx.policy.provenance.undeclared_lineage
        where = f"{hint.developer or hint.org} ({hint.org}, {hint.country or 'country unknown'})"
        why = f"; {hint.country} is a denied jurisdiction ({groups})" if denied_here else ""
        out += finding(
            UNDECLARED_LINEAGE,
            severity,
            facts,
            f"declares no base model, but its repository points to {hint.name} by {where}"
            f"{why}: declare the base or confirm where the weights come from",
            hint.evidence,
        )
    return out
