"""The JSON report written a model at a time (``write_json``, what ``clearance check`` writes)
is byte for byte the whole-document rendering (``dump_json(to_document(result))``): on the
examples (the golden file), on generated audits whose evidence holds values orjson writes
otherwise (so some parts take the standard library's encoder and others orjson), on no models."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXED_NOW, REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import KB, POLICY, model_facts

from checker.api import audit_facts
from checker.cli import main
from checker.facts import ModelFacts
from checker.findings import Evidence
from checker.reporters._common import dump_json
from checker.reporters.json_report import render_json, to_document, write_json
from checker.result import AuditResult


def _written(result: AuditResult) -> str:
    out = io.StringIO()
    parts: list[str] = []

    def write(text: str) -> None:
        parts.append(text)
        out.write(text)

    write_json(result, write)
    assert len(parts) >= len(result.models) + 4  # written in parts, not as one string
    return out.getvalue()


def test_the_example_report_is_written_alike(example_result: AuditResult) -> None:
    whole = dump_json(to_document(example_result))
    assert _written(example_result) == whole == render_json(example_result)
    assert whole == (REPO / "tests" / "golden" / "examples.json").read_text(encoding="utf-8")


def test_no_models_and_no_findings(example_result: AuditResult) -> None:
    empty = dataclasses.replace(example_result, models=(), findings=())
    assert _written(empty) == dump_json(to_document(empty))
    assert '"models": [],\n  "findings": []\n}\n' in _written(empty)


_odd = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e-3, max_value=1e-3),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(st.characters(codec=None), max_size=8),  # newlines, surrogates, controls
    st.none(),
)


@st.composite
def odd_facts(draw: st.DrawFn) -> ModelFacts:
    facts = draw(model_facts())
    developer = dataclasses.replace(
        facts.provenance.developer, evidence=(Evidence("x\ny", "/\n", draw(_odd), 3),)
    )
    return dataclasses.replace(
        facts, provenance=dataclasses.replace(facts.provenance, developer=developer)
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(odd_facts(), min_size=1, max_size=5, unique_by=lambda m: m.target))
def test_generated_audits_are_written_alike(models: list[ModelFacts]) -> None:
    result = audit_facts(models, POLICY, KB, FIXED_NOW)
    assert _written(result) == dump_json(to_document(result))


def test_the_cli_writes_the_same_text_to_a_file_and_to_stdout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)

    def run(*extra: str) -> str:
        args = ["check", "examples/models.yaml", "-p", "examples/policies/acme.yaml", "-q"]
        result = CliRunner().invoke(main, [*args, "-f", "json", *extra])
        assert result.exit_code == 1, result.output
        return result.stdout

    stdout = run()
    run("-o", str(tmp_path / "r.json"))
    written = (tmp_path / "r.json").read_text(encoding="utf-8")
    drop = [line for line in written.splitlines() if '"generated_at"' not in line]
    assert drop == [line for line in stdout.splitlines() if '"generated_at"' not in line]
    assert written.endswith("}\n") and stdout.endswith("}\n")
