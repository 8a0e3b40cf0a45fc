"""Identify licence texts: which licence (or AUP, NOTICE, usage policy) a file holds, and how sure.

Texts and the knowledge base's phrases are normalised the same way (lower case; typographic
quotes and dashes made plain; HTML tags and Markdown markup dropped; every run of other characters
one space), so wrapping, Markdown, HTML, headers and copyright lines do not matter. An entry is
identified only when all its ``all`` phrases, one ``any`` phrase and none of its ``none`` phrases
are present: text that matches nothing well is unknown, never a guess.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

from checker.knowledge import Identify, Knowledge

_TAG = re.compile(r"<[^<>]+>")  # linear: a match never runs past the next "<"
_WORD = re.compile(r"[a-z0-9]+")
_PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
    }
)
MAX_TEXT = 2 * 1024 * 1024


class Identification(NamedTuple):
    """What a text is: a licence key (kind ``license``) or a document key, and the confidence."""

    key: str
    kind: str  # license | aup | notice | usage-policy
    confidence: float
    matched: tuple[str, ...]


def fold(text: str) -> str:
    """The comparable form of a text: words separated by single spaces, padded by spaces."""
    text = text[:MAX_TEXT]
    if "&" in text:  # entities only then: importing html costs more than most texts' folding
        import html

        text = html.unescape(text)
    text = _TAG.sub(" ", text)
    text = unicodedata.normalize("NFKC", text).lower().translate(_PLAIN)
    return " " + " ".join(_WORD.findall(text)) + " "


@lru_cache(maxsize=4096)
def _phrase(phrase: str) -> str:
    return fold(phrase)


class _Entry(NamedTuple):
    """A licence or document with its phrases normalised and the words they need."""

    key: str
    kind: str
    licence: bool  # a licence (kb.licenses), else a document (kb.documents)
    ident: Identify
    all: tuple[str, ...]
    any: tuple[str, ...]
    none: tuple[str, ...]
    words: frozenset[str]  # every word of every ``all`` phrase: a text lacking one cannot match


class _Index(NamedTuple):
    """The entries, and for each the rarest word of its ``all`` phrases (its anchor), so that a
    text is compared only with the entries whose anchors it contains."""

    entries: tuple[_Entry, ...]  # knowledge-base order: licences, then documents
    by_anchor: dict[str, tuple[int, ...]]
    anchors: frozenset[str]
    always: tuple[int, ...]  # entries whose phrases have no words (compared with every text)


def _entry(key: str, kind: str, licence: bool, ident: Identify) -> _Entry:
    norm_all = tuple(_phrase(p) for p in ident.all)
    words = frozenset(w for p in norm_all for w in p.split())
    return _Entry(
        key,
        kind,
        licence,
        ident,
        norm_all,
        tuple(_phrase(p) for p in ident.any),
        tuple(_phrase(p) for p in ident.none),
        words,
    )


def _build_index(kb: Knowledge) -> _Index:
    """Index the knowledge base's phrases (once per knowledge base: ``_index`` keeps it)."""
    entries = [
        _entry(e.key, "license", True, e.identify) for e in kb.licenses if e.identify is not None
    ]
    entries += [_entry(d.key, d.kind, False, d.identify) for d in kb.documents]
    frequency: dict[str, int] = {}
    for entry in entries:
        for word in entry.words:
            frequency[word] = frequency.get(word, 0) + 1
    by_anchor: dict[str, list[int]] = {}
    always: list[int] = []
    for number, entry in enumerate(entries):
        if not entry.words:
            always.append(number)
            continue
        anchor = min(entry.words, key=lambda w: (frequency[w], -len(w), w))
        by_anchor.setdefault(anchor, []).append(number)
    return _Index(
        tuple(entries),
        {word: tuple(members) for word, members in by_anchor.items()},
        frozenset(by_anchor),
        tuple(always),
    )


_INDEXES: dict[int, tuple[Knowledge, _Index]] = {}
_INDEX_LOCK = threading.Lock()
_KEEP_INDEXES = 4


def _index(kb: Knowledge) -> _Index:
    """The index of ``kb``, built on first use (a knowledge base is immutable)."""
    found = _INDEXES.get(id(kb))
    if found is not None and found[0] is kb:
        return found[1]
    with _INDEX_LOCK:
        found = _INDEXES.get(id(kb))
        if found is not None and found[0] is kb:
            return found[1]
        index = _build_index(kb)
        while len(_INDEXES) >= _KEEP_INDEXES:
            del _INDEXES[next(iter(_INDEXES))]
        _INDEXES[id(kb)] = (kb, index)
        return index


def _candidates(index: _Index, text: str) -> list[_Entry]:
    """The entries that can match ``text`` (a normalised text), in knowledge-base order."""
    words = set(text.split())
    numbers = set(index.always)
    for anchor in index.anchors & words:
        numbers.update(index.by_anchor[anchor])
    return [index.entries[n] for n in sorted(numbers) if index.entries[n].words <= words]


def _score(entry: _Entry, text: str) -> tuple[bool, float, tuple[str, ...]]:
    ident = entry.ident
    found = tuple(p for p, n in zip(ident.all, entry.all, strict=True) if n in text)
    any_ok = not entry.any or any(n in text for n in entry.any)
    excluded = any(n in text for n in entry.none)
    total = len(ident.all) + (1 if ident.any else 0)
    score = (len(found) + (1 if ident.any and any_ok else 0)) / total
    ok = len(found) == len(ident.all) and any_ok and not excluded
    return ok, score, found


def identify(text: str, kb: Knowledge) -> list[Identification]:
    """Every licence and document the text holds (a licence file may embed its AUP, or hold two
    licences), licences first. A family entry (``fallback``: bsd, cc, gpl...) is named only when
    no specific licence matches; a NOTICE is named instead of the licence it quotes.

    Only the entries whose anchor word (see ``_build_index``) and every other word of their
    ``all`` phrases occur in the text are scored: any other entry lacks a phrase it needs, so
    the answer is ``identify_exhaustive``'s, at a cost that does not grow with the knowledge
    base."""
    norm = fold(text)
    return _decide(_candidates(_index(kb), norm), norm, kb)


def identify_exhaustive(text: str, kb: Knowledge) -> list[Identification]:
    """``identify`` scoring every entry of the knowledge base: the reference that the index must
    agree with (tests and benchmarks/bench_identify.py compare the two)."""
    norm = fold(text)
    return _decide(_index(kb).entries, norm, kb)


def _decide(entries: Iterable[_Entry], norm: str, kb: Knowledge) -> list[Identification]:
    licences: list[tuple[Identification, bool]] = []
    documents: list[Identification] = []
    for entry in entries:
        ok, score, found = _score(entry, norm)
        if not ok:
            continue
        hit = Identification(entry.key, entry.kind, round(score, 3), found)
        if entry.licence:
            licences.append((hit, entry.ident.fallback))
        else:
            documents.append(hit)
    if any(not fallback for _, fallback in licences):
        licences = [(h, f) for h, f in licences if not f]
    notices_of = {
        d.of for d in kb.documents if d.kind == "notice" and d.key in {h.key for h in documents}
    }
    hits = [h for h, _ in licences if h.key not in notices_of] + documents
    hits.sort(key=lambda h: (h.kind != "license", -h.confidence, h.key))
    return hits


def identify_licence(text: str, kb: Knowledge) -> Identification | None:
    """The one licence a text holds, or None (no licence, or several equally likely)."""
    found = [i for i in identify(text, kb) if i.kind == "license"]
    return found[0] if len(found) == 1 else None
