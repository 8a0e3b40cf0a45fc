"""The phrase index of checker/identify.py gives exactly the answers of scoring every entry.

``identify`` scores only the entries whose anchor word (the rarest word of their ``all``
phrases) and other required words occur in a text; ``identify_exhaustive`` scores them all.
They must agree on the real corpus, on fragments of it, and on synthetic knowledge bases built
to make words collide.
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

from conftest import corpus_dir
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.identify import (
    Identification,
    _build_index,
    _candidates,
    _index,
    fold,
    identify,
    identify_exhaustive,
)
from checker.knowledge import Document, Identify, Knowledge, LicenseEntry


def _answers(found: list[Identification]) -> list[tuple[str, str, float, tuple[str, ...]]]:
    return [(h.key, h.kind, h.confidence, h.matched) for h in found]


def _licence_texts() -> list[Path]:
    return sorted(corpus_dir().glob("licenses/*.txt"))


def _same(text: str, kb: Knowledge) -> None:
    assert _answers(identify(text, kb)) == _answers(identify_exhaustive(text, kb))


def test_corpus_texts_and_fragments_agree(kb: Knowledge) -> None:
    rnd = random.Random(5)
    folder = corpus_dir()
    paths = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".txt", ".md"))
    assert paths
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        _same(text, kb)
        words = text.split()
        for _ in range(3):
            start = rnd.randrange(max(1, len(words)))
            _same(" ".join(words[start : start + rnd.randrange(3, 600)]), kb)
    together = " ".join(p.read_text(encoding="utf-8", errors="replace") for p in paths[:8])
    _same(together, kb)


def test_candidates_are_few(kb: Knowledge) -> None:
    index = _index(kb)
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in _licence_texts()]
    counts = [len(_candidates(index, fold(t))) for t in texts]
    assert max(counts) < len(index.entries) // 4, counts


def test_the_index_is_built_once_per_knowledge_base(kb: Knowledge) -> None:
    assert _index(kb) is _index(kb)
    other = dataclasses.replace(kb, licenses=kb.licenses[:10])
    assert _index(other) is not _index(kb)
    assert len(_index(other).entries) < len(_index(kb).entries)


# ---- synthetic knowledge bases: a small vocabulary, so that words and phrases collide

VOCAB = ["alpha", "beta", "gamma", "delta", "model", "license", "use", "the", "of", "x1"]
_phrase = st.lists(st.sampled_from(VOCAB), min_size=1, max_size=3).map(" ".join)
_odd = st.sampled_from(["--", "<b>!</b>", "Alpha-Beta", "\u201cgamma\u201d", "USE\u00a0the"])


def _licence(template: LicenseEntry, n: int, ident: Identify) -> LicenseEntry:
    return dataclasses.replace(
        template, key=f"synthetic-{n}", id=f"LicenseRef-synthetic-{n}", identify=ident
    )


@st.composite
def _knowledge(draw: st.DrawFn, template: Knowledge) -> Knowledge:
    phrases = st.one_of(_phrase, _odd)
    idents = st.builds(
        Identify,
        st.lists(phrases, min_size=1, max_size=3).map(tuple),
        st.lists(phrases, max_size=2).map(tuple),
        st.lists(phrases, max_size=2).map(tuple),
        st.booleans(),
    )
    licences = [
        _licence(template.licenses[0], n, ident)
        for n, ident in enumerate(draw(st.lists(idents, min_size=1, max_size=12)))
    ]
    documents = [
        Document(f"doc-{n}", kind, of, f"Doc {n}", ident, "rules/documents/x.yaml")
        for n, (kind, of, ident) in enumerate(
            draw(
                st.lists(
                    st.tuples(
                        st.sampled_from(["aup", "notice", "usage-policy"]),
                        st.sampled_from([None, "synthetic-0", "synthetic-1"]),
                        idents,
                    ),
                    max_size=4,
                )
            )
        )
    ]
    return dataclasses.replace(template, licenses=tuple(licences), documents=tuple(documents))


_texts = st.lists(st.one_of(st.sampled_from(VOCAB), _odd), max_size=40).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_synthetic_knowledge_bases_agree(kb: Knowledge, data: st.DataObject) -> None:
    synthetic = data.draw(_knowledge(kb))
    for _ in range(5):
        _same(data.draw(_texts), synthetic)


def test_five_hundred_licences_agree_on_the_corpus(kb: Knowledge) -> None:
    rnd = random.Random(7)
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in _licence_texts()]
    words = sorted({w for t in texts for w in fold(t).split()})
    extra = []
    for n in range(500 - len(kb.licenses)):
        name = "".join(rnd.choice("bcdfghjklmnpqrstvwxz") for _ in range(8))
        common = " ".join(rnd.choice(words) for _ in range(rnd.randrange(2, 5)))
        phrases = (common,) if n % 10 == 0 else (f"{name} licence", common)
        extra.append(_licence(kb.licenses[0], n, Identify(phrases, (), ())))
    big = dataclasses.replace(kb, licenses=kb.licenses + tuple(extra))
    assert len(big.licenses) == 500
    assert len(_build_index(big).entries) == len(_index(kb).entries) + len(extra)
    for text in texts:
        _same(text, big)
