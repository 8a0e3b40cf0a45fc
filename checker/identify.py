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
    """Every licence and document the text holds (a licence file may embed its AUP), best first.

    Among licences the most specific match wins: one whose phrases are a superset of another
    matching licence's phrases (Kimi's modified MIT over MIT) is kept, the other dropped.
    """
    norm = normalise(text)
    hits: list[tuple[Identification, int]] = []
    for entry in kb.licenses:
        if entry.identify is None:
            continue
        ok, score, found = _score(entry.identify, norm)
        if ok:
            weight = len(entry.identify.all) + len(entry.identify.none)
            hits.append((Identification(entry.key, "license", round(score, 3), found), weight))
    for doc in kb.documents:
        ok, score, found = _score(doc.identify, norm)
        if ok:
            weight = len(doc.identify.all) + len(doc.identify.none)
            hits.append((Identification(doc.key, doc.kind, round(score, 3), found), weight))
    # A NOTICE quotes the notice of the licence it accompanies: it is the notice, not the licence.
    notices_of = {
        d.of for d in kb.documents if d.kind == "notice" and d.key in {h.key for h, _ in hits}
    }
    hits = [h for h in hits if not (h[0].kind == "license" and h[0].key in notices_of)]
    licences = [h for h in hits if h[0].kind == "license"]
    if len(licences) > 1:
        best = max(w for _, w in licences)
        hits = [h for h in hits if h[0].kind != "license" or h[1] == best]
    hits.sort(key=lambda h: (h[0].kind != "license", -h[0].confidence, h[0].key))
    return [h for h, _ in hits]


def identify_licence(text: str, kb: Knowledge) -> Identification | None:
    """The one licence a text holds, or None (no licence, or several equally likely)."""
    found = [i for i in identify(text, kb) if i.kind == "license"]
    return found[0] if len(found) == 1 else None
