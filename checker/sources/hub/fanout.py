"""One run's threads for the Hub requests a model's read overlaps (its files, a lineage level).

Made once per client (not once per model: starting threads cost a warm audit a quarter of its
CPU), on first use, and only ever given leaf work: a task fetches one thing and never waits for
another task of this pool, so a read that waits for its tasks cannot starve it. How many
requests are in flight stays bounded by the client (``HubOptions.max_requests``), whatever the
number of threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


class Fanout:
    """A lazily started thread pool for leaf fetches, shared by every model of a run."""

    def __init__(self, workers: int) -> None:
        self.workers = max(2, workers)
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., T], *args: object) -> Future[T]:
        """Run ``fn(*args)`` on one of the run's threads (it must not wait for another task)."""
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="clearance-hub")
            pool = self._pool
        return pool.submit(fn, *args)

    def close(self) -> None:
        """Let the threads go (a later ``submit`` starts new ones)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
