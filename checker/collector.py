"""The cyclic garbage collector during bulk work.

Reading, building and evaluating facts makes tens of objects per model and keeps most of them
until the report is written. With the collector running, every few hundred new objects start a
young collection, and every tenth of those an older one that walks everything the audit holds
(about 9% of a local bulk audit). Almost nothing here is cyclic (reference counting frees it),
so bulk loops pause the collector and collect only the young generation every ``YOUNG_EVERY``
models: the few cycles a model makes (an exception's traceback, a parser that refers to itself)
are freed within that many models, and what survives is not walked again until the end.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

YOUNG_EVERY = 64  # models between young collections while paused (about 3 MiB of garbage)


@contextmanager
def paused() -> Iterator[None]:
    """Pause the cyclic collector (as it was when this ends: nested pauses do nothing)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@contextmanager
def bulk(every: int = YOUNG_EVERY) -> Iterator[Callable[[], None]]:
    """``paused``, and a function to call once per model that collects the young generation
    every ``every`` calls, so the cycles a model leaves are freed while the loop runs."""
    count = 0

    def tick() -> None:
        nonlocal count
        count += 1
        if count % every == 0:
            gc.collect(0)

    with paused():
        yield tick
