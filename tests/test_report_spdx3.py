"""SPDX 3.0.1 AI-profile report: golden file, read back with spdx-python-model's deserialiser,
written again (the library's writer checks every required property), and the AI fields.

No PyPI package ships the SPDX 3.0.1 JSON schema (spdx3-validate fetches it from spdx.org at
run time), so the library's checks are the validation. Regenerate the golden file after a
deliberate change with ``CLEARANCE_UPDATE_GOLDEN=1 pytest tests/test_report_spdx3.py``.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES

from checker.cli import main
from checker.facts import ModelIdentity
from checker.reporters import REPORTERS
from checker.reporters.spdx3 import render_spdx3
from checker.result import AuditResult

GOLDEN = Path(__file__).parent / "golden" / "examples.spdx3.json"


def _load(text: str) -> tuple[Any, Any]:
    from spdx_python_model import load_data

    model, objects = load_data(json.loads(text))
    assert objects.missing_ids == set(), "every reference resolves inside the document"
    return model, objects


def _packages(text: str) -> dict[str, Any]:
    model, objects = _load(text)
    return {p.name: p for p in objects.foreach_type(model.ai_AIPackage)}


def _relations(text: str) -> list[tuple[str, str, str]]:
    model, objects = _load(text)
    return sorted(
        (r.from_.name or r.from_.spdxId, str(r.relationshipType).rsplit("/", 1)[-1], t.spdxId)
        for r in objects.foreach_type(model.Relationship)
        for t in r.to
    )


@pytest.fixture(scope="module")
def text(example_result: AuditResult) -> str:
    return render_spdx3(example_result)


def test_golden(text: str) -> None:
    if os.environ.get("CLEARANCE_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_deterministic_and_registered(example_result: AuditResult, text: str) -> None:
    assert REPORTERS["spdx3"](example_result) == text


def test_reads_back_and_writes_again_unchanged(text: str) -> None:
    model, objects = _load(text)
    again = model.JSONLDSerializer().serialize_data(objects)
    assert json.loads(json.dumps(again)) == json.loads(text)
    (doc,) = objects.foreach_type(model.SpdxDocument)
    assert {str(p).rsplit("/", 1)[-1] for p in doc.profileConformance} >= {"core", "ai"}
    assert doc.creationInfo.specVersion == "3.0.1"
    assert doc.dataLicense.simplelicensing_licenseExpression == "CC0-1.0"
    roots = {e.name for e in doc.rootElement}
    assert len(roots) == 10 and "CohereForAI/aya-23-8B" in roots


def test_every_model_is_an_ai_package(example_result: AuditResult, text: str) -> None:
    packages = _packages(text)
    audited = {m.facts.model.id for m in example_result.models}
    assert audited <= set(packages)
    ancestors = set(packages) - audited
    assert "deepseek-ai/DeepSeek-R1" in ancestors  # r1-1776's base, not audited itself
    for pkg in packages.values():
        assert str(pkg.software_primaryPurpose).endswith("/model")
        # not known from any fact: left out rather than guessed
        assert pkg.ai_autonomyType is None
        assert list(pkg.ai_typeOfModel) == [] and list(pkg.ai_standardCompliance) == []


def test_ai_fields_from_the_facts(text: str) -> None:
    packages = _packages(text)
    llama = packages["meta-llama/Llama-3.1-8B-Instruct"]
    assert list(llama.ai_domain) == ["natural language processing"]
    assert "700,000,000 monthly active users" in llama.ai_limitation
    assert "prohibited uses:" in llama.ai_limitation and "military" in llama.ai_limitation
    aya = packages["CohereForAI/aya-23-8B"]
    assert "commercial use is forbidden" in aya.ai_limitation
    assert aya.suppliedBy.name
    assert packages["google-bert/bert-base-uncased"].ai_limitation is None  # Apache: none
    assert packages["local/unlabelled-classifier"].ai_limitation is None  # terms unknown
    hunyuan = packages["tencent/Hunyuan-A13B-Instruct"]
    assert "not licensed in:" in hunyuan.ai_limitation and "EU" in hunyuan.ai_limitation


def test_licences_declared_and_concluded(text: str) -> None:
    model, objects = _load(text)
    by_from: dict[tuple[str, str], list[str]] = {}
    for rel in objects.foreach_type(model.Relationship):
        kind = str(rel.relationshipType).rsplit("/", 1)[-1]
        for target in rel.to:
            if isinstance(target, model.simplelicensing_LicenseExpression):
                expr = target.simplelicensing_licenseExpression
                by_from.setdefault((rel.from_.name, kind), []).append(expr)
    assert by_from[("CohereForAI/aya-23-8B", "hasDeclaredLicense")] == ["CC-BY-NC-4.0"]
    assert by_from[("CohereForAI/aya-23-8B", "hasConcludedLicense")] == ["CC-BY-NC-4.0"]
    # unresolved declaration: no licence asserted at all
    assert not any(name == "local/unlabelled-classifier" for name, _ in by_from)
    refs = {
        e.key: e.value
        for lic in objects.foreach_type(model.simplelicensing_LicenseExpression)
        for e in lic.simplelicensing_customIdToUri
    }
    assert refs["LicenseRef-scancode-llama-3.1-license-2024"].startswith("https://")


def test_lineage_relationships(text: str) -> None:
    packages = _packages(text)
    relations = _relations(text)
    r1 = packages["deepseek-ai/DeepSeek-R1"].spdxId
    assert ("perplexity-ai/r1-1776", "descendantOf", r1) in relations
    llama = packages["meta-llama/Llama-3.1-8B-Instruct"].spdxId
    gguf = packages["bartowski/Meta-Llama-3.1-8B-Instruct-GGUF"].spdxId
    assert ("bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", "descendantOf", llama) in relations
    assert ("meta-llama/Llama-3.1-8B-Instruct", "generates", gguf) in relations  # quantized


def test_hub_model_has_revision_and_purl(example_result: AuditResult) -> None:
    model = example_result.models[0]
    rev = "0123456789abcdef0123456789abcdef01234567"
    ident = dataclasses.replace(
        model.facts.model,
        revision=rev,
        source="hub",
        purl=f"pkg:huggingface/{model.facts.model.id}@{rev}",
        download_location=f"https://huggingface.co/{model.facts.model.id}/tree/{rev}",
    )
    assert isinstance(ident, ModelIdentity)
    hub = dataclasses.replace(model, facts=dataclasses.replace(model.facts, model=ident))
    (pkg,) = [
        p
        for p in _packages(
            render_spdx3(dataclasses.replace(example_result, models=(hub,)))
        ).values()
        if p.name == model.facts.model.id
    ]
    assert pkg.software_packageVersion == rev
    assert pkg.software_packageUrl == ident.purl
    assert pkg.software_downloadLocation == ident.download_location


def test_hostile_model_id_round_trips(example_result: AuditResult) -> None:
    model = example_result.models[0]
    evil = "evil/</script><img src=x onerror=alert(1)>\u202e\x07" + "x" * 2000
    ident = dataclasses.replace(model.facts.model, id=evil)
    bad = dataclasses.replace(model, facts=dataclasses.replace(model.facts, model=ident))
    text = render_spdx3(dataclasses.replace(example_result, models=(bad,)))
    assert evil in _packages(text)


def test_cli_infers_spdx3_from_the_file_name(tmp_path: Path) -> None:
    out = tmp_path / "audit.spdx3.json"
    folder = str(EXAMPLES / "models" / "gpt2")
    done = CliRunner().invoke(main, ["check", folder, "--id", "openai-community/gpt2", "-q",
                                     "-o", str(out)])  # fmt: skip
    assert done.exit_code == 0, done.output  # gpt2 passes the built-in baseline
    assert list(_packages(out.read_text(encoding="utf-8"))) == ["openai-community/gpt2"]
