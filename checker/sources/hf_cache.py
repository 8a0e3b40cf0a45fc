"""Models in the local Hugging Face cache: every snapshot as an offline target, read with the Hub
metadata an earlier run kept for that commit, else as the snapshot folder alone (the report then
says which metadata is missing)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from checker.findings import Evidence
from checker.sources.local import read_local
from checker.sources.raw import RawModel
from checker.sources.session import Session
from checker.sources.targets import Target

NO_METADATA = "no Hub metadata cached for this revision (gating, full file list): snapshot only"


class HfCacheSource:
    """Snapshots in the local Hugging Face cache (``--hf-cache``): offline, never the network."""

    name = "hf-cache"

    def ready(self, target: Target, session: Session) -> bool:
        """Always: the cache is read, never the network."""
        return True

    def read(self, target: Target, session: Session) -> RawModel:
        """The cached Hub metadata at the snapshot's commit, else the snapshot folder."""
        from checker.sources.hub.read import read_hub

        raw = read_hub(target, session.offline_hub)
        if raw.error is None or target.snapshot is None:
            return raw
        snapshot = Target(
            "local", target.snapshot, target.display, target.model_id, target.revision, None
        )
        local = read_local(snapshot, session.hash_weights, session.on_bytes)
        if local.error is not None:
            return replace(local, source=self.name)
        notes = (Evidence(local.location, "files", NO_METADATA),)
        return replace(local, source=self.name, notes=notes)


def hf_cache_targets(cache_dir: str | None = None) -> list[Target]:
    """Every model snapshot in the local Hugging Face cache, as offline targets."""
    from huggingface_hub import constants

    from checker.sources.hub.client import iter_cached_models

    root = Path(cache_dir or constants.HF_HUB_CACHE)
    return [
        Target(
            "hf-cache",
            ident,
            f"{ident}@{sha[:12]} (HF cache)",
            ident,
            sha,
            Evidence(str(root), f"models--{ident.replace('/', '--')}", str(path)),
            snapshot=str(path),
        )
        for ident, sha, path in iter_cached_models(root)
    ]
