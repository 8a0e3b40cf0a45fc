"""The NOTICE file: adopted models only, obligations grouped by licence, deterministic.

Regenerate the golden file after a deliberate change with
``CLEARANCE_UPDATE_GOLDEN=1 pytest tests/test_report_notice.py`` and review the diff.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from checker.facts import Ancestor
from checker.facts.binding import bind
from checker.findings import Verdict
from checker.knowledge import Knowledge
from checker.reporters.notice import render_notice
from checker.result import AuditResult, ModelResult

GOLDEN = Path(__file__).parent / "golden" / "examples.NOTICE.txt"
LLAMA = "LicenseRef-scancode-llama-3.1-license-2024"


def _model(result: AuditResult, model_id: str) -> ModelResult:
    return next(m for m in result.models if m.facts.model.id == model_id)


def test_golden(example_result: AuditResult) -> None:
    text = render_notice(example_result)
    if os.environ.get("CLEARANCE_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_only_adopted_models_are_listed(example_result: AuditResult) -> None:
    text = render_notice(example_result)
    adopted = [m for m in example_result.models if m.verdict in (Verdict.PASS, Verdict.WARN)]
    rejected = [m for m in example_result.models if m not in adopted]
    assert adopted and rejected
    for m in adopted:
        assert f"  - {m.facts.model.id}\n" in text
    for m in rejected:
        assert m.facts.model.id not in text
    # licences only failing models use are absent too
    assert "CC-BY-NC-4.0" not in text and "DEEPSEEK" not in text.upper()


def test_a_shared_licence_is_listed_once_with_its_models(
    example_result: AuditResult, kb: Knowledge
) -> None:
    text = render_notice(example_result)
    assert text.count(f"Licence id:   {LLAMA}\n") == 1
    block = text.split(f"Licence id:   {LLAMA}\n", 1)[1].split("=" * 78, 1)[0]
    assert "  - bartowski/Meta-Llama-3.1-8B-Instruct-GGUF\n" in block
    assert "  - meta-llama/Llama-3.1-8B-Instruct\n" in block
    entry = kb.license(LLAMA)
    assert entry is not None
    for ob in entry.obligations:  # every obligation once, although two models carry it
        first_words = " ".join(ob.text.split()[:6])
        assert text.count(first_words) == 1, first_words


def test_llama_duties(example_result: AuditResult, kb: Knowledge) -> None:
    text = render_notice(example_result)
    verbatim = (
        "    Llama 3.1 is licensed under the Llama 3.1 Community License, Copyright © Meta "
        "Platforms, Inc. All Rights Reserved.\n"
    )
    assert verbatim in text  # the notice text, verbatim on one line
    assert "Attribution (display prominently):\n    Built with Llama\n" in text
    assert 'must begin with\n    "Llama".' in text
    entry = kb.license(LLAMA)
    assert entry is not None
    assert f"Licence text: {entry.urls[0]}\n" in text
    assert f"licence text is at:\n    {entry.urls[0]}\n" in text
    assert "Acceptable use policy (flow down to your users and recipients):\n" in text
    assert "    https://llama.meta.com/llama3_1/use-policy\n" in text


def test_every_adopted_licence_asks_for_a_copy_with_its_url(
    example_result: AuditResult, kb: Knowledge
) -> None:
    text = render_notice(example_result)
    ids = {
        i
        for m in example_result.models
        if m.verdict in (Verdict.PASS, Verdict.WARN)
        for i in m.facts.license.ids
    }
    assert ids == {"Apache-2.0", "MIT", LLAMA}
    assert text.count("Copy of the licence:\n") == len(ids)
    for license_id in ids:
        entry = kb.license(license_id)
        assert entry is not None
        assert f"Ship a copy of the {entry.name}" in text
        assert f"    {entry.urls[0]}\n" in text


def test_order_of_models_does_not_matter(example_result: AuditResult) -> None:
    shuffled = dataclasses.replace(example_result, models=tuple(reversed(example_result.models)))
    assert render_notice(shuffled) == render_notice(example_result)


def test_compound_licence_lists_the_model_under_each(
    example_result: AuditResult, kb: Knowledge
) -> None:
    phi = _model(example_result, "microsoft/Phi-3-mini-4k-instruct")
    apache, mit = kb.license("Apache-2.0"), kb.license("MIT")
    assert apache is not None and mit is not None
    lic = dataclasses.replace(
        phi.facts.license,
        ids=("Apache-2.0", "MIT"),
        entries=(apache, mit),
        expression="Apache-2.0 OR MIT",
    )
    facts = bind(dataclasses.replace(phi.facts, license=lic, binding=None), kb)
    dual = dataclasses.replace(phi, facts=facts)
    result = dataclasses.replace(example_result, models=(dual,))
    text = render_notice(result)
    assert text.count("  - microsoft/Phi-3-mini-4k-instruct (licensed Apache-2.0 OR MIT)\n") == 2
    assert text.count("Licence id:   ") == 2


def test_inherited_licence_is_listed_with_its_origin(
    example_result: AuditResult, kb: Knowledge
) -> None:
    phi = _model(example_result, "microsoft/Phi-3-mini-4k-instruct")
    base = Ancestor("meta-llama/Llama-3.1-8B-Instruct", "finetune", 1, (LLAMA,), "US", "Meta")
    facts = bind(dataclasses.replace(phi.facts, lineage=(base,), binding=None), kb)
    child = dataclasses.replace(phi, facts=facts)
    text = render_notice(dataclasses.replace(example_result, models=(child,)))
    assert text.count("Licence id:   ") == 2
    llama = text.split(f"Licence id:   {LLAMA}\n", 1)[1].split("=" * 78, 1)[0]
    assert (
        "  - microsoft/Phi-3-mini-4k-instruct (inherited from meta-llama/Llama-3.1-8B-Instruct,"
        " finetune)\n" in llama
    )
    assert "Built with Llama" in llama


def test_unknown_licence_id_is_flagged(example_result: AuditResult) -> None:
    phi = _model(example_result, "microsoft/Phi-3-mini-4k-instruct")
    lic = dataclasses.replace(
        phi.facts.license, ids=("LicenseRef-acme-private",), entries=(), expression=None
    )
    unbound = dataclasses.replace(phi.facts, license=lic, binding=(), obligations=())
    model = dataclasses.replace(phi, facts=unbound)
    text = render_notice(dataclasses.replace(example_result, models=(model,)))
    assert "Licence id:   LicenseRef-acme-private\n" in text
    assert "not in Clearance's knowledge base" in text
    assert "ship the licence text from the model's repository" in text


def test_adopted_model_without_a_known_licence(example_result: AuditResult) -> None:
    unlabelled = _model(example_result, "local/unlabelled-classifier")
    assert not unlabelled.facts.license.ids
    result = dataclasses.replace(
        example_result, models=(dataclasses.replace(unlabelled, verdict=Verdict.WARN),)
    )
    text = render_notice(result)
    assert "Adopted models with no known licence\n" in text
    assert "  - local/unlabelled-classifier\n" in text
    assert "Licence id:" not in text


def test_nothing_adopted(example_result: AuditResult) -> None:
    failed = tuple(dataclasses.replace(m, verdict=Verdict.FAIL) for m in example_result.models)
    text = render_notice(dataclasses.replace(example_result, models=failed))
    assert "No model was adopted; nothing to attribute.\n" in text
    assert "listed: 0 of 10 (10 not adopted)." in " ".join(text.split())
    assert text.endswith("Read each licence in full.\n")
