"""The parts of the CycloneDX report cyclonedx-python-lib cannot write, added to its JSON as
data: the lineage as ``dependencies`` (the library refuses refs to pedigree entries, though
their bom-refs are the BOM's like any other) and each model's ``modelCard`` (the library has no
model for it). See ``cyclonedx.py`` for what they hold; the tests validate the result with the
library's strict 1.6 JSON validator.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from checker.facts import Ancestor, ModelFacts
from checker.result import AuditResult

PREFIX = "clearance"


def ancestor_ref(owner_ref: str, ancestor_id: str) -> str:
    """The bom-ref of an ancestor in a model's pedigree."""
    return f"{owner_ref}/ancestor:{ancestor_id}"


def _lineage_dependencies(
    facts: ModelFacts,
    owner: str,
    by_id: Mapping[str, str],
    lineage_of: Mapping[str, frozenset[str]],
) -> Iterator[tuple[str, list[str]]]:
    """(dependent, dependencies) bom-ref pairs for one model's lineage (see the module
    docstring): an audited ancestor by its component's ref, else its pedigree entry's."""

    def node(a: Ancestor) -> str:
        return by_id.get(a.id.lower()) or ancestor_ref(owner, a.id)

    by_depth: dict[int, list[Ancestor]] = {}
    for a in facts.lineage:
        by_depth.setdefault(a.depth, []).append(a)
    needs = [node(a) for a in by_depth.get(1, [])]
    # ancestors an audited parent's own lineage already reaches
    reached = set().union(*(lineage_of.get(n, frozenset()) for n in needs))
    for depth in sorted(d for d in by_depth if d > 1):
        parents: Sequence[Ancestor] = by_depth.get(depth - 1, [])
        found = [node(a) for a in by_depth[depth] if a.id.lower() not in reached]
        if facts.lineage_complete and len(parents) == 1 and parents[0].id.lower() not in by_id:
            yield node(parents[0]), found
        else:
            needs += found
    yield owner, needs


def add_dependencies(data: dict[str, Any], result: AuditResult, refs: Sequence[str]) -> None:
    """The lineage as ``dependencies``, added to the JSON: cyclonedx-python-lib refuses
    dependencies on pedigree ancestors (it does not count them as components of the BOM), though
    their bom-refs are the BOM's like any other."""
    by_id: dict[str, str] = {}
    lineage_of: dict[str, frozenset[str]] = {}
    for ref, model in zip(refs, result.models, strict=True):
        by_id.setdefault(model.facts.model.id.lower(), ref)
        lineage_of[ref] = frozenset(a.id.lower() for a in model.facts.lineage)
    graph: dict[str, list[str]] = {
        d["ref"]: list(d.get("dependsOn", [])) for d in data.get("dependencies", [])
    }
    for ref, model in zip(refs, result.models, strict=True):
        for dependent, needs in _lineage_dependencies(model.facts, ref, by_id, lineage_of):
            graph.setdefault(dependent, [])
            graph[dependent] += [n for n in needs if n != dependent]
    data["dependencies"] = [
        {"ref": ref, **({"dependsOn": sorted(set(deps))} if deps else {})}
        for ref, deps in sorted(graph.items())
    ]


# --- modelCard (post-processed: the library has no model for it) --------------------------------


def _term_text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_term_text(v) for v in value)
    if isinstance(value, Mapping):
        return json.dumps({k: _plain(v) for k, v in value.items()}, sort_keys=True, default=str)
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


_USE_TERMS = (
    ("commercial_use", "Commercial use"),
    ("user_limit", "Monthly active user limit"),
    ("revenue_limit", "Revenue limit"),
    ("excluded_territories", "Excluded territories"),
    ("output_training", "Training other models on outputs"),
    ("redistribution", "Redistribution"),
    ("attribution", "Attribution"),
    ("naming", "Naming"),
    ("aup", "Acceptable use policy"),
)


def model_card(facts: ModelFacts) -> dict[str, Any]:
    """The CycloneDX 1.6 ``modelCard`` of a model, as JSON data."""
    card: dict[str, Any] = {}
    if facts.model.pipeline_tag:
        card["modelParameters"] = {"task": facts.model.pipeline_tag}
    terms = dict(facts.terms or {})
    # the terms are the strictest reading of every binding licence (the model's and its
    # ancestors'), so they are named as such
    binding = sorted({b.entry.id for b in facts.binding or ()})
    licence = " and ".join(binding) if binding else facts.license.expression or "NOASSERTION"
    uses = [
        f"{label} under the binding licences ({licence}): {_term_text(terms[key])}"
        for key, label in _USE_TERMS
        if terms.get(key) not in (None, "", [], ())
    ]
    prohibited = terms.get("prohibited_uses") or ()
    considerations: dict[str, Any] = {}
    if uses:
        considerations["useCases"] = uses
    if prohibited:
        considerations["ethicalConsiderations"] = [
            {
                "name": f"Prohibited use: {use}",
                "mitigationStrategy": (
                    "Do not use the model for it: a binding licence or its acceptable use "
                    f"policy forbids it ({licence})."
                ),
            }
            for use in (prohibited if isinstance(prohibited, (list, tuple)) else [prohibited])
        ]
    if considerations:
        card["considerations"] = considerations
    card["properties"] = [
        {"name": f"{PREFIX}:terms:{key}", "value": _term_text(value)}
        for key, value in sorted(terms.items())
        if value not in (None, "", [], ())
    ] or [{"name": f"{PREFIX}:terms", "value": "unknown"}]
    card["properties"] += [{"name": f"{PREFIX}:terms:binding-license", "value": b} for b in binding]
    return card


def add_model_cards(data: dict[str, Any], result: AuditResult, refs: Sequence[str]) -> None:
    cards = {ref: model_card(m.facts) for ref, m in zip(refs, result.models, strict=True)}
    for comp in data.get("components", []):
        card = cards.get(comp.get("bom-ref"))
        if card is not None:
            comp["modelCard"] = {"bom-ref": f"{comp['bom-ref']}/model-card", **card}


__all__ = ["PREFIX", "add_dependencies", "add_model_cards", "ancestor_ref", "model_card"]
