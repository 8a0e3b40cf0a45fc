"""Completing the facts once the lineage is linked: the licences that bind a model (its own and
every ancestor's), the strictest reading of their terms, and the obligations adoption brings.

Computed once here, so checks, custom rules and reporters all read the same answer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from checker.facts.model import Binding, ModelFacts, ModelObligation
from checker.knowledge import Knowledge, LicenseEntry, LicenseTerms

TERM_KEYS = (
    "commercial_use",
    "user_limit",
    "revenue_limit",
    "excluded_territories",
    "prohibited_uses",
    "output_training",
    "attribution",
    "naming",
    "aup",
    "redistribution",
)
_ORDER = {"allowed": 0, "unknown": 1, "conditional": 2, "forbidden": 3}


def binding_licenses(facts: ModelFacts, kb: Knowledge) -> tuple[Binding, ...]:
    """Own licences, then every ancestor's: fine-tunes, adapters and quantisations carry their
    base's terms, merges all parents' (each licence once, nearest first)."""
    out = [Binding(e) for e in facts.license.entries]
    seen = {e.key for e in facts.license.entries}
    for ancestor in sorted(facts.lineage, key=lambda a: (a.depth, a.id.lower())):
        for license_id in ancestor.license_ids:
            entry = kb.license(license_id)
            if entry is not None and entry.key not in seen:
                seen.add(entry.key)
                out.append(Binding(entry, ancestor))
    return tuple(out)


def strictest_terms(terms: list[LicenseTerms]) -> dict[str, Any]:
    """The most restrictive reading of several licences' terms (all of them apply)."""
    return dict(_strictest(tuple(terms)))


@lru_cache(maxsize=1024)
def _strictest(terms: tuple[LicenseTerms, ...]) -> dict[str, Any]:
    if not terms:
        return dict.fromkeys(TERM_KEYS)

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


# Models bound by the same licences share one tuple of obligations and one view of the terms
# (frozen values): a bulk audit holds a few of each, not one copy per model. Keyed by the
# entries' identities; the entries are kept with the value, so an id is never reused.
_OBLIGATIONS: dict[tuple[int, ...], tuple[tuple[LicenseEntry, ...], tuple[ModelObligation, ...]]]
_OBLIGATIONS = {}
_SHARED_MAX = 4096


def _obligations(binding: tuple[Binding, ...]) -> tuple[ModelObligation, ...]:
    entries = tuple(b.entry for b in sorted(binding, key=lambda b: b.entry.id))
    key = tuple(map(id, entries))
    found = _OBLIGATIONS.get(key)
    if found is not None:
        return found[1]
    out = tuple(
        ModelObligation(e.id, ob.kind, ob.text, ob.clause) for e in entries for ob in e.obligations
    )
    if len(_OBLIGATIONS) >= _SHARED_MAX:
        _OBLIGATIONS.clear()
    _OBLIGATIONS[key] = (entries, out)
    return out


@lru_cache(maxsize=1024)
def _terms_view(terms: tuple[LicenseTerms, ...]) -> Mapping[str, Any]:
    return MappingProxyType(strictest_terms(list(terms)))


def bind(facts: ModelFacts, kb: Knowledge) -> ModelFacts:
    """The facts with ``binding``, ``terms`` (None while the model's own licence is not known)
    and ``obligations`` filled in; facts already bound are returned as they are."""
    if facts.binding is not None:
        return facts
    binding = binding_licenses(facts, kb)
    terms, obligations = derived(binding, facts.license.known)
    return replace(facts, binding=binding, terms=terms, obligations=obligations)


def derived(
    binding: tuple[Binding, ...], known: bool
) -> tuple[Mapping[str, Any] | None, tuple[ModelObligation, ...]]:
    """What ``bind`` derives from a binding: the strictest terms (None while the model's own
    licence is not known) and the obligations, each shared by every model bound alike."""
    terms = _terms_view(tuple(b.entry.terms for b in binding)) if known else None
    return terms, _obligations(binding)
