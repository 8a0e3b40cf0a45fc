"""Read a model from the Hub at an exact commit: metadata, card, config, licence files, lineage.

Files are downloaded at the resolved 40-hex sha, so the audit records exactly what it read. When
a gated repository's files cannot be read, the card metadata comes from model_info. The lineage
is walked through ``base_model`` (card) and ``baseModels`` (Hub): fine-tunes, adapters,
quantisations and merges, to a depth limit, with cycles detected and every ancestor fetched once
per run. An ancestor that cannot be fetched is recorded with its reason, never dropped.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from typing import Any

from checker.lineage import parent_ids, relation_of
from checker.sources.hub_client import HubClient, HubError, HubInfo
from checker.sources.local import LICENSE_FILE, MAX_JSON_BYTES
from checker.sources.raw import RawAncestor, RawFile, RawModel, RawText
from checker.sources.targets import Target
from checker.weights import format_from_name


def _text(client: HubClient, info: HubInfo, name: str, notes: list[str]) -> RawText | None:
    shown = f"hf:{info.id}@{info.sha}/{name}"
    try:
        data = client.download(info.id, info.sha, name)
    except HubError as exc:
        if exc.kind == "gated":
            notes.append(f"{name}: gated, not readable with this token; metadata from the Hub API")
            return None
        return RawText(shown, None, str(exc))
    if len(data) > MAX_JSON_BYTES:
        return RawText(shown, data[:MAX_JSON_BYTES], truncated=True)
    return RawText(shown, data)


def _license_files(info: HubInfo) -> list[str]:
    names = [n for n in info.siblings if "/" not in n and LICENSE_FILE.match(n)]
    link = (info.card_data or {}).get("license_link")
    if isinstance(link, str) and link in info.siblings and link not in names:
        names.append(link)
    return sorted(n for n in names if n.lower() != "readme.md")


def bases_of(
    card: Any, info: HubInfo | None, adapter_base: str | None = None
) -> list[tuple[str, str]]:
    """(id, relation) of the parents a card, the Hub's baseModels and an adapter config name."""
    card = card if isinstance(card, dict) else {}
    ids, _ = parent_ids(card.get("base_model"))  # bad entries are reported from the card itself
    if info is not None:
        ids += [b for b in info.base_models if b.lower() not in {i.lower() for i in ids}]
    relation, _ = relation_of(
        card.get("base_model_relation"),
        info.base_relation if info is not None else None,
        len(ids),
        adapter_base is not None or (info is not None and "adapter_config.json" in info.siblings),
        info is not None and any(format_from_name(n) in ("gguf", "ggml") for n in info.siblings),
    )
    parents = [(i, relation) for i in ids]
    if adapter_base and adapter_base.lower() not in {i.lower() for i in ids}:
        parents.insert(0, (adapter_base, "adapter"))
    return parents


def _prefetch(client: HubClient, ids: list[str]) -> None:
    """Ask for a whole lineage level at once (the memo keeps the answers, errors included)."""

    def one(ident: str) -> None:
        with suppress(HubError):  # recorded in the memo; reported where the ancestor is read
            client.info(ident, None)

    if len(ids) > 1:
        with ThreadPoolExecutor(max_workers=min(4, len(ids))) as pool:
            list(pool.map(one, ids))


def walk_lineage(
    client: HubClient, root: HubInfo, card: Any, adapter_base: str | None = None
) -> tuple[RawAncestor, ...]:
    """Breadth-first through the ancestors, a level at a time, each fetched once; cycles and
    depth are reported."""
    out: list[RawAncestor] = []
    seen = {root.id.lower()}
    level: list[tuple[str, str, int, tuple[str, ...]]] = [
        (bid, rel, 1, (root.id,)) for bid, rel in bases_of(card, root, adapter_base)
    ]
    while level:
        _prefetch(client, [i for i, _, d, _ in level if d <= client.options.max_depth])
        following: list[tuple[str, str, int, tuple[str, ...]]] = []
        for ident, relation, depth, path in level:
            if ident.lower() in {p.lower() for p in path}:
                cycle = " -> ".join((*path, ident))
                out.append(RawAncestor(ident, relation, depth, error=f"lineage cycle: {cycle}"))
                continue
            if ident.lower() in seen:
                continue
            seen.add(ident.lower())
            if depth > client.options.max_depth:
                limit = client.options.max_depth
                out.append(
                    RawAncestor(
                        ident, relation, depth, error=f"deeper than {limit} levels; not followed"
                    )
                )
                continue
            try:
                info = client.info(ident, None)
            except HubError as exc:
                out.append(RawAncestor(ident, relation, depth, error=str(exc)))
                continue
            out.append(RawAncestor(info.id, relation, depth, info.card_data, info.tags))
            following.extend(
                (bid, rel, depth + 1, (*path, info.id))
                for bid, rel in bases_of(info.card_data, info)
            )
        level = following
    return tuple(out)


def read_hub(target: Target, client: HubClient) -> RawModel:
    """Read one Hub model; a failure gives a RawModel with a one-line ``error``."""
    ident = target.model_id or target.ref
    base = RawModel(
        target=target.display,
        model_id=ident,
        source="hub",
        location=f"hf:{ident}",
        revision=target.revision,
        origin=target.origin,
        url=f"{client.endpoint}/{ident}",
    )
    try:
        info = client.info(target.ref, target.revision)
    except HubError as exc:
        return RawModel(**{**_fields(base), "error": str(exc)})
    notes: list[str] = []
    # model_info's expanded config already carries auto_map; download config.json only without it
    wants_config = "config.json" in info.siblings and not info.has_config
    names: list[str] = [n for n in ("README.md", "adapter_config.json") if n in info.siblings]
    names += ["config.json"] if wants_config else []
    names += _license_files(info)
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="clearance-hub") as pool:
        futures = {n: pool.submit(_text, client, info, n, notes) for n in names}
        adapter = (
            futures["adapter_config.json"].result() if "adapter_config.json" in futures else None
        )
        lineage = pool.submit(walk_lineage, client, info, info.card_data, _adapter_base(adapter))
        texts = {n: f.result() for n, f in futures.items()}
        ancestors = lineage.result()
    card, config = texts.get("README.md"), texts.get("config.json")
    licenses = tuple(t for n in _license_files(info) if (t := texts.get(n)) is not None)
    return RawModel(
        target=target.display,
        model_id=info.id,
        source="hub",
        location=f"hf:{info.id}@{info.sha}",
        revision=info.sha,
        card=card,
        config=config,
        adapter_config=adapter,
        license_files=licenses,
        files=tuple(RawFile(name, 0) for name in info.siblings),
        files_complete=True,
        origin=target.origin,
        url=f"{client.endpoint}/{info.id}",
        hub=info,
        hub_notes=tuple(sorted(notes)),
        ancestors=ancestors,
    )


def _adapter_base(text: RawText | None) -> str | None:
    """The base an adapter_config.json names (the rest of the file is read by normalise)."""
    if text is None or text.data is None:
        return None
    try:
        data = json.loads(text.data.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    base = data.get("base_model_name_or_path") if isinstance(data, dict) else None
    return base.strip() if isinstance(base, str) and base.strip() else None


def _fields(raw: RawModel) -> dict[str, Any]:
    return {name: getattr(raw, name) for name in raw.__dataclass_fields__}
