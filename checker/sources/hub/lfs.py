"""The SHA-256 the Hub publishes for a model's LFS weight files (``lfs.sha256``), not downloaded.

One ``paths-info`` request per model at the audited commit names the weight files (in batches of
``BATCH``) and the Hub answers each LFS file's size and SHA-256; nothing is recomputed, so the
report says ``digest_origin: hub-lfs``. What is read at a commit is kept on disk beside the model
metadata (a commit's files never change), so a second run and ``--offline`` runs make no request.
A weight file the Hub keeps in git rather than LFS, a gated repository this token cannot list,
or a failed request gives no digest: the file is then not listed, never listed with a guess.
"""

from __future__ import annotations

import contextlib
import json
import re
import weakref
from pathlib import Path
from typing import Any

from checker import weights
from checker.sources.hub.client import HubClient, HubError, HubInfo, _write_atomic, describe
from checker.sources.raw import ReadFile

BATCH = 500  # paths per request (the Hub accepts long lists; a huge repository costs a few)
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def weight_names(info: HubInfo) -> list[str]:
    """The repository's weight files (by name), sorted."""
    return sorted(n for n in info.siblings if weights.detect(n, b"")[0] is not None)


def needs_request(client: HubClient, info: HubInfo) -> bool:
    """Whether ``lfs_digests`` would ask the Hub (weight files, nothing cached, online)."""
    return bool(weight_names(info)) and not client.options.offline and _cached(client, info) is None


def lfs_digests(client: HubClient, info: HubInfo) -> tuple[ReadFile, ...]:
    """The Hub's whole-file digests of the weight files, sorted by path."""
    names = weight_names(info)
    if not names:
        return ()
    found = _cached(client, info)
    if found is None:
        if client.options.offline:
            return ()
        found = {}
        try:
            for start in range(0, len(names), BATCH):
                batch = names[start : start + BATCH]
                found.update(_lfs(_paths_info(client, info, batch)))
        except HubError:  # gated, or failed: no digest rather than a guess (not remembered)
            return ()
        _remember(client, info, found)
    out = []
    for name in names:
        hit = found.get(name)
        if hit is not None:
            out.append(ReadFile(name, hit[0], hit[1], "weights", origin="hub-lfs"))
    return tuple(out)


def _paths_info(client: HubClient, info: HubInfo, paths: list[str]) -> list[Any]:
    """huggingface_hub's ``get_paths_info`` at the commit, through the client's bounded
    retries and request slots (counted as ``paths_info``)."""
    api = client._api

    def fetch() -> list[Any]:
        return list(api.get_paths_info(info.id, paths, revision=info.sha, expand=False))

    try:
        return list(client._call("paths_info", fetch))
    except Exception as exc:
        raise describe(exc, f"{info.id}@{info.sha[:12]} (file list)", client.endpoint) from exc


def _lfs(entries: list[Any]) -> dict[str, tuple[int, str]]:
    """(size, sha256) of each entry the Hub stores in LFS (``RepoFile.lfs``)."""
    out: dict[str, tuple[int, str]] = {}
    for entry in entries:
        lfs = getattr(entry, "lfs", None)
        sha256 = getattr(lfs, "sha256", None) if lfs is not None else None
        size = getattr(lfs, "size", None) if lfs is not None else None
        if isinstance(sha256, str) and SHA256.match(sha256) and isinstance(size, int):
            out[str(entry.path)] = (size, sha256)
    return out


def _path(client: HubClient, info: HubInfo) -> Path:
    return client.meta_dir / info.id.lower().replace("/", "--") / f"{info.sha}.lfs.json"


# What was read from the cache, per client and commit: ``needs_request`` (asked before a read,
# and by ``ready``) and ``lfs_digests`` then read the file once between them.
_READ: weakref.WeakKeyDictionary[HubClient, dict[tuple[str, str], dict[str, tuple[int, str]]]]
_READ = weakref.WeakKeyDictionary()


def _cached(client: HubClient, info: HubInfo) -> dict[str, tuple[int, str]] | None:
    memo = _READ.setdefault(client, {})
    found = memo.get((info.id, info.sha))
    if found is None:
        found = _read_cached(client, info)
        if found is not None:
            memo[(info.id, info.sha)] = found
    return found


def _read_cached(client: HubClient, info: HubInfo) -> dict[str, tuple[int, str]] | None:
    try:
        data = json.loads(_path(client, info).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    out: dict[str, tuple[int, str]] = {}
    for name, value in data.items():
        if not (isinstance(value, list) and len(value) == 2):
            return None
        size, sha = value
        if not (isinstance(size, int) and isinstance(sha, str) and SHA256.match(sha)):
            return None
        out[str(name)] = (size, sha)
    return out


def _remember(client: HubClient, info: HubInfo, found: dict[str, tuple[int, str]]) -> None:
    with contextlib.suppress(OSError):  # a cache not written only costs a request next time
        data = {name: list(value) for name, value in sorted(found.items())}
        _write_atomic(_path(client, info), json.dumps(data, sort_keys=True))
