"""Whether a Hub model can be read without a request, as far as what is cached already tells.

A bulk audit reads Hub models on threads because requests wait; a model whose metadata is kept
at its pinned commit, whose weight digests are kept, and whose every ancestor this run already
knows needs no request, and reading it on a thread only makes the threads contend for the
interpreter (a warm pinned audit of 2,000 models cost 80% more CPU with 8 threads than with 1).
``ready`` answers cheaply and without I/O beyond the cached metadata it reads (which it leaves
in the client's memo, so the read does not read it again). A wrong "yes" costs one request made
where the caller is, never a wrong answer: what is read is the same either way.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import TYPE_CHECKING

from checker.sources.hub.client import SHA, HubClient, HubInfo
from checker.sources.hub.lfs import needs_request
from checker.sources.hub.lineage import bases_of

if TYPE_CHECKING:
    from checker.sources.targets import Target


def ready(client: HubClient, target: Target) -> bool:
    """True when reading ``target`` should need no request (offline: always)."""
    if client.options.offline:
        return True
    revision = target.revision
    if revision is None or not SHA.match(revision):
        return False  # a branch or tag is resolved by the Hub on every run
    info = _known(client, target.ref, revision)
    if info is None:
        return False
    return not needs_request(client, info) and _ancestors_known(client, info)


def _known(client: HubClient, repo_id: str, revision: str) -> HubInfo | None:
    """The metadata at a pinned commit, from this run's memo or the metadata cache (then kept in
    the memo); None when it would take a request (or is still being fetched)."""
    key = (repo_id, revision)
    future = client._memo.get(key)
    if future is not None:
        if not future.done() or future.exception() is not None:
            return None
        return future.result()
    cached = client.cached_info(repo_id, revision)
    if cached is None:
        return None
    done: Future[HubInfo] = Future()
    done.set_result(cached)
    with client._lock:
        client._memo.setdefault(key, done)
    return cached


def _ancestors_known(client: HubClient, info: HubInfo) -> bool:
    """Every ancestor the walk would fetch (to the depth limit) is in this run's memo already:
    fetched, or failed (an error is recorded, not fetched again)."""
    level = [i for i, _ in bases_of(info.card_data, info)]
    seen: set[str] = set()
    for _ in range(client.options.max_depth):
        following: list[str] = []
        for ident in level:
            if ident.lower() in seen:
                continue
            seen.add(ident.lower())
            future = client._memo.get((ident, None))
            if future is None or not future.done():
                return False
            if future.exception() is None:
                parent = future.result()
                following += [i for i, _ in bases_of(parent.card_data, parent)]
        if not following:
            return True
        level = following
    return True
