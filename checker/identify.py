"""Identify licence texts: which licence (or AUP, NOTICE, usage policy) a file holds, and how sure.

Texts and the knowledge base's phrases are normalised the same way (lower case; typographic
quotes and dashes made plain; HTML tags and Markdown markup dropped; every run of other characters
one space), so wrapping, Markdown, HTML, headers and copyright lines do not matter. An entry is
identified only when all its ``all`` phrases, one ``any`` phrase and none of its ``none`` phrases
are present: text that matches nothing well is unknown, never a guess.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from checker.knowledge import Identify, Knowledge

_TAG = re.compile(r"<[^>]+>")
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


@dataclass(frozen=True, slots=True)
class Identification:
    """What a text is: a licence key (kind ``license``) or a document key, and the confidence."""

    key: str
    kind: str  # license | aup | notice | usage-policy
    confidence: float
    matched: tuple[str, ...]


def normalise(text: str) -> str:
    """The comparable form of a text: words separated by single spaces, padded by spaces."""
    text = html.unescape(text[:MAX_TEXT])
    text = _TAG.sub(" ", text)
    text = unicodedata.normalize("NFKC", text).lower().translate(_PLAIN)
    return " " + " ".join(_WORD.findall(text)) + " "


@lru_cache(maxsize=4096)
def _phrase(phrase: str) -> str:
    return normalise(phrase)


def _score(ident: Identify, text: str) -> tuple[bool, float, tuple[str, ...]]:
    found = tuple(p for p in ident.all if _phrase(p) in text)
    any_ok = not ident.any or any(_phrase(p) in text for p in ident.any)
    excluded = any(_phrase(p) in text for p in ident.none)
    total = len(ident.all) + (1 if ident.any else 0)
    score = (len(found) + (1 if ident.any and any_ok else 0)) / total
    ok = len(found) == len(ident.all) and any_ok and not excluded
    return ok, score, found


def identify(text: str, kb: Knowledge) -> list[Identification]:
    """Every licence and document the text holds (a licence file may embed its AUP, or hold two
    licences), licences first. A family entry (``fallback``: bsd, cc, gpl...) is named only when
    no specific licence matches; a NOTICE is named instead of the licence it quotes."""
    norm = normalise(text)
    licences: list[tuple[Identification, bool]] = []
    for entry in kb.licenses:
        if entry.identify is None:
            continue
        ok, score, found = _score(entry.identify, norm)
        if ok:
            hit = Identification(entry.key, "license", round(score, 3), found)
            licences.append((hit, entry.identify.fallback))
    documents: list[Identification] = []
    for doc in kb.documents:
        ok, score, found = _score(doc.identify, norm)
        if ok:
            documents.append(Identification(doc.key, doc.kind, round(score, 3), found))
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
