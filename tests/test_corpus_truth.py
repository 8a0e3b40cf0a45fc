"""Right on real models: every card of ../shared/corpus/cards audited offline, against the truth
table tests/corpus_truth.yaml written by reading each card (skipped when the corpus is absent).

The scoring is benchmarks/bench_corpus_cards.py's (one definition of "right"); this test holds
the targets: at least 65 of the 68 licences right and none wrong, jurisdictions never wrong, no
pass on an unknown licence, and every card with a PRC lineage caught by a PRC-denying policy.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from conftest import CORPUS, REPO, corpus_dir, load_benchmark

TRUTH = REPO / "tests" / "corpus_truth.yaml"


def _bench() -> ModuleType:
    return load_benchmark("bench_corpus_cards")


@pytest.fixture(scope="module")
def scored() -> list[tuple[str, str, str, str, bool]]:
    corpus_dir()
    bench = _bench()
    truth = bench.load_truth(TRUTH)
    cards = sorted(p for p in (CORPUS / "cards").glob("*.md") if p.name in truth)
    answers, kb = bench.audit_cards(cards, truth, together=False, sidecars=False)
    out = []
    for card in cards:
        t: dict[str, Any] = truth[card.name]
        a = answers[card.name]
        lic = bench.score_license(t, a, kb)
        out.append(
            (
                card.name,
                lic,
                bench.score_jurisdictions(t, a),
                bench.score_prc(t, a),
                bench.pass_on_unknown(t, a, lic),
            )
        )
    return out


def test_every_corpus_card_is_in_the_truth_table() -> None:
    corpus_dir()
    truth = _bench().load_truth(TRUTH)
    assert {p.name for p in (CORPUS / "cards").glob("*.md")} == set(truth)


def test_licences_right_on_real_cards(scored: list[tuple[str, str, str, str, bool]]) -> None:
    wrong = [name for name, lic, *_ in scored if lic in ("WRONG", "ERROR")]
    right = sum(1 for _, lic, *_ in scored if lic == "right")
    assert wrong == [], "never a confidently wrong licence"
    assert right >= 65, f"{right} of {len(scored)} right"


def test_jurisdictions_never_wrong(scored: list[tuple[str, str, str, str, bool]]) -> None:
    assert [name for name, _, jur, *_ in scored if jur == "WRONG"] == []
    assert sum(1 for _, _, jur, *_ in scored if jur == "right") >= 64


def test_prc_lineage_is_always_caught(scored: list[tuple[str, str, str, str, bool]]) -> None:
    assert [
        name for name, _, _, prc, _ in scored if prc.startswith("MISSED") or prc == "FALSE"
    ] == []


def test_never_a_pass_on_an_unknown_licence(scored: list[tuple[str, str, str, str, bool]]) -> None:
    assert [card for card, *_, silent in scored if silent] == []
