"""Hypothesis properties where there is an algebra: order independence, waivers, expressions."""

from __future__ import annotations

import dataclasses
import datetime as dt

from conftest import EXAMPLES, FIXED_NOW
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.api import audit_facts
from checker.facts import (
    Ancestor,
    CardFacts,
    Developer,
    LicenseFacts,
    ModelFacts,
    ModelIdentity,
    ProvenanceFacts,
    WeightFacts,
    WeightFile,
)
from checker.findings import Evidence, Severity, Verdict
from checker.knowledge import load_knowledge
from checker.licensing import satisfied
from checker.policy.model import Policy, Waiver

KB = load_knowledge()
KEYS = sorted(e.key for e in KB.licenses)
ORGS = ["meta-llama", "Qwen", "deepseek-ai", "google", "some-unknown", "bartowski", "microsoft"]
EV = Evidence("test", "/", None)


@st.composite
def model_facts(draw: st.DrawFn) -> ModelFacts:
    org = draw(st.sampled_from(ORGS))
    name = draw(st.text("abcdefgh", min_size=1, max_size=6))
    keys = draw(st.lists(st.sampled_from(KEYS), max_size=2, unique=True))
    entries = tuple(e for e in KB.licenses if e.key in keys)
    dev = KB.developer(org)
    ancestors = tuple(
        Ancestor(
            f"{o}/base",
            draw(st.sampled_from(["finetune", "merge", "adapter", "quantized"])),
            1,
            (),
            KB.developer(o).country if KB.developer(o) else None,
        )  # type: ignore[union-attr]
        for o in draw(st.lists(st.sampled_from(ORGS), max_size=2, unique=True))
    )
    formats = draw(st.lists(st.sampled_from(["safetensors", "pickle", "gguf"]), max_size=2))
    return ModelFacts(
        target=f"{org}/{name}",
        model=ModelIdentity(
            f"{org}/{name}",
            pipeline_tag=draw(st.sampled_from([None, "text-generation", "image-text-to-text"])),
        ),
        card=CardFacts(present=True, metadata={"license": keys[0]} if keys else {}),
        license=LicenseFacts(
            ids=tuple(sorted(e.id for e in entries)),
            expression=" AND ".join(e.id for e in entries) or None,
            entries=entries,
        ),
        provenance=ProvenanceFacts(
            Developer(org, dev.name if dev else None, dev.country if dev else None, None, (EV,)),
            tuple(
                sorted(
                    {
                        c
                        for c in [dev.country if dev else None, *(a.country for a in ancestors)]
                        if c
                    }
                )
            ),
        ),
        lineage=ancestors,
        weights=WeightFacts(
            availability=draw(st.sampled_from(["open", "gated-manual", "unknown"])),
            files=tuple(WeightFile(f"w{i}", f, 1, EV) for i, f in enumerate(formats)),
            remote_code=draw(st.sampled_from([True, False, None])),
        ),
    )


def policy() -> Policy:
    from checker.policy import load_policy

    return load_policy(EXAMPLES / "policies" / "acme.yaml", KB)


POLICY = policy()
waivers = st.lists(
    st.builds(
        Waiver,
        id=st.text("WXYZ0123", min_size=1, max_size=4),
        rule=st.sampled_from(
            [
                "license/not-allowed",
                "provenance/denied-jurisdiction",
                "weights/unsafe-format",
                "use/territory",
                "license/unknown",
            ]
        ),
        model=st.sampled_from(["*", "Qwen/*", "deepseek-ai/*", "google/a*", "nobody/*"]),
        reason=st.just("r"),
        approved_by=st.just("a"),
        expires=st.one_of(st.none(), st.dates(dt.date(2026, 1, 1), dt.date(2028, 1, 1))),
        file=st.just("p.yaml"),
        line=st.just(1),
    ),
    max_size=4,
    unique_by=lambda w: w.id,
)


def _outcome(models: list[ModelFacts], pol: Policy) -> dict[str, tuple[str, tuple[object, ...]]]:
    result = audit_facts(models, pol, KB, FIXED_NOW)
    return {m.facts.target: (m.verdict.value, m.findings) for m in result.models}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(model_facts(), min_size=1, max_size=6, unique_by=lambda m: m.target), st.randoms())
def test_results_do_not_depend_on_input_order(models: list[ModelFacts], rnd: object) -> None:
    shuffled = list(models)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    first = audit_facts(models, POLICY, KB, FIXED_NOW)
    second = audit_facts(shuffled, POLICY, KB, FIXED_NOW)
    assert first == second


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(model_facts(), min_size=1, max_size=5, unique_by=lambda m: m.target), waivers)
def test_waivers_never_add_failures(models: list[ModelFacts], extra: list[Waiver]) -> None:
    bare = dataclasses.replace(POLICY, waivers=())
    waived = dataclasses.replace(POLICY, waivers=tuple(extra))
    before = audit_facts(models, bare, KB, FIXED_NOW)
    after = audit_facts(models, waived, KB, FIXED_NOW)
    rank = {Verdict.PASS: 0, Verdict.WARN: 1, Verdict.FAIL: 2, Verdict.ERROR: 3}
    for b, a in zip(before.models, after.models, strict=True):
        assert rank[a.verdict] <= rank[b.verdict]
        # Waivers never delete a finding: same findings, some marked.
        assert [dataclasses.replace(f, waived_by=None) for f in a.findings] == list(b.findings)
        unwaived_after = [f for f in a.findings if f.waived_by is None]
        assert len(unwaived_after) <= len(b.findings)
    # The only new findings a waiver brings are about the waiver itself.
    assert {f.rule for f in after.findings} <= {"waiver/expired", "waiver/unused"}


ids = st.sampled_from(["MIT", "Apache-2.0", "GPL-3.0-only", "CC-BY-NC-4.0"])


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 2 or draw(st.booleans()):
        return draw(ids)
    op = draw(st.sampled_from([" AND ", " OR "]))
    return "(" + draw(expressions(depth + 1)) + op + draw(expressions(depth + 1)) + ")"


@given(expressions(), st.sets(ids))
def test_expression_semantics(expression: str, accepted: set[str]) -> None:
    result = satisfied(expression, lambda i: i in accepted)
    # Accepting everything accepts; accepting nothing rejects; more accepted never hurts.
    assert satisfied(expression, lambda i: True) is True
    assert satisfied(expression, lambda i: False) is False
    if result:
        assert satisfied(expression, lambda i: i in accepted | {"MIT"}) is True


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=300))
def test_card_reader_never_raises(data: bytes) -> None:
    from checker.card import parse_card

    card = parse_card(b"---\n" + data + b"\n---\n")
    assert isinstance(card.metadata, dict)


def test_severity_order() -> None:
    assert Severity.ERROR.rank > Severity.WARNING.rank > Severity.NOTE.rank


@given(expressions())
def test_every_alternative_satisfies_the_expression(expression: str) -> None:
    from checker.licensing import alternatives

    choices = alternatives(expression)
    assert choices
    for choice in choices:
        assert satisfied(expression, lambda i, c=choice: i in c) is True  # type: ignore[misc]


@given(
    st.one_of(
        st.text("AaNnDdOoRrWwIiTtHhMm0129.+-", min_size=1, max_size=12),
        st.sampled_from(
            ["AND", "or", "With", "GPL-2.0+", "+", "-", ".", *(e.id for e in KB.licenses)]
        ),
    )
)
def test_a_plain_id_is_read_as_license_expression_reads_it(text: str) -> None:
    # satisfied/alternatives skip the parser for plain ids: the answers must be the parser's.
    from checker import licensing

    assert licensing.is_plain_id(text)
    parsed = licensing._parse(text)  # None: refused (a bare operator word), the text is the id
    keys = {text} if parsed is None else {str(parsed.key)}
    assert keys == {text}
    assert licensing.alternatives(text) == [frozenset(keys)]
    assert satisfied(text, lambda i: i in keys) is True
    assert satisfied(text, lambda i: i not in keys) is False
