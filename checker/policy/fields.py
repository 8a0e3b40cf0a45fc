"""The field paths custom rules may name, and the facts tree they are read from."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from checker.facts import ModelFacts
    from checker.knowledge import LicenseTerms
    from checker.policy.model import UseProfile

FIELDS: frozenset[str] = frozenset(
    {
        "model.id",
        "model.revision",
        "model.source",
        "model.author",
        "model.url",
        "model.pipeline_tag",
        "model.library",
        "model.tags",
        "model.created_at",
        "card.present",
        "card.metadata",
        "card.missing",
        "license.declared",
        "license.ids",
        "license.expression",
        "license.name",
        "license.categories",
        "license.source",
        "license.confidence",
        "license.terms.commercial_use",
        "license.terms.user_limit",
        "license.terms.revenue_limit",
        "license.terms.excluded_territories",
        "license.terms.prohibited_uses",
        "license.terms.output_training",
        "license.terms.attribution",
        "license.terms.naming",
        "license.terms.aup",
        "license.terms.redistribution",
        "provenance.developer",
        "provenance.developer.org",
        "provenance.developer.name",
        "provenance.developer.country",
        "provenance.jurisdictions",
        "lineage",
        "lineage.id",
        "lineage.relation",
        "lineage.depth",
        "lineage.license_ids",
        "lineage.country",
        "weights.availability",
        "weights.formats",
        "weights.unsafe_formats",
        "weights.remote_code",
        "weights.parameters",
        "use.commercial",
        "use.monthly_active_users",
        "use.based_in",
        "use.territories",
        "use.distribution",
        "use.purposes",
        "use.train_other_models",
    }
)
OPEN_PREFIXES = ("card.metadata.",)

_ORDER = {"allowed": 0, "unknown": 1, "conditional": 2, "forbidden": 3}


def normalise_field(path: str) -> str:
    """Field paths accept kebab-case too (``use.monthly-active-users``)."""
    return path.strip().replace("-", "_")


def is_known_field(path: str) -> bool:
    """True when ``path`` names a documented field (or a key below ``card.metadata``)."""
    path = normalise_field(path)
    return path in FIELDS or any(path.startswith(p) and len(path) > len(p) for p in OPEN_PREFIXES)


def combined_terms(terms: list[LicenseTerms]) -> dict[str, Any]:
    """The most restrictive reading of several licences' terms (all of them apply)."""
    return dict(_combined(tuple(terms)))


@lru_cache(maxsize=1024)
def _combined(terms: tuple[LicenseTerms, ...]) -> dict[str, Any]:
    if not terms:
        return {k.split(".")[-1]: None for k in FIELDS if k.startswith("license.terms.")}

    def strictest(values: list[Any]) -> Any:
        return max(values, key=lambda v: _ORDER.get(str(v), 1))

    limits = [t.user_limit.value for t in terms if t.user_limit.value is not None]
    revenue = [t.revenue_limit.value for t in terms if t.revenue_limit.value is not None]
    return {
        "commercial_use": strictest([t.commercial_use.value for t in terms]),
        "user_limit": min(limits) if limits else None,
        "revenue_limit": min(revenue) if revenue else None,
        "excluded_territories": sorted(
            {x.territory for t in terms for x in t.excluded_territories}
        ),
        "prohibited_uses": "unknown"
        if any(t.prohibited_uses.value == "unknown" for t in terms)
        else sorted({u for t in terms for u in (t.prohibited_uses.value or ())}),
        "output_training": strictest([t.output_training.value for t in terms]),
        "attribution": "required"
        if any(t.attribution.value == "required" for t in terms)
        else strictest([t.attribution.value for t in terms]),
        "naming": "required"
        if any(t.naming.value == "required" for t in terms)
        else strictest([t.naming.value for t in terms]),
        "aup": sorted({str(t.aup.value) for t in terms if t.aup.value}),
        "redistribution": strictest([t.redistribution.value for t in terms]),
    }


def facts_tree(
    facts: ModelFacts, use: UseProfile, terms: list[LicenseTerms] | None = None
) -> dict[str, Any]:
    """The nested mapping custom rules and message templates read (JSON-like values).

    ``terms`` are the terms of every licence that binds the model, inherited ones included (the
    caller knows the knowledge base); by default, the model's own licences'.
    """
    lic = facts.license
    return {
        "model": {
            "id": facts.model.id,
            "revision": facts.model.revision,
            "source": facts.model.source,
            "author": facts.model.author,
            "url": facts.model.url,
            "pipeline_tag": facts.model.pipeline_tag,
            "library": facts.model.library,
            "tags": list(facts.model.tags),
            "created_at": facts.model.created_at,
        },
        "card": {
            "present": facts.card.present,
            "metadata": dict(facts.card.metadata),
            "missing": list(facts.card.missing),
        },
        "license": {
            "declared": [d.value for d in lic.declared],
            "ids": list(lic.ids),
            "expression": lic.expression,
            "name": lic.name,
            "categories": list(lic.categories),
            "source": lic.source,
            "confidence": lic.confidence,
            "terms": combined_terms(terms if terms is not None else [e.terms for e in lic.entries])
            if lic.known
            else None,
        },
        "provenance": facts.provenance.to_json(),
        "lineage": [a.to_json() for a in facts.lineage],
        "weights": {
            "availability": facts.weights.availability,
            "formats": list(facts.weights.formats),
            "unsafe_formats": list(facts.weights.unsafe_formats),
            "remote_code": facts.weights.remote_code,
            "parameters": facts.weights.parameters,
        },
        "use": {
            "commercial": use.commercial,
            "monthly_active_users": use.monthly_active_users,
            "based_in": None if use.based_in is None else list(use.based_in),
            "territories": None if use.territories is None else list(use.territories),
            "distribution": use.distribution,
            "purposes": None if use.purposes is None else list(use.purposes),
            "train_other_models": use.train_other_models,
        },
    }


MISSING = object()


def lookup(tree: dict[str, Any], path: str) -> Any:
    """Read a dotted path; through a list it collects the values of every item (flattened)."""
    current: Any = tree
    for part in normalise_field(path).split("."):
        if isinstance(current, dict):
            current = current.get(part, MISSING)
            if current is MISSING:
                return MISSING
        elif isinstance(current, list):
            collected: list[Any] = []
            for item in current:
                value = item.get(part, MISSING) if isinstance(item, dict) else MISSING
                if value is MISSING:
                    continue
                collected.extend(
                    value if isinstance(value, list) else [value]
                )  # None kept: unknown
            current = collected
        else:
            return MISSING
    return current
