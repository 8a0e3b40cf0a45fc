"""Golden files: every report format over the example audit, byte for byte.

Clock, tool version and knowledge digest are fixed so output is stable. Regenerate after a
deliberate change with ``CLEARANCE_UPDATE_GOLDEN=1 pytest tests/test_golden.py``; review the diff.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import jsonschema
import pytest
from conftest import REPO

from checker.reporters import REPORTERS
from checker.reporters.terminal import render_terminal
from checker.result import AuditResult

GOLDEN = Path(__file__).parent / "golden"


RENDERERS = {
    "examples.json": REPORTERS["json"],
    "examples.md": REPORTERS["markdown"],
    "examples.txt": lambda r: render_terminal(r, color=False, width=120),
}


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_golden(name: str, example_result: AuditResult) -> None:
    text = RENDERERS[name](example_result)
    path = GOLDEN / name
    if os.environ.get("CLEARANCE_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_json_report_matches_its_schema(example_result: AuditResult) -> None:
    schema = json.loads((REPO / "rules" / "schema" / "report.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    doc = json.loads(REPORTERS["json"](example_result))
    jsonschema.validate(doc, schema)


def test_markdown_escapes_untrusted_card_text(example_result: AuditResult) -> None:
    from checker.findings import Finding, Severity

    model = example_result.models[0]
    evil = Finding(
        "acme/x",
        Severity.WARNING,
        model.facts.model.id,
        "<script>alert(1)</script> | [x](javascript:alert(1))",
        "",
    )
    poisoned = dataclasses.replace(
        example_result, models=(dataclasses.replace(model, findings=(evil,)),)
    )
    text = REPORTERS["markdown"](poisoned)
    assert "<script>" not in text
    assert "\\<script\\>" in text and "\\|" in text and "\\[x\\]" in text
