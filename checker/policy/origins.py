"""Where each policy setting came from: the file and line of the ``extends`` chain that set it
last, or the command line. Checks cite settings through ``Policy.evidence``, so the evidence
names the file a setting actually came from (cargo-deny keeps a span with every config value).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from checker.findings import Evidence

COMMAND_LINE = "command line"
DEFAULT = "default"  # a setting no file and no option states: its default applies
MADE_LIMIT = 4096  # evidence objects one policy keeps for reuse
_PLAIN = (str, int, bool, type(None))


@dataclass(frozen=True, slots=True)
class Origin:
    """A policy file (as shown in reports) and the 1-based line of the key; or the command
    line (``COMMAND_LINE``, no line)."""

    source: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Origins:
    """Key paths (JSON Pointers such as ``/licenses/allow``; ``/rules/<id>`` and
    ``/waivers/<id>`` for list entries) to where they were set."""

    entries: tuple[tuple[str, Origin], ...] = ()
    _index: dict[str, Origin] = field(init=False, repr=False, compare=False, hash=False)
    # evidence already made, by (pointer, value, unset): every model's findings cite the same
    # few settings, so they share one (frozen) object each
    _made: dict[tuple[str, type, Any, str], Evidence] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", dict(self.entries))
        object.__setattr__(self, "_made", {})

    @classmethod
    def of(cls, mapping: Mapping[str, Origin]) -> Origins:
        """From a mapping, in key order (deterministic)."""
        return cls(tuple(sorted(mapping.items())))

    def get(self, pointer: str) -> Origin | None:
        """Where ``pointer`` was set, or None when no file set it (its default applies)."""
        return self._index.get(pointer)

    def overridden(self, pointers: Iterable[str], source: str = COMMAND_LINE) -> Origins:
        """The same, with ``pointers`` set from ``source`` (no line)."""
        index = dict(self._index)
        for pointer in pointers:
            index[pointer] = Origin(source)
        return Origins.of(index)

    def evidence(self, pointer: str, value: Any, unset: str) -> Evidence:
        """Evidence citing the setting at ``pointer``; a setting no file made is cited to
        ``unset`` (the policy as a whole: its last file) without a line."""
        kind = type(value)
        if not (kind in _PLAIN or (kind is tuple and all(type(v) is str for v in value))):
            return self._evidence(pointer, value, unset)  # a list, a float: made each time
        key = (pointer, kind, value, unset)  # the type too: True == 1, but is written otherwise
        made = self._made.get(key)
        if made is None:
            made = self._evidence(pointer, value, unset)
            if len(self._made) < MADE_LIMIT:
                self._made[key] = made
        return made

    def _evidence(self, pointer: str, value: Any, unset: str) -> Evidence:
        origin = self._index.get(pointer)
        if origin is None:
            return Evidence(unset, pointer, value)
        return Evidence(origin.source, pointer, value, origin.line)
