"""Turn raw source material into frozen facts. Pure: no I/O, the same input gives the same facts."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from checker import licensing, weights
from checker.card import ParsedCard, parse_card
from checker.facts import (
    Ancestor,
    BaseModelRef,
    CardFacts,
    DeclaredLicense,
    Developer,
    FoundDocument,
    LicenseFacts,
    ModelFacts,
    ModelIdentity,
    Problem,
    ProvenanceFacts,
    SourceLicense,
    WeightFacts,
    WeightFile,
)
from checker.findings import Evidence
from checker.identify import identify
from checker.knowledge import Knowledge, LicenseEntry
from checker.lineage import parent_ids, relation_of
from checker.sources.raw import RawAncestor, RawModel, RawText

CARD_FIELDS = (
    "license",
    "license_name",
    "license_link",
    "pipeline_tag",
    "library_name",
    "base_model",
    "datasets",
    "language",
    "tags",
)


def normalise(raw: RawModel, kb: Knowledge) -> ModelFacts:
    """Build the facts of one model from what a source read."""
    owner = raw.model_id.split("/", 1)[0]
    if raw.error is not None:
        return ModelFacts(
            target=raw.target,
            model=ModelIdentity(raw.model_id, raw.revision, raw.source, owner),
            error=raw.error,
            origin=raw.origin,
        )
    problems: list[Problem] = []
    card, _ = _card(raw.card, problems)
    hub = raw.hub
    if not card.present and hub is not None and hub.card_data is not None:
        card = _card_from_hub(raw, hub.card_data)
    meta = card.metadata
    tags = _strings(meta.get("tags"))
    if hub is not None:
        tags = sorted({*tags, *hub.tags})
    identity = ModelIdentity(
        id=raw.model_id,
        revision=raw.revision,
        source=raw.source,
        author=(hub.author if hub else None) or owner,
        url=raw.url,
        pipeline_tag=_string(meta.get("pipeline_tag")) or (hub.pipeline_tag if hub else None),
        library=_string(meta.get("library_name")) or (hub.library_name if hub else None),
        tags=tuple(tags),
        created_at=hub.created_at if hub else None,
    )
    config = _json(raw.config, problems)
    adapter = _json(raw.adapter_config, problems)
    for text in raw.license_files:
        if text.error is not None:
            problems.append(
                Problem("input/unreadable", text.error, (Evidence(text.path, "/", None),))
            )
    files = _weight_files(raw, problems)
    bases = _bases(card, adapter, raw, files, problems)
    developer = _developer(kb, owner, raw.model_id)
    if raw.hub is not None:
        lineage = tuple(_hub_ancestor(kb, a, raw) for a in raw.ancestors)
    else:
        lineage = tuple(_ancestor(kb, base, 1) for base in bases)
    countries = {a.country for a in lineage if a.country}
    if developer.country:
        countries.add(developer.country)
    return ModelFacts(
        target=raw.target,
        model=identity,
        card=card,
        license=_license(kb, card, raw),
        provenance=ProvenanceFacts(developer, tuple(sorted(countries))),
        bases=bases,
        lineage=lineage,
        weights=_weights(card, config, raw, files),
        problems=tuple(problems),
        origin=raw.origin,
    )


def _card_from_hub(raw: RawModel, card_data: Mapping[str, Any]) -> CardFacts:
    """Card metadata from model_info when the README itself could not be read (gated)."""
    meta = dict(card_data)
    return CardFacts(
        present=True,
        path=f"{raw.location} (cardData)",
        metadata=MappingProxyType(meta),
        missing=tuple(f for f in CARD_FIELDS if _empty(meta.get(f))),
    )


def _card(raw: RawText | None, problems: list[Problem]) -> tuple[CardFacts, ParsedCard]:
    if raw is None:
        return CardFacts(present=False, missing=CARD_FIELDS), ParsedCard()
    if raw.data is None:
        problems.append(
            Problem("input/unreadable", raw.error or "unreadable", (Evidence(raw.path, "/", None),))
        )
        return CardFacts(present=False, path=raw.path, missing=CARD_FIELDS), ParsedCard()
    parsed = parse_card(raw.data, truncated=raw.truncated)
    for problem in parsed.problems:
        problems.append(
            Problem(
                "card/invalid-metadata",
                problem.message,
                (Evidence(raw.path, "/", None, problem.line),),
            )
        )
    meta = parsed.metadata
    missing = tuple(f for f in CARD_FIELDS if _empty(meta.get(f)))
    card = CardFacts(
        present=True,
        path=raw.path,
        metadata=MappingProxyType(meta),
        lines=MappingProxyType(parsed.lines),
        missing=missing,
    )
    return card, parsed


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _json(raw: RawText | None, problems: list[Problem]) -> Mapping[str, Any] | None:
    if raw is None:
        return None
    if raw.data is None or raw.truncated:
        why = raw.error or f"{raw.path} is too large to read"
        problems.append(Problem("input/unreadable", why, (Evidence(raw.path, "/", None),)))
        return None
    try:
        data = json.loads(raw.data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        message = f"{raw.path} is not valid UTF-8 (byte {exc.start})"
        problems.append(Problem("input/unreadable", message, (Evidence(raw.path, "/", None),)))
        return None
    except (json.JSONDecodeError, RecursionError) as exc:
        line = getattr(exc, "lineno", None)
        problems.append(
            Problem(
                "input/unreadable",
                f"{raw.path} is not valid JSON: {getattr(exc, 'msg', 'nested too deeply')}",
                (Evidence(raw.path, "/", None, line),),
            )
        )
        return None
    if not isinstance(data, dict):
        problems.append(
            Problem(
                "input/unreadable",
                f"{raw.path} is not a JSON object",
                (Evidence(raw.path, "/", None, 1),),
            )
        )
        return None
    return data


@dataclass
class _Part:
    """What one source declares, resolved."""

    source: str
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


def _card_part(kb: Knowledge, card: CardFacts) -> _Part:
    part = _Part("card")
    raw = card.metadata.get("license")
    if raw is None:
        return part
    items = raw if isinstance(raw, list) else [raw]
    for index, value in enumerate(items):
        if not isinstance(value, str):  # a number, a mapping...: declared, but not a licence
            bad = DeclaredLicense(str(value), "card", card.evidence("license", value))
            part.add(bad, licensing.Resolution(None, (), (str(value),)))
            continue
        pointer = "/license" if isinstance(raw, str) else f"/license/{index}"
        evidence = Evidence(card.path or "card", pointer, value, card.lines.get("license"))
        item = DeclaredLicense(value, "card", evidence)
        if value.strip().lower() == "other":
            named: list[DeclaredLicense] = []
            part.add(item, _resolve_other(kb, card, named))
            part.declared.extend(named)
        elif value.strip().lower() in ("unknown", "", "none"):
            part.add(item, licensing.Resolution(None, (), (value,)))
        else:
            part.add(item, licensing.resolve(kb, value))
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
    for tag in raw.hub.tags if raw.hub is not None else ():
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
    headers = list(raw.gguf_licenses)
    if raw.hub is not None and raw.hub.gguf_license:
        headers.append((f"{raw.location} (gguf)", raw.hub.gguf_license))
    for where, value in headers:
        resolved = licensing.resolve(kb, value)
        if resolved.expression is None:
            continue  # free text in a header says nothing we can compare
        evidence = Evidence(where, "general.license", value)
        part.add(DeclaredLicense(value, "header", evidence), resolved)
    return part


def _license(kb: Knowledge, card: CardFacts, raw: RawModel | None = None) -> LicenseFacts:
    """The licence from every source; when sources disagree, all of them apply (strictest)."""
    parts = [_card_part(kb, card)]
    documents: list[FoundDocument] = []
    unidentified: list[str] = []
    if raw is not None:
        file_part, documents, unidentified = _file_part(kb, raw)
        parts += [file_part, _tags_part(kb, raw), _header_part(kb, raw)]
    resolved = [p for p in parts if p.expressions]
    by_source = tuple(
        SourceLicense(
            p.source,
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
    # A declaration nobody can resolve stays unknown even when another source names a licence:
    # it may add terms that the known licence lacks.
    unresolved = tuple(d for p in parts for d in p.unresolved)
    declared = tuple(d for p in parts for d in p.declared)
    return LicenseFacts(
        declared=declared,
        expression=licensing.conjunction([x for p in chosen for x in p.expressions]),
        ids=tuple(sorted({e.id for e in entries})),
        entries=entries,
        unresolved=unresolved,
        source="+".join(p.source for p in chosen) or ("card" if declared else None),
        confidence=1.0 if chosen and not unresolved else None,
        by_source=by_source,
        documents=tuple(documents),
        unidentified_files=tuple(unidentified),
    )


def _resolve_other(
    kb: Knowledge, card: CardFacts, declared: list[DeclaredLicense]
) -> licensing.Resolution:
    """``license: other``: the licence is named by ``license_name`` or ``license_link``."""
    for key in ("license_name", "license_link"):
        value = _string(card.metadata.get(key))
        if value is None:
            continue
        declared.append(DeclaredLicense(value, "card", card.evidence(key)))
        entry = kb.license(value)
        if entry is not None:
            return licensing.Resolution(entry.id, (entry,), ())
    return licensing.Resolution(None, (), ("other",))


def _weight_files(raw: RawModel, problems: list[Problem]) -> tuple[WeightFile, ...]:
    out = []
    for f in raw.files:
        fmt, how = weights.detect(f.path, f.head)
        if fmt is None:
            continue
        if raw.source == "local" and f.size < weights.MIN_BYTES.get(fmt, 1):
            problems.append(
                Problem(
                    "input/unreadable",
                    f"{f.path} is too small ({f.size} bytes) to hold {fmt} weights",
                    (Evidence(f"{raw.location}/{f.path}", "size", f.size),),
                )
            )
            continue
        where = f"{raw.location}/{f.path}"
        out.append(WeightFile(f.path, fmt, f.size, Evidence(where, "format", f"{fmt} ({how})")))
    return tuple(out)


def _gating(card: CardFacts) -> list[str]:
    return sorted(k for k in card.metadata if k.startswith("extra_gated_"))


def _weights(
    card: CardFacts,
    config: Mapping[str, Any] | None,
    raw: RawModel,
    files: tuple[WeightFile, ...],
) -> WeightFacts:
    gated = _gating(card)
    availability_evidence: list[Evidence] = []
    hub = raw.hub
    if hub is not None:
        availability = _hub_availability(hub, files)
        availability_evidence.append(
            Evidence(
                raw.location,
                "model_info",
                {
                    "gated": hub.gated,
                    "private": hub.private,
                    "disabled": hub.disabled,
                    "weight_files": len(files),
                },
            )
        )
        availability_evidence.extend(Evidence(raw.location, "files", n) for n in raw.hub_notes)
    elif gated:
        availability = "gated-manual"
        availability_evidence.append(
            Evidence(
                card.path or "card",
                f"/{gated[0]}",
                "upstream repository is gated; approval mode not in the card, manual assumed",
                card.lines.get(gated[0]),
            )
        )
    elif files:
        availability = "open"
        availability_evidence.append(
            Evidence(raw.location, "files", f"{len(files)} weight file(s) present")
        )
    else:
        availability = "unknown"
        availability_evidence.append(Evidence(raw.location, "files", "no weight files found"))

    code: list[Evidence] = []
    if hub is not None and hub.auto_map:
        code.append(Evidence(raw.location, "model_info/config/auto_map", list(hub.auto_map)))
    elif config is not None and config.get("auto_map"):
        auto_map = config["auto_map"]
        shown = sorted(map(str, auto_map)) if isinstance(auto_map, dict) else str(auto_map)[:200]
        code.append(Evidence(f"{raw.location}/config.json", "/auto_map", shown))
    code.extend(
        Evidence(f"{raw.location}/{f.path}", "file", "Python code")
        for f in raw.files
        if f.path.endswith(".py")
    )
    if code:
        remote_code: bool | None = True
    else:
        remote_code = False if raw.files_complete else None
    return WeightFacts(
        availability=availability,
        availability_evidence=tuple(availability_evidence),
        files=files,
        remote_code=remote_code,
        remote_code_evidence=tuple(code),
        parameters=hub.parameters if hub is not None else None,
    )


def _hub_availability(hub: Any, files: tuple[WeightFile, ...]) -> str:
    if hub.disabled:
        return "disabled"
    if hub.gated in ("auto", "manual"):
        return f"gated-{hub.gated}"
    if hub.gated:
        return "gated-manual"
    if hub.private:
        return "private"
    return "open" if files else "closed"


def _bases(
    card: CardFacts,
    adapter: Mapping[str, Any] | None,
    raw: RawModel,
    files: tuple[WeightFile, ...],
    problems: list[Problem],
) -> tuple[BaseModelRef, ...]:
    declared, bad = parent_ids(card.metadata.get("base_model"))
    if bad:
        problems.append(
            Problem(
                "card/invalid-metadata",
                f"base_model holds {', '.join(bad)}, which is not a model id",
                (card.evidence("base_model"),),
            )
        )
    adapter_base = _string(adapter.get("base_model_name_or_path")) if adapter else None
    relation, _ = relation_of(
        card.metadata.get("base_model_relation"),
        None,
        len(declared),
        adapter is not None,
        any(f.format in ("gguf", "ggml") for f in files),
    )
    refs: list[BaseModelRef] = []
    seen: set[str] = set()
    if adapter_base:
        where = Evidence(f"{raw.location}/adapter_config.json", "/base_model_name_or_path",
                         adapter_base)  # fmt: skip
        refs.append(BaseModelRef(adapter_base, "adapter", where))
        seen.add(adapter_base.lower())
    single = isinstance(card.metadata.get("base_model"), str)
    for index, base_id in enumerate(declared):
        if base_id.lower() in seen:
            continue
        seen.add(base_id.lower())
        pointer = "/base_model" if single else f"/base_model/{index}"
        where = Evidence(card.path or "card", pointer, base_id, card.lines.get("base_model"))
        refs.append(BaseModelRef(base_id, relation, where))
    return tuple(refs)


def _developer(kb: Knowledge, owner: str, model_id: str) -> Developer:
    entry = kb.developer(owner)
    owner_evidence = Evidence(model_id, "owner", owner)
    if entry is None:
        return Developer(owner, None, None, None, (owner_evidence,))
    return Developer(
        entry.org,
        entry.name,
        entry.country,
        entry.kind,
        (owner_evidence, Evidence("rules/developers.yaml", f"/{entry.org}", entry.country)),
    )


def _ancestor(kb: Knowledge, base: BaseModelRef, depth: int) -> Ancestor:
    developer = _developer(kb, base.id.split("/", 1)[0], base.id)
    return Ancestor(
        id=base.id,
        relation=base.relation,
        depth=depth,
        country=developer.country,
        developer=developer.name,
        evidence=(base.evidence, *developer.evidence[1:]),
    )


def _hub_ancestor(kb: Knowledge, raw: RawAncestor, model: RawModel) -> Ancestor:
    """An ancestor read from the Hub: its licence from its card data, country from its owner."""
    developer = _developer(kb, raw.id.split("/", 1)[0], raw.id)
    license_ids: tuple[str, ...] = ()
    if raw.card_data is not None:
        card = CardFacts(
            present=True, path=f"hf:{raw.id}", metadata=MappingProxyType(dict(raw.card_data))
        )
        license_ids = _license(kb, card).ids
    where = Evidence(model.location, f"lineage/{raw.id}", raw.relation)
    return Ancestor(
        id=raw.id,
        relation=raw.relation,
        depth=raw.depth,
        license_ids=license_ids,
        country=developer.country,
        developer=developer.name,
        evidence=(where, *developer.evidence[1:]),
        error=raw.error,
    )


def link_lineage(models: Iterable[ModelFacts]) -> list[ModelFacts]:
    """Extend local models' lineage through other models of the same audit (pure).

    A manifest that lists a base folder and its derivative gives the derivative the base's own
    ancestors and licences; cycles stop at the first repeat. Lineage read from the Hub is already
    complete and is left as it is.
    """
    from dataclasses import replace

    items = list(models)
    by_id = {m.model.id.lower(): m for m in items}
    out: list[ModelFacts] = []
    for facts in items:
        if facts.error is not None or not facts.lineage or facts.model.source == "hub":
            out.append(facts)
            continue
        lineage: dict[str, Ancestor] = {}
        queue = [(a, a.depth) for a in facts.lineage]
        visited = {facts.model.id.lower()}
        while queue:
            ancestor, depth = queue.pop(0)
            key = ancestor.id.lower()
            if key in visited or depth > 10:
                continue
            visited.add(key)
            known = by_id.get(key)
            if known is not None and known.error is None:
                ancestor = replace(ancestor, license_ids=known.license.ids)
                queue.extend((replace(a, depth=depth + 1), depth + 1) for a in known.lineage)
            lineage[key] = replace(ancestor, depth=depth)
        ancestors = tuple(sorted(lineage.values(), key=lambda a: (a.depth, a.id.lower())))
        countries = {a.country for a in ancestors if a.country}
        developer = facts.provenance.developer
        if developer is not None and developer.country:
            countries.add(developer.country)
        out.append(
            replace(
                facts,
                lineage=ancestors,
                provenance=replace(facts.provenance, jurisdictions=tuple(sorted(countries))),
            )
        )
    return out
