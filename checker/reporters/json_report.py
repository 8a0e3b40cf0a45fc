"""The canonical JSON report, schema_version 1 (rules/schema/report.schema.json).

Every other format is a view of ``to_document``'s output; it is deterministic (sorted findings,
no set or dict-order leaks) given the same facts, policy and clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from checker.facts.projection import project
from checker.policy.model import Policy
from checker.result import AuditResult, ModelResult

SCHEMA_VERSION = 1


def _model(result: ModelResult) -> dict[str, Any]:
    facts = result.facts
    projected = project(facts)
    return {
        "target": facts.target,
        "id": facts.model.id,
        "revision": facts.model.revision,
        "source": facts.model.source,
        "verdict": result.verdict.value,
        "error": facts.error,
        **projected,
        "findings": [f.to_json() for f in result.findings],
        "obligations": [
            {"license": o.license, "kind": o.kind, "text": o.text, "clause": o.clause}
            for o in result.obligations
        ],
    }


def use_block(policy: Policy) -> dict[str, Any]:
    """The intended use: each key's value (null when unstated) and where it came from (a
    policy file and line, ``command line`` or ``default``)."""
    out: dict[str, Any] = {}
    for item in policy.use_record():
        entry: dict[str, Any] = {"value": item.value, "source": item.source}
        if item.line is not None:
            entry["line"] = item.line
        out[item.key] = entry
    return out


def _policy(policy: Policy) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": policy.name,
        "sha256": policy.sha256,
        "files_sha256": policy.files_sha256 or policy.sha256,
        "files": list(policy.files),
        "overrides": list(policy.overrides),
    }
    return out


def _baseline(result: AuditResult) -> dict[str, Any]:
    """The ``baseline`` block (only with --baseline/--baseline-ref)."""
    b = result.baseline
    if b is None:
        return {}
    block = {"source": b.source, "new": b.new, "known": b.known, "notes": list(b.notes)}
    return {"baseline": block}


def to_document(result: AuditResult) -> dict[str, Any]:
    """The report as plain JSON-compatible data."""
    return {
        **_head(result),
        "models": [_model(m) for m in result.models],
        "findings": [f.to_json() for f in result.findings],
    }


def _head(result: AuditResult) -> dict[str, Any]:
    """Every top-level key before ``models`` and ``findings`` (the two lists a report grows by)."""
    from checker.findings import Verdict

    return {
        "schema_version": SCHEMA_VERSION,
        **_baseline(result),
        "tool": {"name": "clearance", "version": result.tool_version},
        "knowledge": {
            "version": result.knowledge_version,
            "digest": result.knowledge_digest,
            "licenses": result.knowledge_licenses,
            "developers": result.knowledge_developers,
        },
        "policy": _policy(result.policy),
        "use": use_block(result.policy),
        "generated_at": result.generated_at,
        "summary": {
            "models": len(result.models),
            "pass": result.count(Verdict.PASS),
            "warn": result.count(Verdict.WARN),
            "fail": result.count(Verdict.FAIL),
            "error": result.count(Verdict.ERROR),
            "exit_code": result.exit_code,
        },
    }


def render_json(result: AuditResult) -> str:
    """The JSON report text (indented, keys in a fixed order, trailing newline)."""
    from checker.reporters._common import dump_json, gc_paused

    with gc_paused():
        return dump_json(to_document(result))


def write_json(result: AuditResult, write: Callable[[str], object]) -> None:
    """Write ``render_json``'s text through ``write`` a part at a time: the top-level keys, then
    one model (and one policy-level finding) at a time, so a report of 100,000 models is never
    held whole, as a document or as a string. The text is byte for byte ``render_json``'s."""
    from checker.reporters._common import gc_paused

    with gc_paused():
        for part in iter_json(result):
            write(part)


def iter_json(result: AuditResult) -> Iterator[str]:
    """The parts ``write_json`` writes, in order."""
    from checker.reporters._common import dump_json

    head = dump_json(_head(result))
    yield head[: -len("\n}\n")]  # the head document without its closing brace
    yield from _list("models", (_model(m) for m in result.models))
    yield from _list("findings", (f.to_json() for f in result.findings))
    yield "\n}\n"


def _list(key: str, items: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A top-level key holding a list of objects, each encoded alone and indented two levels
    (``dump_json`` escapes newlines inside strings, so every newline is the layout's)."""
    from checker.reporters._common import dump_json

    yield f',\n  "{key}": ['
    empty = True
    for item in items:
        yield ("\n    " if empty else ",\n    ") + dump_json(item)[:-1].replace("\n", "\n    ")
        empty = False
    yield "]" if empty else "\n  ]"
