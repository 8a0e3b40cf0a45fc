"""The fake Hub served from a process of its own, as the real Hub is served from elsewhere.

``tests/fakehub.py`` serves from threads of the process that starts it. For the tests that is
what is wanted; for a benchmark of concurrency it is not: at ``jobs=8`` the server's own request
parsing, handlers and log then take turns with the client for one interpreter lock, and what is
measured is partly the fake Hub. ``HubProcess`` forks a child that starts the ``FakeHub`` it is
given and answers the few things the benchmark asks of it (its URL, its request log, clearing
the log, its latency) over a pipe.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from fakehub import FakeHub, LoggedRequest


def _serve(hub: FakeHub, conn: Connection) -> None:
    """The child: start the servers, then answer until told to stop (or the pipe closes)."""
    with hub:
        conn.send(hub.url)
        while True:
            try:
                what, value = conn.recv()
            except EOFError:
                return
            if what == "stop":
                conn.send(None)
                return
            if what == "clear_log":
                hub.clear_log()
                conn.send(None)
            elif what == "requests":
                conn.send(list(hub.requests))
            elif what == "latency":
                hub.latency = value
                conn.send(None)
            else:
                conn.send(ValueError(f"unknown request {what!r}"))


class HubProcess:
    """``with HubProcess(hub) as remote:`` the hub's servers run in a forked child; ``remote``
    has the ``url``, ``requests``, ``clear_log()`` and ``latency`` the benchmark uses."""

    def __init__(self, hub: FakeHub) -> None:
        self._hub = hub
        self._conn: Connection | None = None
        self._child: Any = None
        self.url = ""

    def __enter__(self) -> HubProcess:
        context = multiprocessing.get_context("fork")  # the world is inherited, not pickled
        mine, theirs = context.Pipe()
        self._child = context.Process(target=_serve, args=(self._hub, theirs), daemon=True)
        self._child.start()
        theirs.close()
        self._conn = mine
        self.url = mine.recv()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            with contextlib.suppress(EOFError, OSError):  # the child is gone already
                self._ask("stop")
            self._conn.close()
        if self._child is not None:
            self._child.join(timeout=10)
            if self._child.is_alive():
                self._child.terminate()

    def _ask(self, what: str, value: Any = None) -> Any:
        assert self._conn is not None, "HubProcess used outside its with block"
        self._conn.send((what, value))
        answer = self._conn.recv()
        if isinstance(answer, Exception):
            raise answer
        return answer

    def clear_log(self) -> None:
        self._ask("clear_log")

    @property
    def requests(self) -> list[LoggedRequest]:
        answer: list[LoggedRequest] = self._ask("requests")
        return answer

    @property
    def latency(self) -> float:
        return self._hub.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self._hub.latency = seconds
        self._ask("latency", seconds)
