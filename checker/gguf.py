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

    def string(self) -> str:
        length = self.unpack("<Q")
        assert isinstance(length, int)
        return self.take(length).decode("utf-8", errors="replace")

    def value(self, kind: int, keep: bool) -> object:
        if kind in _SCALARS:
            return self.unpack(_SCALARS[kind])
        if kind == STRING:
            return self.string()
        if kind == ARRAY:
            inner, count = self.unpack("<I"), self.unpack("<Q")
            assert isinstance(inner, int) and isinstance(count, int)
            items = [self.value(inner, keep) for _ in range(count)]
            return items if keep else None
        raise _Truncated


def metadata(
    head: bytes, wanted: frozenset[str] = frozenset({"general.license"})
) -> dict[str, object]:
    """The wanted string/scalar keys found in the header bytes (fewer if they are cut short)."""
    out: dict[str, object] = {}
    reader = _Reader(head)
    try:
        if reader.take(4) != b"GGUF":
            return out
        version = reader.unpack("<I")
        if version == 1:
            return out  # v1 used 32-bit counts; too old to matter here
        reader.unpack("<Q")  # tensor count
        count = reader.unpack("<Q")
        assert isinstance(count, int)
        for _ in range(min(count, MAX_KEYS)):
            key = reader.string()
            kind = reader.unpack("<I")
            assert isinstance(kind, int)
            value = reader.value(kind, keep=key in wanted)
            if key in wanted:
                out[key] = value
                if len(out) == len(wanted):
                    break
    except (_Truncated, AssertionError, struct.error):
        pass
    return out
