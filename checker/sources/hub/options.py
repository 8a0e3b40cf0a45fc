"""How to reach the Hub (kept apart from the client so that options cost no import)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

DEFAULT_HUB_JOBS = 8  # Hub models read at once (threads), and requests in flight, by default


def requests_in_flight(jobs: int | None) -> int:
    """The requests in flight at once for ``--jobs`` (``HubOptions.max_requests``): as many as
    models read at once, so ``--jobs 1`` asks the Hub one thing at a time."""
    return jobs or DEFAULT_HUB_JOBS


@dataclass(frozen=True, slots=True)
class HubOptions:
    """How to reach the Hub. None means huggingface_hub's own default (HF_ENDPOINT, HF_TOKEN or
    the saved login, HF_HUB_CACHE)."""

    endpoint: str | None = None
    token: str | bool | None = None
    cache_dir: str | None = None
    offline: bool = False
    timeout: float = 10.0
    retries: int = 2  # attempts after the first
    max_wait: float = 30.0
    max_requests: int = DEFAULT_HUB_JOBS  # requests in flight at once, whatever the threads
    max_depth: int = 8
    # safetensors headers read with range requests: auto = only when the card names no licence
    weight_headers: str = "auto"  # auto | always | never
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
