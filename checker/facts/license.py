"""The licence facts: what every place declares (card, licence files, registry tags, weight
headers), resolved against the knowledge base; when places disagree, all of them apply."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from checker import licensing
from checker.facts.model import CardFacts, DeclaredBy, DeclaredLicense, FoundDocument, LicenseFacts
from checker.facts.prose import ProseReading, by_url
from checker.findings import Evidence
from checker.identify import identify
from checker.knowledge import Knowledge, LicenseEntry

if TYPE_CHECKING:
    from checker.sources.raw import RawModel


@dataclass
class _Part:
    """What one kind of place declares, resolved."""

    declared_by: str
    declared: list[DeclaredLicense] = field(default_factory=list)
    expressions: list[str] = field(default_factory=list)
    entries: list[LicenseEntry] = field(default_factory=list)
    unresolved: list[DeclaredLicense] = field(default_factory=list)

    def add(self, item: DeclaredLicense, resolved: licensing.Resolution) -> None:
        self.declared.append(item)
        if resolved.expression is None:
            self.unresolved.append(item)
        else:
            self.expressions.append(resolved.expression)
        self.entries.extend(resolved.entries)


def _string(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


HEADER_LICENSE_KEYS = {
    "gguf": ("general.license", "general.license.name", "general.license.link"),
    "safetensors": ("license", "modelspec.license", "license_name", "license_link"),
}
PLACEHOLDERS = frozenset({"other", "unknown", "none", ""})
PROSE_CONFIDENCE = 0.5  # named only in the card's prose: weaker than metadata or a file


def _card_part(
    kb: Knowledge, card: CardFacts, model_id: str
) -> tuple[_Part, list[DeclaredLicense]]:
    """The front matter's ``license`` (string or list), and ``license_name`` / ``license_link``
    when ``license`` is a placeholder (``other``, ``unknown``) or absent. A placeholder says
    "see elsewhere": it is returned apart, unknown only when no place names a licence."""
    part = _Part("card")
    placeholders: list[DeclaredLicense] = []
    raw = card.metadata.get("license")
    items = raw if isinstance(raw, list) else [] if raw is None else [raw]
    for index, value in enumerate(items):
        if not isinstance(value, str):  # a number, a mapping...: declared, but not a licence
            bad = DeclaredLicense(str(value), "card", card.evidence("license", value))
            part.add(bad, licensing.Resolution(None, (), (str(value),)))
            continue
        pointer = "/license" if isinstance(raw, str) else f"/license/{index}"
        evidence = Evidence(card.path or "card", pointer, value, card.lines.get("license"))
        item = DeclaredLicense(value, "card", evidence)
        if value.strip().lower() in PLACEHOLDERS:
            part.declared.append(item)
            placeholders.append(item)
        else:
            part.add(item, licensing.resolve(kb, value))
    if placeholders or not items:
        _named_by_metadata(kb, card, model_id, part)
    return part, placeholders


def _named_by_metadata(kb: Knowledge, card: CardFacts, model_id: str, part: _Part) -> None:
    """``license_name`` and ``license_link``: the first that resolves names the licence; a name
    or link that resolves to nothing is a declaration nobody knows (unknown, never dropped)."""
    named = [
        (key, value)
        for key in ("license_name", "license_link")
        if (value := _string(card.metadata.get(key))) is not None
    ]
    tried: list[DeclaredLicense] = []
    for key, value in named:
        entry = kb.license(value)
        if entry is None and key == "license_link":
            entry = by_url(kb, value, model_id)
        item = DeclaredLicense(value, "card", card.evidence(key))
        if entry is not None:
            part.declared.extend(tried)
            part.add(item, licensing.Resolution(entry.id, (entry,), ()))
            return
        tried.append(item)
    for item in tried:
        part.add(item, licensing.Resolution(None, (), (item.value,)))


def _prose_part(card: CardFacts, prose: ProseReading | None) -> _Part:
    part = _Part("prose")
    if prose is None:
        return part
    for found in prose.licences:
        evidence = Evidence(card.path or "card", "prose", found.value, found.line)
        part.add(
            DeclaredLicense(found.value, "prose", evidence),
            licensing.Resolution(found.entry.id, (found.entry,), ()),
        )
    return part


def _file_part(kb: Knowledge, raw: RawModel) -> tuple[_Part, list[FoundDocument], list[str]]:
    """Licences identified in the licence files; AUPs and NOTICEs recorded as documents."""
    part = _Part("file")
    documents: list[FoundDocument] = []
    unidentified: list[str] = []
    texts = [t for t in raw.license_files if t.data is not None]
    names = [t.path.rsplit("/", 1)[-1].lower() for t in texts]
    model_only = any("model" in n for n in names)
    for text, name in zip(texts, names, strict=True):
        assert text.data is not None
        found = identify(text.data.decode("utf-8", errors="replace"), kb)
        licences = [f for f in found if f.kind == "license"]
        for doc in (f for f in found if f.kind != "license"):
            of = next((d.of for d in kb.documents if d.key == doc.key), None)
            documents.append(FoundDocument(doc.key, doc.kind, of, text.path))
        if not found:
            if name.startswith("notice"):  # a NOTICE is a notice, whatever it says
                documents.append(FoundDocument("notice", "notice", None, text.path))
            else:
                unidentified.append(text.path)
            continue
        if model_only and "model" not in name and "code" in name:
            continue  # LICENSE-CODE beside LICENSE-MODEL: the weights follow the model licence
        for hit in licences:  # a file holding several licences: all of them apply
            entry = kb.license(hit.key)
            if entry is None:
                continue
            evidence = Evidence(text.path, "/", f"{hit.key} (confidence {hit.confidence:.2f})")
            part.add(
                DeclaredLicense(hit.key, "file", evidence),
                licensing.Resolution(entry.id, (entry,), ()),
            )
    for text in raw.license_files:
        if text.data is None and text.error is None:
            unidentified.append(text.path)
    return part, documents, unidentified


def _tags_part(kb: Knowledge, raw: RawModel) -> _Part:
    part = _Part("tags")
    for tag in raw.remote.tags if raw.remote is not None else ():
        if not tag.startswith("license:"):
            continue
        value = tag.split(":", 1)[1]
        if value.lower() in ("other", "unknown"):
            continue
        evidence = Evidence(raw.location, "model_info/tags", tag)
        part.add(DeclaredLicense(value, "tags", evidence), licensing.resolve(kb, value))
    return part


def _header_part(kb: Knowledge, raw: RawModel) -> _Part:
    part = _Part("header")
    headers = [(h.path, h.format, h.values) for h in raw.headers]
    remote = raw.remote
    if remote is not None and remote.header_license:
        where = remote.header_where or raw.location
        headers.append((where, "gguf", {"general.license": remote.header_license}))
    for where, fmt, values in headers:
        for key in HEADER_LICENSE_KEYS[fmt]:  # the first key that names a known licence
            value = values.get(key)
            if not value:
                continue
            resolved = licensing.resolve(kb, value)
            if resolved.expression is None and key.endswith("link"):
                entry = by_url(kb, value, raw.model_id)
                if entry is not None:
                    resolved = licensing.Resolution(entry.id, (entry,), ())
            if resolved.expression is None:
                continue  # free text in a header says nothing we can compare
            evidence = Evidence(where, key, value)
            part.add(DeclaredLicense(value, "header", evidence), resolved)
            break
    return part


def license_facts(
    kb: Knowledge,
    card: CardFacts,
    raw: RawModel | None = None,
    prose: ProseReading | None = None,
) -> LicenseFacts:
    """The licence from every place that declares one (only the card's metadata when ``raw``
    is None). Places that name different licences all apply (the strictest reading)."""
    model_id = raw.model_id if raw is not None else ""
    card_part, placeholders = _card_part(kb, card, model_id)
    parts = [card_part, _prose_part(card, prose)]
    documents: list[FoundDocument] = []
    unidentified: list[str] = []
    if raw is not None:
        file_part, documents, unidentified = _file_part(kb, raw)
        parts += [file_part, _tags_part(kb, raw), _header_part(kb, raw)]
    resolved = [p for p in parts if p.expressions]
    if not resolved:  # a placeholder nobody fills in: the licence is not known
        card_part.unresolved[:0] = placeholders
    places = tuple(
        DeclaredBy(
            p.declared_by,
            tuple(sorted({e.id for e in p.entries})),
            tuple(d.evidence for d in p.declared),
        )
        for p in parts
        if p.declared
    )
    distinct = {tuple(sorted({e.id for e in p.entries})) for p in resolved}
    if len(distinct) > 1:
        chosen = resolved
    elif resolved:
        chosen = resolved[:1]
    else:
        chosen = []
    entries = tuple({e.key: e for p in chosen for e in p.entries}.values())
    # A declaration nobody can resolve stays unknown even when another place names a licence:
    # it may add terms that the known licence lacks.
    unresolved = tuple(d for p in parts for d in p.unresolved)
    declared = tuple(d for p in parts for d in p.declared)
    return LicenseFacts(
        declared=declared,
        expression=licensing.conjunction([x for p in chosen for x in p.expressions]),
        ids=tuple(sorted({e.id for e in entries})),
        entries=entries,
        unresolved=unresolved,
        declared_by="+".join(p.declared_by for p in chosen) or ("card" if declared else None),
        confidence=None
        if not chosen or unresolved
        else PROSE_CONFIDENCE
        if all(p.declared_by == "prose" for p in chosen)
        else 1.0,
        places=places,
        documents=tuple(documents),
        unidentified_files=tuple(unidentified),
        hints=_hints(kb, unresolved, prose) if unresolved else (),
    )


_SHARING: dict[tuple[int, str], tuple[tuple[LicenseEntry, ...], tuple[LicenseEntry, ...]]] = {}


def _sharing(kb: Knowledge, prefix: str) -> tuple[LicenseEntry, ...]:
    """The licences whose key starts with ``prefix``, kept per list of licences (held, so its
    id is not reused) and prefix: bulk audits ask for the same few names."""
    key = (id(kb.licenses), prefix)
    found = _SHARING.get(key)
    if found is None or found[0] is not kb.licenses:
        if len(_SHARING) > 4096:
            _SHARING.clear()
        found = _SHARING[key] = (
            kb.licenses,
            tuple(e for e in kb.licenses if e.key.startswith(prefix)),
        )
    return found[1]


def _hints(
    kb: Knowledge, unresolved: tuple[DeclaredLicense, ...], prose: ProseReading | None
) -> tuple[str, ...]:
    """What would decide an unresolved licence: the links of the licences a shared name may
    mean (``tencent-hunyuan-community``), or why the prose did not count."""
    out: list[str] = []
    for d in unresolved:
        prefix = d.value.strip().lower() + "-"
        if len(prefix) < 6:
            continue
        candidates = _sharing(kb, prefix)
        if len(candidates) > 1:
            links = "; ".join(f"{e.name}: {e.urls[0]}" for e in candidates if e.urls)
            out.append(
                f"{d.value!r} names {len(candidates)} different licences; a license_link to one "
                f"of them decides which ({links})"
            )
    if prose is not None and prose.ambiguous:
        out.append(
            f"the card's prose names {prose.ambiguous} licences, too many to tell which applies"
        )
    return tuple(out)
