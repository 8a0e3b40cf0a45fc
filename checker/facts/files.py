"""What an audit read to reach its verdict, and the weight files' digests (``ModelFacts.files``).

Every entry says what its SHA-256 covers (``origin``):

- ``read``: the bytes Clearance read. For the card, ``config.json``, ``adapter_config.json`` and
  licence files that is the whole file (``range`` None; SHA-1 too, for SPDX), unless it was cut at
  the read limit. A weight header (role ``weights-header``: a GGUF file's first MiB, a
  safetensors file's 8-byte length and JSON header) is digested as read, with the byte ``range``
  ``[start, end)``: it is never a claim about the whole weight file.
- ``hub-lfs``: a whole weight file's SHA-256 as the Hub publishes it (``lfs.sha256``), when
  auditing from the Hub; not recomputed.
- ``hashed``: a whole local weight file, streamed through SHA-256 by ``--hash-weights``.

The lock file's licence inputs (``license.inputs.files``) are the ``read`` SHA-256 of the
licence files, the same strings as here. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from checker.sources.raw import RawModel

ORIGINS = ("read", "hub-lfs", "hashed")


@dataclass(frozen=True, slots=True)
class AuditedFile:
    """One file (or the part of it) the audit read, or a weight file's whole-file digest."""

    path: str  # relative to the model root (the repository for a Hub model)
    size: int  # bytes the digest covers (a header: the bytes read)
    sha256: str
    role: str  # card | config | adapter-config | license | weights-header | weights
    origin: str  # read | hub-lfs | hashed
    sha1: str | None = None  # files read in full only
    range: tuple[int, int] | None = None  # [start, end) when only part of the file was read

    @property
    def whole(self) -> bool:
        """True when the digest is of the whole file (not a header or a cut-off read)."""
        return self.range is None

    def to_json(self) -> dict[str, Any]:
        """The JSON report's entry (``models[].files[]``)."""
        out: dict[str, Any] = {
            "path": self.path,
            "size": self.size,
            "sha256": self.sha256,
            "role": self.role,
            "digest_origin": self.origin,
        }
        if self.range is not None:
            out["range"] = list(self.range)
        return out


def audited_files(raw: RawModel) -> tuple[AuditedFile, ...]:
    """What the source read and digested, sorted by path then role."""
    entries = (*raw.read_files, *raw.weight_digests)
    files = {
        (f.path, f.role): AuditedFile(f.path, f.size, f.sha256, f.role, f.origin, f.sha1, f.range)
        for f in entries
    }
    return tuple(files[k] for k in sorted(files))


def licence_files(files: tuple[AuditedFile, ...]) -> tuple[AuditedFile, ...]:
    """The licence files among ``files`` (NOTICE and HTML show their digests)."""
    return tuple(f for f in files if f.role == "license")
