"""Sources: where raw model material comes from. Every source does its own I/O and nothing else.

``SOURCES`` maps a target kind to the function that reads it into a ``RawModel``; a ``Session``
carries what one run shares between sources (the Hub client, made on first use).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from checker.sources.hub_client import HubClient, HubOptions
from checker.sources.local import read_local
from checker.sources.raw import RawModel
from checker.sources.targets import Target


class Session:
    """One run's shared state: the Hub options and, once needed, the Hub client."""

    def __init__(self, hub: HubOptions | None = None) -> None:
        self.hub_options = hub or HubOptions()
        self._client: HubClient | None = None
        self._offline: HubClient | None = None
        self._lock = threading.Lock()

    @property
    def hub(self) -> HubClient:
        """The run's Hub client (huggingface_hub is imported only when a Hub target appears)."""
        with self._lock:
            if self._client is None:
                self._client = HubClient(self.hub_options)
            return self._client

    @property
    def offline_hub(self) -> HubClient:
        """A client that answers from the local cache only (for ``--hf-cache``)."""
        if self.hub_options.offline:
            return self.hub
        with self._lock:
            if self._offline is None:
                self._offline = HubClient(replace(self.hub_options, offline=True))
            return self._offline


def _read_hub(target: Target, session: Session) -> RawModel:
    from checker.sources.hub import read_hub

    return read_hub(target, session.hub)


def _read_hf_cache(target: Target, session: Session) -> RawModel:
    """A snapshot in the local Hugging Face cache: Hub metadata from the cache when an earlier
    run kept it, else the snapshot folder alone (and the report says what is missing)."""
    from checker.sources.hub import read_hub

    raw = read_hub(target, session.offline_hub)
    if raw.error is None or target.origin is None:
        return raw
    snapshot = Target(
        "local", str(target.origin.value), target.display, target.model_id, target.revision, None
    )
    local = read_local(snapshot)
    note = "no Hub metadata cached for this revision (gating, full file list): snapshot only"
    return RawModel(
        **{
            **{k: getattr(local, k) for k in local.__dataclass_fields__},
            "source": "hf-cache",
            "hub_notes": (note,),
        }
    )


SOURCES: dict[str, Callable[[Target, Session], RawModel]] = {
    "local": lambda target, _session: read_local(target),
    "hub": _read_hub,
    "hf-cache": _read_hf_cache,
}


def hf_cache_targets(cache_dir: str | None = None) -> list[Target]:
    """Every model snapshot in the local Hugging Face cache, as offline targets."""
    from huggingface_hub import constants

    from checker.findings import Evidence
    from checker.sources.hub_client import iter_cached_models

    root = Path(cache_dir or constants.HF_HUB_CACHE)
    return [
        Target(
            "hf-cache",
            ident,
            f"{ident}@{sha[:12]} (HF cache)",
            ident,
            sha,
            Evidence(str(root), f"models--{ident.replace('/', '--')}", str(path)),
        )
        for ident, sha, path in iter_cached_models(root)
    ]


__all__ = ["SOURCES", "HubOptions", "RawModel", "Session", "Target", "hf_cache_targets"]
