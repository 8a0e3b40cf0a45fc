"""license/*: what the licence is, whether the policy accepts it, whether its sources agree, and
whether it keeps the restrictions of its base's licence.

Decision order (cargo-deny style): a denied id or category rejects; an allowed id or category
accepts; anything else is rejected (default deny). Expressions keep SPDX semantics: an OR needs one
acceptable branch, an AND needs all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from checker import licensing
from checker.checks.base import CheckContext, binding_of
from checker.checks.rule import Rule, finding
from checker.checks.section import Reader, read_section, strings
from checker.facts import LineageError, ModelFacts
from checker.findings import Evidence, Finding, Severity

UNKNOWN = Rule(
    id="license/unknown",
    summary="The model's licence could not be established.",
    help="Declare the licence in the card's `license:` key (a Hub id or SPDX id; for `other`, add "
    "`license_name` and `license_link`), or, after reading the licence, state it in the policy's "
    "`clarify:` (pinned to the licence file's sha256).",
    level=Severity.ERROR,
    group="license",
    fires_when="the licence could not be established: none declared, `other` without a known name "
    "or link, an id or a licence file the knowledge base does not recognise, or an ancestor whose "
    "licence is not known (its terms bind the derivative)",
)
NOT_ALLOWED = Rule(
    id="license/not-allowed",
    summary="The licence is denied or not on the policy's allow list.",
    help="Choose a model under an allowed licence, add the licence or its category to "
    "`licenses.allow` after legal review, or add a waiver for this model.",
    level=Severity.ERROR,
    group="license",
    fires_when="the licence is denied, or not on the allow list",
)
INCONSISTENT = Rule(
    id="license/inconsistent",
    summary="Card, licence file, Hub tags or weight header disagree.",
    help="Find out which licence really applies and correct the card, or state it in the policy's "
    "`clarify:`; until then the strictest reading applies.",
    level=Severity.ERROR,
    group="consistency",
    fires_when="the card, a licence file, the Hub's `license:` tags and a GGUF header name "
    "different licences",
)
LINEAGE_CONFLICT = Rule(
    id="license/lineage-conflict",
    summary="The model declares looser terms than its base model.",
    help="A derivative cannot relicense its base: the base's licence still applies to you.",
    level=Severity.ERROR,
    group="lineage",
    fires_when="a derivative declares a licence without restrictions its base's licence has",
)
CLARIFICATION_LAPSED = Rule(
    id="license/clarification-lapsed",
    summary="A clarification of the policy no longer applies: its licence file changed.",
    help="Read the licence file again; if it still says what the clarification states, put its "
    "new digest (`sha256sum LICENSE`) in the `clarify:` entry, else correct or remove the entry. "
    "Until then the licence is what the model's files say.",
    level=Severity.ERROR,
    group="license",
    fires_when="a `clarify:` entry pinned to a licence file's sha256 matches the model, and the "
    "file has changed, is missing or cannot be read (the licence falls back to what the files "
    "say)",
)
RULES = (UNKNOWN, NOT_ALLOWED, INCONSISTENT, LINEAGE_CONFLICT, CLARIFICATION_LAPSED)


@dataclass(frozen=True, slots=True)
class LicensePolicy:
    """The ``licenses:`` section: which licences are accepted, by id and category; deny before
    allow, default deny."""

    allow: tuple[str, ...] = ()
    allow_categories: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    deny_categories: tuple[str, ...] = ()

    READ: ClassVar[Mapping[str, Reader]] = {
        "allow": strings,
        "allow-categories": strings,
        "deny": strings,
        "deny-categories": strings,
    }

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> LicensePolicy:
        """The section as the policy states it, defaults for what it does not."""
        return read_section(cls, data, cls.READ)


def check_license(facts: ModelFacts, ctx: CheckContext) -> list[Finding]:
    """Report an unknown licence, and a licence the policy does not accept."""
    lic = facts.license
    out = _lapsed(facts)
    if not lic.known:
        out += finding(
            UNKNOWN, ctx.unknown, facts, _unknown_message(facts), _unknown_evidence(facts)
        )
    elif lic.unidentified_files and not lic.clarified:
        out += finding(
            UNKNOWN,
            ctx.unknown,
            facts,
            f"licence file(s) {', '.join(lic.unidentified_files)} not recognised: their terms "
            "may add to the licence the card declares",
            [Evidence(path, "/", "not recognised") for path in lic.unidentified_files],
        )
    out += _unknown_ancestors(facts, ctx)
    if lic.expression is None:
        return out
    reasons: list[Evidence] = []

    def accept(license_id: str) -> bool:
        ok, why = _decide(license_id, ctx)
        reasons.append(why)
        return ok

    if not licensing.satisfied(lic.expression, accept):
        out += finding(
            NOT_ALLOWED,
            NOT_ALLOWED.level,
            facts,
            f"licence {lic.expression} is not allowed by the policy"
            + (" (the licence is named only in the card's prose)" if lic.prose_only else ""),
            [*(d.evidence for d in lic.declared), *reasons],
        )
    for applicable in binding_of(facts):
        if applicable.via is None:
            continue
        ok, why = _decide(applicable.entry.id, ctx)
        if not ok:
            out += finding(
                NOT_ALLOWED,
                NOT_ALLOWED.level,
                facts,
                f"licence {applicable.entry.id}, inherited from {applicable.via.id} "
                f"({applicable.via.relation}), is not allowed by the policy",
                [*applicable.via.evidence[:1], why],
            )
    return out


def _lapsed(facts: ModelFacts) -> list[Finding]:
    """A clarification pinned to a licence file that changed: it no longer applies."""
    clar = facts.license.clarification
    if clar is None or clar.lapsed is None:
        return []
    now = facts.license.expression or "unknown"
    return finding(
        CLARIFICATION_LAPSED,
        CLARIFICATION_LAPSED.level,
        facts,
        f"the clarification {clar.license} no longer applies: {clar.lapsed}; the licence is "
        f"what the files say ({now})",
        [clar.evidence, *clar.pinned],
    )


def _unknown_ancestors(facts: ModelFacts, ctx: CheckContext) -> list[Finding]:
    """An ancestor whose licence is not known: its terms bind this model all the same."""
    out: list[Finding] = []
    for ancestor in facts.lineage:
        if ancestor.license_ids or ancestor.error_kind is LineageError.CYCLE:
            continue
        why = f": {ancestor.error}" if ancestor.error else ""
        out += finding(
            UNKNOWN,
            ctx.unknown,
            facts,
            f"the licence of {ancestor.id} ({ancestor.relation}, depth {ancestor.depth}) is not "
            f"known{why}; a {ancestor.relation} is bound by it",
            ancestor.evidence,
        )
    return out


def check_consistency(facts: ModelFacts, ctx: CheckContext) -> list[Finding]:
    """license/inconsistent: card, licence file, Hub tags and GGUF header name different
    licences; all of them then apply (the strictest reading)."""
    out = _stale_catalogue(facts)
    lic = facts.license
    if not lic.inconsistent:
        return out
    said = "; ".join(f"{s.declared_by}: {', '.join(s.ids)}" for s in lic.places if s.ids)
    evidence = [e for s in lic.places if s.ids for e in s.evidence]
    prose = (
        " (prose is weaker than metadata)"
        if any(s.declared_by == "prose" for s in lic.places if s.ids)
        else ""
    )
    return out + finding(
        INCONSISTENT,
        ctx.unknown,
        facts,
        f"the sources disagree on the licence ({said}){prose}; all of them apply until this is "
        "resolved",
        evidence,
    )


def _stale_catalogue(facts: ModelFacts) -> list[Finding]:
    """An ancestor whose licence on the Hub differs from the offline catalogue's: the Hub's is
    used, and the disagreement is a note (the catalogue needs updating, or the Hub changed)."""
    out: list[Finding] = []
    for ancestor in facts.lineage:
        if ancestor.catalogue_license is None:
            continue
        hub = ", ".join(ancestor.license_ids) or "none"
        out += finding(
            INCONSISTENT,
            Severity.NOTE,
            facts,
            f"the Hub says {ancestor.id} is under {hub}, the offline catalogue says "
            f"{ancestor.catalogue_license}; the Hub's answer is used",
            ancestor.evidence,
        )
    return out


RESTRICTIVE = frozenset(
    {
        "non-commercial",
        "research-only",
        "use-restrictions",
        "acceptable-use-policy",
        "user-limit",
        "revenue-limit",
        "territorial-restrictions",
        "output-training-restricted",
        "naming-required",
        "copyleft",
        "community",
        "proprietary",
    }
)


def check_lineage_conflict(facts: ModelFacts, ctx: CheckContext) -> list[Finding]:
    """license/lineage-conflict: the model declares a looser licence than an ancestor's (a Llama
    quantisation tagged apache-2.0): the ancestor's terms still bind whoever adopts it."""
    own = facts.license.entries
    if not own:
        return []
    own_ids = {e.id for e in own}
    own_restrictions = {c for e in own for c in e.categories} & RESTRICTIVE
    out: list[Finding] = []
    for applicable in binding_of(facts):
        via = applicable.via
        if via is None or applicable.entry.id in own_ids:
            continue
        missing = (set(applicable.entry.categories) & RESTRICTIVE) - own_restrictions
        if not missing:
            continue
        out += finding(
            LINEAGE_CONFLICT,
            LINEAGE_CONFLICT.level,
            facts,
            f"declares {facts.license.expression}, but {via.id} ({via.relation}, depth "
            f"{via.depth}) is under {applicable.entry.name}, whose terms "
            f"({', '.join(sorted(missing))}) still apply",
            [
                *(d.evidence for d in facts.license.declared[:2]),
                *via.evidence[:1],
                Evidence(applicable.entry.file, "/categories", sorted(missing)),
            ],
        )
    return out


def _names(ctx: CheckContext, names: tuple[str, ...]) -> set[str]:
    out = set()
    for name in names:
        entry = ctx.kb.license(name)
        out.add((entry.id if entry else name).lower())
    return out


def _decide(license_id: str, ctx: CheckContext) -> tuple[bool, Evidence]:
    rules = ctx.policy.licenses
    entry = ctx.kb.license(license_id)
    categories = set(entry.categories) if entry else set()
    source = entry.file if entry else "SPDX"
    if license_id.lower() in _names(ctx, rules.deny):
        return False, ctx.policy.evidence("/licenses/deny", license_id)
    denied = sorted(categories & set(rules.deny_categories))
    if denied:
        return False, Evidence(source, "/categories", f"{license_id}: denied category {denied[0]}")
    if license_id.lower() in _names(ctx, rules.allow):
        return True, ctx.policy.evidence("/licenses/allow", license_id)
    allowed = sorted(categories & set(rules.allow_categories))
    if allowed:
        return True, Evidence(source, "/categories", f"{license_id}: allowed category {allowed[0]}")
    return False, ctx.policy.evidence("/licenses/allow", f"{license_id} is not on the allow list")


def _unknown_message(facts: ModelFacts) -> str:
    lic = facts.license
    files = (
        f"; licence file(s) {', '.join(lic.unidentified_files)} not recognised"
        if lic.unidentified_files
        else ""
    )
    if not facts.card.present:
        return f"no model card, so no declared licence{files}"
    if not lic.declared:
        return f"the card declares no licence{files}"
    shown = ", ".join(repr(d.value) for d in (lic.unresolved or lic.declared))
    hints = "".join(f"; {h}" for h in lic.hints)
    return f"licence {shown} is not in the knowledge base{files}{hints}"


def _unknown_evidence(facts: ModelFacts) -> list[Evidence]:
    lic = facts.license
    files = [Evidence(path, "/", "not recognised") for path in lic.unidentified_files]
    if lic.declared:
        return [*(d.evidence for d in lic.declared), *files]
    return [facts.card.evidence("license", None), *files]
