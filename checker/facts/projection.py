"""One projection of the facts as plain JSON data: the JSON report's per-model facts and the tree
that custom rules and message templates read are the same dictionary (``project``), so a field
means the same thing wherever it is read."""

from __future__ import annotations

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


def project(facts: ModelFacts) -> dict[str, Any]:
    """The facts of one bound model (``checker.facts.binding.bind``) as JSON-ready data."""
    lic = facts.license
    model = facts.model
    binding = facts.binding or ()
    hub_ids = [e.hub_id for e in lic.entries if e.hub_id]
    weights = facts.weights
    return {
        "model": {
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
        },
        "card": {
            "present": facts.card.present,
            "path": facts.card.path,
            "missing": list(facts.card.missing),
        },
        "license": {
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
        },
        "provenance": facts.provenance.to_json(),
        "lineage": [a.to_json() for a in facts.lineage],
        "weights": {
            "availability": weights.availability,
            "formats": list(weights.formats),
            "unsafe_formats": list(weights.unsafe_formats),
            "remote_code": weights.remote_code,
            "parameters": weights.parameters,
            "files": [{"path": f.path, "format": f.format, "size": f.size} for f in weights.files],
        },
        "files": [f.to_json() for f in facts.files],
    }
