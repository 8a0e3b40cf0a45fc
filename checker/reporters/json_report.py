"""The canonical JSON report, schema_version 1 (rules/schema/report.schema.json).

Every other format is a view of ``to_document``'s output; it is deterministic (sorted findings,
no set or dict-order leaks) given the same facts, policy and clock.
"""

from __future__ import annotations

from typing import Any

from checker.checks.base import applicable_licenses
from checker.knowledge import Knowledge, load_knowledge
from checker.policy.fields import combined_terms
from checker.result import AuditResult, ModelResult

SCHEMA_VERSION = 1


def _model(result: ModelResult, kb: Knowledge) -> dict[str, Any]:
    facts = result.facts
    lic = facts.license
    applicable = applicable_licenses(facts, kb)
    hub_ids = [e.hub_id for e in lic.entries if e.hub_id]
    return {
        "target": facts.target,
        "id": facts.model.id,
        "revision": facts.model.revision,
        "source": facts.model.source,
        "verdict": result.verdict.value,
        "error": facts.error,
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
            "source": lic.source,
            "declared": [
                {"value": d.value, "source": d.source, "evidence": d.evidence.to_json()}
                for d in lic.declared
            ],
            "terms": combined_terms([a.entry.terms for a in applicable]) if lic.known else {},
            "by_source": [{"source": s.source, "ids": list(s.ids)} for s in lic.by_source],
            "inherited": [
                {"id": a.entry.id, "from": a.via.id, "relation": a.via.relation}
                for a in applicable
                if a.via is not None
            ],
            "documents": [
                {"key": d.key, "kind": d.kind, "of": d.of, "path": d.path} for d in lic.documents
            ],
            "unidentified_files": list(lic.unidentified_files),
        },
        "provenance": facts.provenance.to_json(),
        "lineage": [a.to_json() for a in facts.lineage],
        "weights": {
            "availability": facts.weights.availability,
            "formats": list(facts.weights.formats),
            "unsafe_formats": list(facts.weights.unsafe_formats),
            "remote_code": facts.weights.remote_code,
            "files": [
                {"path": f.path, "format": f.format, "size": f.size} for f in facts.weights.files
            ],
        },
        "findings": [f.to_json() for f in result.findings],
        "obligations": [
            {"license": o.license, "kind": o.kind, "text": o.text, "clause": o.clause}
            for o in result.obligations
        ],
    }


def to_document(result: AuditResult) -> dict[str, Any]:
    """The report as plain JSON-compatible data."""
    from checker.findings import Verdict

    kb = load_knowledge()
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "clearance", "version": result.tool_version},
        "knowledge": {
            "version": result.knowledge_version,
            "digest": result.knowledge_digest,
            "licenses": result.knowledge_licenses,
            "developers": result.knowledge_developers,
        },
        "policy": {
            "name": result.policy.name,
            "sha256": result.policy.sha256,
            "files": list(result.policy.files),
        },
        "generated_at": result.generated_at,
        "summary": {
            "models": len(result.models),
            "pass": result.count(Verdict.PASS),
            "warn": result.count(Verdict.WARN),
            "fail": result.count(Verdict.FAIL),
            "error": result.count(Verdict.ERROR),
            "exit_code": result.exit_code,
        },
        "models": [_model(m, kb) for m in result.models],
        "findings": [f.to_json() for f in result.findings],
    }


def render_json(result: AuditResult) -> str:
    """The JSON report text (indented, keys in a fixed order, trailing newline)."""
    from checker.reporters._common import dump_json, gc_paused

    with gc_paused():
        return dump_json(to_document(result))
