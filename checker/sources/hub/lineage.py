"""The lineage of a Hub model: parents from the card's ``base_model``, the Hub's ``baseModels``
and an adapter config, walked breadth-first a level at a time (each level fetched concurrently),
to a depth limit, with cycles detected and every ancestor fetched once per run. An ancestor that
cannot be fetched is recorded with its reason, never dropped.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from checker.facts.model import LineageError
from checker.lineage import parent_ids, relation_of
from checker.sources.hub.client import HubClient, HubError, HubInfo
from checker.sources.remote import RawAncestor
from checker.weights import format_from_name


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
    """Ask for a whole lineage level at once, on the run's threads (the memo keeps the answers,
    errors included)."""

    def one(ident: str) -> None:
        with suppress(HubError):  # recorded in the memo; reported where the ancestor is read
            client.info(ident, None)

    new = [i for i in ids if not client.asked(i, None)]  # the rest are in the memo already
    if len(new) > 1:
        for future in [client.fanout.submit(one, i) for i in new]:
            future.result()


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
                out.append(
                    RawAncestor(
                        ident,
                        relation,
                        depth,
                        error=f"lineage cycle: {cycle}",
                        error_kind=LineageError.CYCLE,
                    )
                )
                continue
            if ident.lower() in seen:
                continue
            seen.add(ident.lower())
            if depth > client.options.max_depth:
                limit = client.options.max_depth
                out.append(
                    RawAncestor(
                        ident,
                        relation,
                        depth,
                        error=f"deeper than {limit} levels; not followed",
                        error_kind=LineageError.TOO_DEEP,
                    )
                )
                continue
            try:
                info = client.info(ident, None)
            except HubError as exc:
                out.append(
                    RawAncestor(
                        ident, relation, depth, error=str(exc), error_kind=LineageError.UNREADABLE
                    )
                )
                continue
            out.append(RawAncestor(info.id, relation, depth, info.card_data, info.tags))
            following.extend(
                (bid, rel, depth + 1, (*path, info.id))
                for bid, rel in bases_of(info.card_data, info)
            )
        level = following
    return tuple(out)
