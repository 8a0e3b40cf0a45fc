"""The texts of ``clearance scan``: the reference list, its JSON document, the summary line and
the ``--check`` / ``--write`` messages (the CLI only prints them)."""

from __future__ import annotations

import json
from typing import Any

from checker.scan.manifest import Missing
from checker.scan.model import ScanResult
from checker.version import __version__

SCHEMA_VERSION = 1


def render_text(result: ScanResult) -> str:
    """One line a reference: ``file:line: org/name[@revision] (kind)``."""
    return "".join(f"{r.file}:{r.line}: {r.display} ({r.kind})\n" for r in result.references)


def to_json(result: ScanResult) -> dict[str, Any]:
    """The JSON document (rules/schema/scan.schema.json): sorted, no clock, no dict order."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "clearance", "version": __version__},
        "summary": {
            "files_scanned": result.files_scanned,
            "references": len(result.references),
            "models": len(result.model_ids),
            "notes": len(result.notes),
        },
        "models": list(result.model_ids),
        "references": [
            {
                "model_id": r.model_id,
                "revision": r.revision,
                "file": r.file,
                "line": r.line,
                "kind": r.kind,
            }
            for r in result.references
        ],
        "notes": [{"file": n.file, "line": n.line, "message": n.message} for n in result.notes],
    }


def render_json(result: ScanResult) -> str:
    return json.dumps(to_json(result), indent=2, ensure_ascii=False) + "\n"


def summary_line(result: ScanResult) -> str:
    refs, models = len(result.references), len(result.model_ids)
    notes = f", {len(result.notes)} note(s)" if result.notes else ""
    return (
        f"clearance scan: {refs} reference(s) to {models} model(s) in "
        f"{result.files_scanned} file(s) read{notes}"
    )


def check_lines(manifest: str, gaps: list[Missing]) -> list[str]:
    """``--check``: one line per model the manifest lacks, then the verdict."""
    if not gaps:
        return [f"clearance scan: every referenced model is listed in {manifest}"]
    lines = [
        f"{m.places[0].file}:{m.places[0].line}: {m.display} is not in {manifest}"
        + (f" (also used in {len(m.places) - 1} more place(s))" if len(m.places) > 1 else "")
        for m in gaps
    ]
    lines.append(
        f"clearance scan: {len(gaps)} referenced model(s) missing from {manifest}; "
        f"add them with `clearance scan --write {manifest}`"
    )
    return lines


def write_lines(manifest: str, added: list[Missing]) -> list[str]:
    if not added:
        return [f"clearance scan: {manifest} already lists every referenced model"]
    return [f"added {m.display} to {manifest} (found in {m.where})" for m in added] + [
        f"clearance scan: added {len(added)} model(s) to {manifest}; "
        f"audit them with `clearance check {manifest}`"
    ]
