"""One projection of the facts as plain JSON data: the JSON report's per-model facts and the tree
that custom rules and message templates read are the same dictionary (``project``), so a field
means the same thing wherever it is read."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from checker.facts.curations import CLARIFIED
from checker.facts.model import DeclaredLicense, LicenseFacts, ModelFacts


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, (list, tuple)) else value


def _declared(item: DeclaredLicense, lic: LicenseFacts) -> dict[str, Any]:
    """One declaration; a clarification also says the policy's reason for it."""
    out = {"value": item.value, "source": item.declared_by, "evidence": item.evidence.to_json()}
    clar = lic.clarification
    if item.declared_by == CLARIFIED and clar is not None and clar.reason is not None:
        out["reason"] = clar.reason
    return out


def _model(facts: ModelFacts) -> dict[str, Any]:
    model = facts.model
    return {
        "id": model.id,
        "revision": model.revision,
        "source": model.source,
        "author": model.author,
        "url": model.url,
        "purl": model.purl,
        "pipeline_tag": model.pipeline_tag,
        "library": model.library,
        "tags": list(model.tags),
        "created_at": model.created_at,
    }


def _card(facts: ModelFacts) -> dict[str, Any]:
    card = facts.card
    return {"present": card.present, "path": card.path, "missing": list(card.missing)}


def _license(facts: ModelFacts) -> dict[str, Any]:
    lic = facts.license
    binding = facts.binding or ()
    hub_ids = [e.hub_id for e in lic.entries if e.hub_id]
    return {
        "ids": list(lic.ids),
        "expression": lic.expression,
        "hub_id": hub_ids[0] if len(hub_ids) == 1 else None,
        "name": lic.name,
        "categories": list(lic.categories),
        "source": lic.declared_by,
        "confidence": lic.confidence,
        "declared": [_declared(d, lic) for d in lic.declared],
        "terms": {} if facts.terms is None else {k: _plain(v) for k, v in facts.terms.items()},
        "by_source": [{"source": s.declared_by, "ids": list(s.ids)} for s in lic.places],
        "inherited": [
            {"id": b.entry.id, "from": b.via.id, "relation": b.via.relation}
            for b in binding
            if b.via is not None
        ],
        "documents": [
            {"key": d.key, "kind": d.kind, "of": d.of, "path": d.path} for d in lic.documents
        ],
        "unidentified_files": list(lic.unidentified_files),
    }


def _provenance(facts: ModelFacts) -> dict[str, Any]:
    return facts.provenance.to_json()


def _lineage(facts: ModelFacts) -> list[dict[str, Any]]:
    return [a.to_json() for a in facts.lineage]


def _weights(facts: ModelFacts) -> dict[str, Any]:
    weights = facts.weights
    return {
        "availability": weights.availability,
        "formats": list(weights.formats),
        "unsafe_formats": list(weights.unsafe_formats),
        "remote_code": weights.remote_code,
        "parameters": weights.parameters,
        "files": [{"path": f.path, "format": f.format, "size": f.size} for f in weights.files],
    }


def _files(facts: ModelFacts) -> list[dict[str, Any]]:
    return [f.to_json() for f in facts.files]


# The projection's top-level sections, in the order the JSON report writes them.
SECTIONS: dict[str, Callable[[ModelFacts], Any]] = {
    "model": _model,
    "card": _card,
    "license": _license,
    "provenance": _provenance,
    "lineage": _lineage,
    "weights": _weights,
    "files": _files,
}


def project(facts: ModelFacts, sections: Collection[str] | None = None) -> dict[str, Any]:
    """The facts of one bound model (``checker.facts.binding.bind``) as JSON-ready data: every
    section, or only those named in ``sections`` (what a policy's custom rules read), each the
    same as in the whole projection."""
    if sections is None:
        return {name: build(facts) for name, build in SECTIONS.items()}
    return {name: build(facts) for name, build in SECTIONS.items() if name in sections}
