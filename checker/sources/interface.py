"""The seam every source implements: read one target into the neutral ``RawModel``.

A source does its own I/O and nothing else: it never decides, and it never raises for a model
it cannot read (the ``RawModel`` then carries a one-line ``error``). Adding a source (a registry
such as ModelScope) is a module under ``checker/sources/`` with a class of this shape, one entry
in ``SOURCES`` and the target kind its targets carry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from checker.sources.raw import RawModel
    from checker.sources.session import Session
    from checker.sources.targets import Target


class Source(Protocol):
    """Reads targets of one kind (``Target.kind``)."""

    name: str

    def read(self, target: Target, session: Session) -> RawModel:
        """Read one target; a model that cannot be read gives a RawModel with ``error`` set."""
        ...

    def ready(self, target: Target, session: Session) -> bool:
        """Whether reading ``target`` should need no network request (cheap; a guess that may
        be wrong only towards a request made where the caller is, never towards another
        answer). The run reads ready targets in its own thread and the others on threads."""
        ...
