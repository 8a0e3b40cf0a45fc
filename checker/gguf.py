"""Read the metadata key-values at the start of a GGUF file (only as far as the bytes given go)."""

from __future__ import annotations

import struct

_SCALARS = {
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}
STRING, ARRAY = 8, 9
MAX_KEYS = 10_000
MAX_NESTING = 4


class _Truncated(Exception):
    pass


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, size: int) -> bytes:
        if size < 0 or self.pos + size > len(self.data):
            raise _Truncated
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def unpack(self, fmt: str) -> object:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def integer(self, fmt: str) -> int:
        value = self.unpack(fmt)
        if not isinstance(value, int):
            raise _Truncated
        return value

    def string(self) -> str:
        return self.take(self.integer("<Q")).decode("utf-8", errors="replace")

    def value(self, kind: int, keep: bool, depth: int = 0) -> object:
        if kind in _SCALARS:
            return self.unpack(_SCALARS[kind])
        if kind == STRING:
            return self.string()
        if kind == ARRAY and depth < MAX_NESTING:
            inner, count = self.integer("<I"), self.integer("<Q")
            items = [self.value(inner, keep, depth + 1) for _ in range(count)]
            return items if keep else None
        raise _Truncated  # unknown type, or arrays nested deeper than any real file


def metadata(
    head: bytes, wanted: frozenset[str] = frozenset({"general.license"})
) -> dict[str, object]:
    """The wanted string/scalar keys found in the header bytes (fewer if they are cut short)."""
    return read_metadata(head, wanted)[0]


def read_metadata(
    head: bytes, wanted: frozenset[str] = frozenset({"general.license"})
) -> tuple[dict[str, object], bool]:
    """The wanted keys found in the header bytes, and whether the search was complete: every
    key of the header was read (or every wanted key found). False when ``head`` ends inside the
    key-value section or the header has more than ``MAX_KEYS`` keys: keys after were not seen."""
    out: dict[str, object] = {}
    reader = _Reader(head)
    try:
        if reader.take(4) != b"GGUF":
            return out, True
        if reader.integer("<I") == 1:
            return out, True  # v1 used 32-bit counts; too old to matter here
        reader.integer("<Q")  # tensor count
        count = reader.integer("<Q")
        for _ in range(min(count, MAX_KEYS)):
            key = reader.string()
            kind = reader.integer("<I")
            value = reader.value(kind, keep=key in wanted)
            if key in wanted:
                out[key] = value
                if len(out) == len(wanted):
                    return out, True
    except (_Truncated, struct.error):
        return out, False
    return out, count <= MAX_KEYS
