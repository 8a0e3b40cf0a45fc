"""use/*: the licence's terms against the intended use (commercial, users, territory, purpose,
training other models on outputs). A term the policy's use does not state is reported at the
unknown level: an unstated use is never taken as allowed.
"""

from __future__ import annotations

from typing import NamedTuple

from checker import licensing
from checker.checks.base import CheckContext, binding_of
from checker.checks.rule import Rule, finding
from checker.checks.use_gating import check_withheld
from checker.facts import Binding, ModelFacts
from checker.findings import Evidence, Finding, Severity
from checker.knowledge import LicenseEntry, LicenseTerms, Term, TerritoryExclusion

NON_COMMERCIAL = Rule(
    id="use/non-commercial",
    summary="The licence forbids the commercial use the policy intends.",
    help="Use the model only non-commercially, obtain a commercial licence, or pick another.",
    level=Severity.ERROR,
    group="use",
    fires_when="the licence forbids the commercial use the policy intends (or allows it only "
    "below a revenue cap)",
)
USER_LIMIT = Rule(
    id="use/user-limit",
    summary="The intended monthly active users exceed the licence's cap.",
    help="Request a separate licence from the licensor before exceeding the cap.",
    level=Severity.ERROR,
    group="use",
    fires_when="intended monthly active users exceed the licence's cap",
)
TERRITORY = Rule(
    id="use/territory",
    summary="The licence excludes where you are based or where you use it.",
    help="Do not use the model there; the licence grants no rights in that territory.",
    level=Severity.ERROR,
    group="use",
    fires_when="the licence excludes where the licensee is based or where the model is used, with "
    "its condition (Llama 3.2/3.3/4: multimodal models, EU-based licensees; Hunyuan: use in the "
    "EU, UK, KR)",
)
PURPOSE = Rule(
    id="use/purpose",
    summary="An intended purpose is prohibited by the licence or its AUP.",
    help="Drop that purpose or choose a model whose licence permits it.",
    level=Severity.ERROR,
    group="use",
    fires_when="an intended purpose is prohibited by the licence or its acceptable use policy",
)
DISTRIBUTION = Rule(
    id="use/distribution",
    summary="The licence forbids, or does not say it allows, redistributing the model.",
    help="Keep the model internal or hosted, or obtain the right to redistribute it.",
    level=Severity.ERROR,
    group="use",
    fires_when="the policy redistributes the model (`distribution: redistributed`) and the "
    "licence forbids it, or does not say",
)
OUTPUT_TRAINING = Rule(
    id="use/output-training",
    summary="The licence restricts training other models on outputs.",
    help="Do not use outputs to train or distil other models, or satisfy the stated condition.",
    level=Severity.ERROR,
    group="use",
    fires_when="the licence forbids (error) or conditions (warning) training other models on "
    "outputs",
)
RULES = (NON_COMMERCIAL, USER_LIMIT, TERRITORY, PURPOSE, DISTRIBUTION, OUTPUT_TRAINING)

MULTIMODAL_TAGS = frozenset(
    {
        "image-text-to-text",
        "visual-question-answering",
        "image-to-text",
        "video-text-to-text",
        "any-to-any",
        "multimodal",
        "vision",
        "audio-text-to-text",
    }
)
TEXT_ONLY_TAGS = frozenset(
    {
        "text-generation",
        "text2text-generation",
        "fill-mask",
        "feature-extraction",
        "sentence-similarity",
    }
)


def _clause(entry: _Named, term: Term, pointer: str) -> Evidence:
    shown = term.value if not isinstance(term.value, tuple) else list(term.value)
    where = f"{pointer} ({term.clause})" if term.clause else pointer
    return Evidence(entry.file, where, shown)


def _use(ctx: CheckContext, key: str, value: object) -> Evidence:
    return ctx.policy.evidence(f"/use/{key}", value)


def check_use(facts: ModelFacts, ctx: CheckContext) -> list[Finding]:
    """Evaluate the terms of every licence that binds the model against the intended use.

    When the model's own expression offers a choice (``A OR B``), the alternative that suits
    the intended use best is taken (the fewest errors, then warnings); inherited licences always
    apply."""
    return _by_licence(facts, ctx) + check_withheld(facts, ctx, TERRITORY)


def _by_licence(facts: ModelFacts, ctx: CheckContext) -> list[Finding]:
    binding = binding_of(facts)
    expression = facts.license.expression
    if expression is None or " OR " not in expression:
        return _evaluate(facts, ctx, binding)
    inherited = [a for a in binding if a.via is not None]
    own = {a.entry.id: a for a in binding if a.via is None}
    try:
        choices = licensing.alternatives(expression)
    except licensing.TooComplex as exc:  # every licence of it is taken to apply (the strictest)
        return _too_complex(facts, ctx, expression, str(exc)) + _evaluate(facts, ctx, binding)
    best: list[Finding] | None = None
    for choice in choices:
        chosen = [own[i] for i in sorted(choice) if i in own] + inherited
        found = _evaluate(facts, ctx, chosen)
        if best is None or _weight(found) < _weight(best):
            best = found
    return best or []


def _too_complex(facts: ModelFacts, ctx: CheckContext, expression: str, why: str) -> list[Finding]:
    from checker.checks.license import UNKNOWN

    return finding(
        UNKNOWN,
        ctx.unknown,
        facts,
        f"the licence expression offers {why} (over the bound this checks): which licence "
        "applies is not known, so every licence it names was taken to apply",
        [Evidence(facts.card.path or facts.model.id, "/license", expression[:300])],
    )


def _weight(findings: list[Finding]) -> tuple[int, int, int]:
    return tuple(sum(1 for f in findings if f.severity is s) for s in Severity)  # type: ignore[return-value]


def _evaluate(
    facts: ModelFacts, ctx: CheckContext, binding: list[Binding] | tuple[Binding, ...]
) -> list[Finding]:
    out: list[Finding] = []
    for applicable in binding:
        entry = _Named(applicable.entry, applicable.label())
        out += _commercial(facts, ctx, entry)
        out += _user_limit(facts, ctx, entry)
        for exclusion in entry.terms.excluded_territories:
            out += _territory(facts, ctx, entry, exclusion)
        out += _purpose(facts, ctx, entry)
        out += _distribution(facts, ctx, entry)
        out += _output_training(facts, ctx, entry)
    return out


class _Named(NamedTuple):
    """A licence entry whose ``name`` says where it comes from (own or inherited)."""

    entry: LicenseEntry
    name: str

    @property
    def terms(self) -> LicenseTerms:
        return self.entry.terms

    @property
    def file(self) -> str:
        return self.entry.file


def _commercial(facts: ModelFacts, ctx: CheckContext, entry: _Named) -> list[Finding]:
    term, use = entry.terms.commercial_use, ctx.policy.use.commercial
    evidence = [_clause(entry, term, "/terms/commercial_use"), _use(ctx, "commercial", use)]
    if use is False:
        return []
    if use is None:
        if term.value in ("forbidden", "conditional", "unknown"):
            return finding(
                NON_COMMERCIAL,
                ctx.unknown,
                facts,
                f"{entry.name}: commercial use is {term.value}; the policy does not "
                "state whether use is commercial (use.commercial)",
                evidence,
            )
        return []
    if term.value == "forbidden":
        return finding(
            NON_COMMERCIAL,
            NON_COMMERCIAL.level,
            facts,
            f"{entry.name} forbids commercial use",
            evidence,
        )
    if term.value == "unknown":
        return finding(
            NON_COMMERCIAL,
            ctx.unknown,
            facts,
            f"{entry.name}: whether commercial use is allowed is not known",
            evidence,
        )
    revenue = entry.terms.revenue_limit
    if (
        term.value == "conditional"
        and revenue.value is None
        and entry.terms.user_limit.value is None
    ):
        note = f": {term.note}" if term.note else ""
        return finding(
            NON_COMMERCIAL,
            Severity.WARNING,
            facts,
            f"{entry.name} allows commercial use only under conditions{note}",
            evidence,
        )
    if revenue.value is not None:
        return finding(
            NON_COMMERCIAL,
            Severity.WARNING,
            facts,
            f"{entry.name} allows commercial use only below annual revenue of "
            f"{revenue.value:,} USD; confirm yours",
            [_clause(entry, revenue, "/terms/revenue_limit")],
        )
    return []


def _user_limit(facts: ModelFacts, ctx: CheckContext, entry: _Named) -> list[Finding]:
    term = entry.terms.user_limit
    if term.value is None:
        return []
    mau = ctx.policy.use.monthly_active_users
    evidence = [_clause(entry, term, "/terms/user_limit"), _use(ctx, "monthly-active-users", mau)]
    if mau is None:
        return finding(
            USER_LIMIT,
            ctx.unknown,
            facts,
            f"{entry.name} needs a separate licence above {term.value:,} monthly "
            "active users; the policy does not state use.monthly-active-users",
            evidence,
        )
    if mau > term.value:
        return finding(
            USER_LIMIT,
            USER_LIMIT.level,
            facts,
            f"{mau:,} monthly active users exceed the {term.value:,} that "
            f"{entry.name} allows without a separate licence",
            evidence,
        )
    return []


def _is_multimodal(facts: ModelFacts) -> bool | None:
    tags = {t.lower() for t in facts.model.tags}
    if facts.model.pipeline_tag:
        tags.add(facts.model.pipeline_tag.lower())
    if tags & MULTIMODAL_TAGS:
        return True
    if tags & TEXT_ONLY_TAGS:
        return False
    return None


def _territory(
    facts: ModelFacts, ctx: CheckContext, entry: _Named, exclusion: TerritoryExclusion
) -> list[Finding]:
    key = "based-in" if exclusion.applies_to == "licensee" else "territories"
    declared = ctx.policy.use.based_in if key == "based-in" else ctx.policy.use.territories
    what = "licensees based in" if key == "based-in" else "use in"
    condition = f" ({exclusion.condition})" if exclusion.condition else ""
    evidence = [
        Evidence(
            entry.file, f"/terms/excluded_territories ({exclusion.clause})", exclusion.territory
        ),
        _use(ctx, key, None if declared is None else list(declared)),
    ]
    if exclusion.only_for == "multimodal":
        multimodal = _is_multimodal(facts)
        if multimodal is False:
            return []
        if multimodal is None:
            return finding(
                TERRITORY,
                ctx.unknown,
                facts,
                f"{entry.name} excludes {what} {exclusion.territory} for multimodal "
                "models; whether this model is multimodal is not known (no pipeline "
                "tag)",
                evidence,
            )
    if declared is None:
        return finding(
            TERRITORY,
            ctx.unknown,
            facts,
            f"{entry.name} excludes {what} {exclusion.territory}{condition}; the "
            f"policy does not state use.{key}",
            evidence,
        )
    hit = sorted(ctx.kb.expand([exclusion.territory]) & ctx.kb.expand(declared))
    if not hit:
        return []
    return finding(
        TERRITORY,
        TERRITORY.level,
        facts,
        f"{entry.name} excludes {what} {exclusion.territory}{condition}; the policy "
        f"names {', '.join(hit)}",
        evidence,
    )


def _purpose(facts: ModelFacts, ctx: CheckContext, entry: _Named) -> list[Finding]:
    term = entry.terms.prohibited_uses
    purposes = ctx.policy.use.purposes
    evidence = [
        _clause(entry, term, "/terms/prohibited_uses"),
        _use(ctx, "purposes", None if purposes is None else list(purposes)),
    ]
    if term.value == "unknown":
        if purposes == ():
            return []
        return finding(
            PURPOSE,
            ctx.unknown,
            facts,
            f"{entry.name}: which uses it prohibits is not known; check the model's own licence",
            evidence,
        )
    prohibited = set(term.value or ())
    if not prohibited:
        return []
    if purposes is None:
        return finding(
            PURPOSE,
            ctx.unknown,
            facts,
            f"{entry.name} prohibits some uses ({', '.join(sorted(prohibited))}); the "
            "policy does not state use.purposes",
            evidence,
        )
    hit = sorted(prohibited & set(purposes))
    if not hit:
        return []
    return finding(
        PURPOSE, PURPOSE.level, facts, f"{entry.name} prohibits {', '.join(hit)}", evidence
    )


def _distribution(facts: ModelFacts, ctx: CheckContext, entry: _Named) -> list[Finding]:
    """Redistributing the weights (not only hosting them) needs the licence's permission."""
    if ctx.policy.use.distribution != "redistributed":
        return []
    term = entry.terms.redistribution
    evidence = [
        _clause(entry, term, "/terms/redistribution"),
        _use(ctx, "distribution", "redistributed"),
    ]
    if term.value == "forbidden":
        return finding(
            DISTRIBUTION,
            DISTRIBUTION.level,
            facts,
            f"{entry.name} forbids redistributing the model",
            evidence,
        )
    if term.value == "unknown":
        return finding(
            DISTRIBUTION,
            ctx.unknown,
            facts,
            f"{entry.name}: whether the model may be redistributed is not known",
            evidence,
        )
    return []


def _output_training(facts: ModelFacts, ctx: CheckContext, entry: _Named) -> list[Finding]:
    term, use = entry.terms.output_training, ctx.policy.use.train_other_models
    evidence = [
        _clause(entry, term, "/terms/output_training"),
        _use(ctx, "train-other-models", use),
    ]
    if use is False or term.value == "allowed":
        return []
    note = f": {term.note}" if term.note else ""
    if use is None:
        return finding(
            OUTPUT_TRAINING,
            ctx.unknown,
            facts,
            f"{entry.name} restricts training other models on outputs "
            f"({term.value}); the policy does not state use.train-other-models",
            evidence,
        )
    if term.value == "forbidden":
        return finding(
            OUTPUT_TRAINING,
            OUTPUT_TRAINING.level,
            facts,
            f"{entry.name} forbids using outputs to train other models{note}",
            evidence,
        )
    if term.value == "conditional":
        return finding(
            OUTPUT_TRAINING,
            Severity.WARNING,
            facts,
            f"{entry.name} allows training other models on outputs only under conditions{note}",
            evidence,
        )
    return finding(
        OUTPUT_TRAINING,
        ctx.unknown,
        facts,
        f"{entry.name}: whether outputs may train other models is not known",
        evidence,
    )
