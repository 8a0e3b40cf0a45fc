"""Licences a card names in its prose: a ``**License:** [Name](url)`` line, a "License" section,
a link to a licence file of the repository.

Prose is untrusted and weaker than metadata, so only what it names unambiguously counts: link
texts, link targets and ``License: X`` values on licence lines or in a licence section, looked up
in the knowledge base by name, alias or URL (never a licence name merely mentioned in a sentence).
A link in a clause about the code ("the code is under [Apache-2.0](LICENSE)") is not the model's
licence. The work is bounded whatever the card holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple
from urllib.parse import quote, unquote, urlsplit

from checker.facts.lineage_ids import is_hub_id
from checker.knowledge import Knowledge, LicenseEntry

MAX_SCANNED_LINES = 20_000
MAX_CANDIDATE_LINES = 200
MAX_LINKS_PER_LINE = 20
MAX_SECTION_LINES = 40
MAX_DISTINCT = 4  # more licences than this in the prose: it is a list, not a statement
MAX_VALUE = 300
HUB = "https://huggingface.co"


class _Lazy:
    """A regular expression compiled on first use (a card without prose never needs these)."""

    __slots__ = ("_args", "_compiled")

    def __init__(self, *args: Any) -> None:
        self._args = args
        self._compiled: re.Pattern[str] | None = None

    def get(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(*self._args)
        return self._compiled

    def search(self, text: str) -> re.Match[str] | None:
        return self.get().search(text)

    def match(self, text: str) -> re.Match[str] | None:
        return self.get().match(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.get().finditer(text)

    def sub(self, repl: str, text: str, count: int = 0) -> str:
        return self.get().sub(repl, text, count=count)

    def split(self, text: str) -> list[str]:
        return self.get().split(text)


_lazy = _Lazy
_FULL_COLON, _FULL_COMMA, _FULL_STOP, _FULL_SEMI = "\uff1a", "\uff0c", "\u3002", "\uff1b"
_LICENCE_WORD = _lazy(r"licen[cs]|许可|协议", re.IGNORECASE)
_HEADING = _lazy(r"^(#{1,6})\s+(.{1,200})$")
_FENCE = _lazy(r"^\s*(```|~~~)")
_LINK = _lazy(r"\[([^\[\]\n]{1,200})\]\(\s*<?([^()\s<>]{1,500})>?(?:\s+\"[^\"\n]{0,200}\")?\s*\)")
_BARE_URL = _lazy(r"https?://[^\s<>()\[\]\"']{1,500}")
_MARK = r"(?:\*\*|__)?"
_LABEL = _lazy(
    rf"licen[cs]e[ds]?\s*{_MARK}\s*[:{_FULL_COLON}]\s*{_MARK}\s*(.{{1,300}})$", re.IGNORECASE
)
_LABEL_LINE = _lazy(
    rf"^\s*(?:[-*+]\s+)?{_MARK}\s*licen[cs]e[ds]?\s*{_MARK}\s*[:{_FULL_COLON}]", re.IGNORECASE
)
_MARKUP = _lazy(r"[*_`]+")
_CLAUSE_BREAK = _lazy(rf"[.;:,{_FULL_COLON}{_FULL_COMMA}{_FULL_STOP}{_FULL_SEMI}]")
_CODE = _lazy(r"\bcode\b|\bsource code\b|代码|程序", re.IGNORECASE)
_MODEL = _lazy(r"model|weight|checkpoint|模型|权重", re.IGNORECASE)
_TRAILING_WORD = _lazy(r"\s+(licen[cs]e|agreement)\s*$", re.IGNORECASE)
_SHA_OR_BRANCH = _lazy(r"/(blob|resolve|raw)/[^/]+/")
MAX_LINEAGE_LINES = 600
MAX_PROSE_BASES = 4
_COPIED_CARD = _lazy(r"original\s+model\s+card|model\s+card\s+of\s+the\s+original", re.I)
_LINEAGE_CUE = _lazy(
    r"(?:original|base|parent|source)\s+models?\b[^:\n\uff1a]{0,20}[:\uff1a]"
    r"|(?:quanti[sz](?:ed|ation)|converted|conversion|merged|fine-?tuned|finetuned|distilled)"
    r"\s+(?:version\s+|model\s+)?(?:of|from)\b"
    r"|^\s*(?:[-*+]\s+)?(?:\*\*|__)?from(?:\*\*|__)?\s*[:\uff1a]",
    re.IGNORECASE,
)
_HUB_MODEL_URL = _lazy(
    r"https?://(?:www\.)?(?:huggingface\.co|hf\.co)/(?!datasets/|spaces/)([\w.-]+/[\w.-]+)"
)
_BARE_ID = _lazy(r"(?<![\w./:-])`?([A-Za-z0-9][\w.-]*/[\w.-]+)`?(?![\w/])")


class ProseLicence(NamedTuple):
    """A licence the prose names: the text or URL that names it, its card line, the entry."""

    value: str
    line: int
    entry: LicenseEntry


class ProseBase(NamedTuple):
    """A model the prose says this one comes from ("Original model: <url>"), with its line."""

    id: str
    line: int
    text: str


class ProseReading(NamedTuple):
    """What the prose names; ``ambiguous`` when it names too many licences to be a statement."""

    licences: tuple[ProseLicence, ...] = ()
    ambiguous: int = 0  # how many distinct licences an ambiguous prose named
    bases: tuple[ProseBase, ...] = ()


def _outside_code(lines: list[str], limit: int) -> Iterator[tuple[int, str]]:
    """(index, line) of the first ``limit`` lines that are prose, not in a fenced code block."""
    in_fence = False
    for index, line in enumerate(lines[:limit]):
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence:
            yield index, line


def _candidate_lines(lines: list[str]) -> list[int]:
    """Indexes of lines on which a licence statement can stand: lines of a licence section and
    lines that speak of a licence; code blocks are skipped."""
    out: list[int] = []
    section_level = 0
    section_left = 0
    for index, line in _outside_code(lines, MAX_SCANNED_LINES):
        heading = _HEADING.match(line.strip())
        if heading:
            level = len(heading.group(1))
            if section_level and level <= section_level:
                section_level = 0
            if _LICENCE_WORD.search(heading.group(2)):
                section_level, section_left = level, MAX_SECTION_LINES
            continue
        in_section = section_level and section_left > 0
        if in_section:
            section_left -= 1
        if in_section or _LICENCE_WORD.search(_BARE_URL.sub("", _LINK.sub(r"\1", line))):
            out.append(index)
            if len(out) >= MAX_CANDIDATE_LINES:
                break
    return out


def url_variants(url: str, model_id: str) -> list[str]:
    """The ways a licence URL is spelt: relative to the repository, blob/resolve/raw, any
    revision for main, with or without query, percent-encoding and trailing slash."""
    url = url.strip()
    if url.startswith(("#", "mailto:")):
        return []
    parts = urlsplit(url)
    if not parts.scheme:
        if "/" not in model_id or model_id.startswith("local/"):
            return []
        url = f"{HUB}/{model_id}/blob/main/{url.lstrip('./')}"
    elif parts.scheme not in ("http", "https"):
        return []  # javascript:, data:, file: ... name no licence
    base = url.split("#", 1)[0].split("?", 1)[0].rstrip("/")
    out = [base]
    for kind in ("blob", "resolve", "raw"):
        out.append(_SHA_OR_BRANCH.sub(f"/{kind}/main/", base, count=1))
    decoded = [unquote(u) for u in out]
    encoded = [quote(u, safe=":/%") for u in decoded]
    return list(dict.fromkeys([*out, *decoded, *encoded]))


def by_url(kb: Knowledge, url: str, model_id: str) -> LicenseEntry | None:
    """The licence a URL means, however the card spells it (relative links: the repository)."""
    for variant in url_variants(url, model_id):
        entry = kb.license(variant)
        if entry is not None:
            return entry
    return None


def _by_name(kb: Knowledge, text: str) -> LicenseEntry | None:
    name = _MARKUP.sub("", text).strip().strip("[]()\"'“”").strip()
    if not name or len(name) > MAX_VALUE:
        return None
    entry = kb.license(name)
    if entry is None:
        shorter = _TRAILING_WORD.sub("", name)
        entry = kb.license(shorter) if shorter != name else None
    return entry


def _about_code(line: str, start: int) -> bool:
    """True when the clause before ``start`` speaks of the code and not of the model."""
    clause = _CLAUSE_BREAK.split(line[:start])[-1]
    return bool(_CODE.search(clause)) and not _MODEL.search(clause)


def _line_licences(kb: Knowledge, line: str, model_id: str) -> list[tuple[str, LicenseEntry]]:
    """What one line names. A ``License: X`` line states one licence: its first, whatever the
    rest of the line says about where that licence comes from."""
    found = _named(kb, line, model_id)
    if _LABEL_LINE.match(line):
        return found[:1]
    return found


def _named(kb: Knowledge, line: str, model_id: str) -> list[tuple[str, LicenseEntry]]:
    found: list[tuple[str, LicenseEntry]] = []
    spans: list[tuple[int, int]] = []
    for count, link in enumerate(_LINK.finditer(line)):
        if count >= MAX_LINKS_PER_LINE:
            break
        spans.append(link.span())
        if _about_code(line, link.start()):
            continue
        text, target = link.group(1), link.group(2)
        linked = by_url(kb, target, model_id)
        entry = linked or _by_name(kb, text)
        if entry is not None:
            found.append((target if linked else text.strip(), entry))
    for count, bare in enumerate(_BARE_URL.finditer(line)):
        if count >= MAX_LINKS_PER_LINE or any(a <= bare.start() < b for a, b in spans):
            continue
        if _about_code(line, bare.start()):
            continue
        entry = by_url(kb, bare.group(0).rstrip(".,;"), model_id)
        if entry is not None:
            found.append((bare.group(0).rstrip(".,;"), entry))
    label = _LABEL.search(_LINK.sub(r"\1", line))
    if label and not found:
        entry = _by_name(kb, label.group(1).split("(", 1)[0])
        if entry is not None:
            found.append((label.group(1).strip()[:MAX_VALUE], entry))
    return found


def _prose_bases(lines: list[str], body_line: int, model_id: str) -> tuple[ProseBase, ...]:
    """Models the prose says this one was made from: "Original model: <link>", "quantized
    version of org/name", "From: <url>" (re-uploads and quantisations that omit base_model).
    An "Original model card" copied below is about that model, so reading stops there."""
    out: list[ProseBase] = []
    for index, line in _outside_code(lines, MAX_LINEAGE_LINES):
        heading = _HEADING.match(line.strip())
        if heading and _COPIED_CARD.search(heading.group(2)):
            break
        cue = _LINEAGE_CUE.search(line)
        if cue is None:
            continue
        rest = line[cue.end() : cue.end() + MAX_VALUE]
        found = _HUB_MODEL_URL.search(rest) or _BARE_ID.search(rest)
        ident = found.group(1) if found else None
        if ident and is_hub_id(ident) and ident.lower() != model_id.lower():
            if all(b.id.lower() != ident.lower() for b in out):
                out.append(ProseBase(ident, body_line + index, line.strip()[:MAX_VALUE]))
            if len(out) >= MAX_PROSE_BASES:
                break
    return tuple(out)


def read_prose(kb: Knowledge, body: str, body_line: int, model_id: str) -> ProseReading:
    """The licences and the origin models the card's prose names, each with its card line."""
    lines = body.split("\n")
    bases = _prose_bases(lines, body_line, model_id)
    out: list[ProseLicence] = []
    for index in _candidate_lines(lines):
        for value, entry in _line_licences(kb, lines[index], model_id):
            out.append(ProseLicence(value[:MAX_VALUE], body_line + index, entry))
    distinct = {p.entry.key for p in out}
    if len(distinct) > MAX_DISTINCT:
        return ProseReading((), len(distinct), bases)
    first: dict[str, ProseLicence] = {}
    for p in out:
        first.setdefault(p.entry.key, p)
    return ProseReading(tuple(first.values()), 0, bases)
