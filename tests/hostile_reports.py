"""Audit results with hostile text in every field a person-facing report shows, and with edge
facts (nothing known, a model that could not be read, no models), for the report tests."""

from __future__ import annotations

import dataclasses

from checker.facts import Ancestor, DeclaredLicense, ModelFacts
from checker.facts.model import ModelIdentity
from checker.findings import Evidence, Finding, Severity, Verdict
from checker.result import AuditResult, ModelResult

LONG = "x" * 10_000
HOSTILE = (
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "<!--",
    "<details open>",
    "]]>",
    "\u202eevil\u202c override",
    "\x1b[31mred\x1b[0m\x07\x08\x00 bell",
    "[x](javascript:alert(1)) ![i](http://evil.example/i.png)",
    "https://evil.example/x www.evil.example a@b.example @someone",
    "`tick` ``two`` | pipe *em* _u_ ~~s~~ $x$ &lt;b&gt; &amp;",
    "<svg onload=alert(1)><iframe src=x></iframe>",
    "line one\n\n<b>two</b>\n# heading",
    LONG,
)


def _hostile_model(model: ModelResult, text: str, index: int) -> ModelResult:
    facts = model.facts
    assert facts.license.declared and facts.provenance.developer
    declared = facts.license.declared[0]
    evil_declared = DeclaredLicense(
        text, declared.declared_by, dataclasses.replace(declared.evidence, value=text)
    )
    evil_facts = dataclasses.replace(
        facts,
        target=text,
        model=dataclasses.replace(facts.model, id=f"evil{index}/{text}"),
        license=dataclasses.replace(facts.license, declared=(evil_declared,)),
        provenance=dataclasses.replace(
            facts.provenance,
            developer=dataclasses.replace(facts.provenance.developer, name=text),
        ),
        lineage=(*facts.lineage, Ancestor(f"evil/{text}", "merge", 2, (text,), text, text)),
    )
    evil = Finding(
        "acme/x",
        Severity.ERROR,
        evil_facts.model.id,
        text,
        f"Run `{text}` and {text}",
        (Evidence(text, text, [text, {"k": text}], 3),),
    )
    return dataclasses.replace(
        model, facts=evil_facts, verdict=Verdict.FAIL, findings=(evil, *model.findings)
    )


def hostile_result(example: AuditResult, texts: tuple[str, ...] = HOSTILE) -> AuditResult:
    """One model per hostile text (id, folder, developer, declared licence, lineage, a finding's
    message and help and evidence), a model that could not be read, and a policy finding."""
    base = example.models[0]
    models = [_hostile_model(base, text, i) for i, text in enumerate(texts)]
    unreadable = ModelResult(
        ModelFacts(HOSTILE[0], ModelIdentity(f"broken/{HOSTILE[1]}"), error=HOSTILE[5]),
        Verdict.ERROR,
        (),
    )
    policy_finding = Finding(
        "waiver/unused", Severity.WARNING, "", HOSTILE[2], HOSTILE[3], waived_by=HOSTILE[4]
    )
    return dataclasses.replace(
        example, models=(*models, unreadable, *example.models), findings=(policy_finding,)
    )


def many(example: AuditResult, copies: int) -> AuditResult:
    """The example audit ``copies`` times over, under distinct model ids (``...-3``)."""
    models = tuple(
        dataclasses.replace(
            m,
            facts=dataclasses.replace(
                m.facts, model=dataclasses.replace(m.facts.model, id=f"{m.facts.model.id}-{i}")
            ),
        )
        for i in range(copies)
        for m in example.models
    )
    return dataclasses.replace(example, models=models)


def edge_results(example: AuditResult) -> dict[str, AuditResult]:
    """Results whose facts are mostly unknown: empty models, an unreadable one, no models."""
    bare = ModelResult(ModelFacts("bare", ModelIdentity("local/bare")), Verdict.FAIL, ())
    unread = ModelResult(
        ModelFacts("gone", ModelIdentity("local/gone"), error="no such folder"), Verdict.ERROR, ()
    )
    finding = Finding("license/unknown", Severity.ERROR, "local/bare", "no licence", "")
    return {
        "bare": dataclasses.replace(
            example, models=(dataclasses.replace(bare, findings=(finding,)), unread), findings=()
        ),
        "empty": dataclasses.replace(example, models=(), findings=()),
        "one-pass": dataclasses.replace(example, models=example.models[3:4], findings=()),
    }
