"""What one run shares between sources: the Hub options and, once needed, the Hub client."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import TYPE_CHECKING

from checker.sources.hub.options import HubOptions

if TYPE_CHECKING:
    from checker.sources.hashing import OnBytes
    from checker.sources.hub.client import HubClient
    from checker.sources.targets import Target


class Session:
    """One run's shared state: the Hub options and, once needed, the Hub client; whether local
    weight files are hashed in full (``hash_weights``) and who hears the bytes hashed."""

    def __init__(
        self,
        hub: HubOptions | None = None,
        hash_weights: bool = False,
        on_bytes: OnBytes | None = None,
    ) -> None:
        self.hub_options = hub or HubOptions()
        self.hash_weights = hash_weights
        self.on_bytes = on_bytes
        self._client: HubClient | None = None
        self._offline: HubClient | None = None
        self._lock = threading.Lock()

    @property
    def hub(self) -> HubClient:
        """The run's Hub client (huggingface_hub is imported only when a Hub target appears)."""
        from checker.sources.hub.client import HubClient

        with self._lock:
            if self._client is None:
                self._client = HubClient(self.hub_options)
            return self._client

    @property
    def offline_hub(self) -> HubClient:
        """A client that answers from the local cache only (for ``--hf-cache``)."""
        from checker.sources.hub.client import HubClient

        if self.hub_options.offline:
            return self.hub
        with self._lock:
            if self._offline is None:
                self._offline = HubClient(replace(self.hub_options, offline=True))
            return self._offline

    def close(self) -> None:
        """Let the Hub clients' threads go at the end of a run (they stay usable)."""
        for client in (self._client, self._offline):
            if client is not None:
                client.fanout.close()

    def author_targets(self, author: str) -> list[Target]:
        """Every model of a Hub author, as Hub targets (``SourceError`` when the Hub cannot say)."""
        from checker.sources.hub.client import HubError
        from checker.sources.targets import Target

        try:
            ids = self.hub.list_author(author)
        except HubError as exc:
            raise SourceError(str(exc)) from exc
        return [Target("hub", i, i, i) for i in ids]


class SourceError(Exception):
    """A source could not list what the user asked for (one line, for the user)."""
