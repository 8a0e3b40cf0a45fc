"""Weight formats: from file names, confirmed or corrected by the first bytes where cheap."""

from __future__ import annotations

import struct

PICKLE = "pickle"
# fewer bytes than a file of the format can possibly hold: such a file is not weights
MIN_BYTES = {"safetensors": 9, "gguf": 24, "ggml": 8, PICKLE: 2}
UNSAFE_FORMATS = frozenset({PICKLE})

_EXTENSIONS = {
    ".safetensors": "safetensors",
    ".gguf": "gguf",
    ".ggml": "ggml",
    ".onnx": "onnx",
    ".bin": PICKLE,
    ".pt": PICKLE,
    ".pth": PICKLE,
    ".ckpt": PICKLE,
    ".pkl": PICKLE,
    ".pickle": PICKLE,
    ".joblib": PICKLE,
    ".h5": "keras-h5",
    ".keras": "keras",
    ".msgpack": "flax-msgpack",
    ".tflite": "tflite",
    ".mlmodel": "coreml",
    ".npz": "numpy",
}
_ZIP_FORMATS = frozenset({"numpy", "keras"})
_NOT_WEIGHTS = ("training_args.bin", "optimizer.pt", "scheduler.pt", "rng_state.pth")


def format_from_name(path: str) -> str | None:
    """The weight format a file name says, or None when it is not a weight file."""
    name = path.rsplit("/", 1)[-1].lower()
    dot = name.rfind(".")
    if dot < 0:
        return None
    fmt = _EXTENSIONS.get(name[dot:])
    if fmt == PICKLE and name in _NOT_WEIGHTS:
        return PICKLE  # still pickle, still loaded by trainers: keep it visible
    return fmt


def format_from_head(head: bytes) -> str | None:
    """The format the first bytes show, when they show one."""
    if head.startswith(b"GGUF"):
        return "gguf"
    if head[:4] in (b"lmgg", b"fmgg", b"tjgg", b"algg"):
        return "ggml"
    if head.startswith(b"PK\x03\x04") or head[:1] == b"\x80":
        return PICKLE  # torch zip archive or a raw pickle stream
    if head.startswith(b"\x89HDF"):
        return "keras-h5"
    if len(head) >= 9:
        (length,) = struct.unpack("<Q", head[:8])
        if 0 < length < 100_000_000 and head[8:9] == b"{":
            return "safetensors"
    return None


def detect(path: str, head: bytes) -> tuple[str | None, str]:
    """Return (format, how it was told): the content wins over the name when they disagree."""
    by_name = format_from_name(path)
    if by_name is None:
        return None, "name"
    if not head:
        return by_name, "name"
    by_head = format_from_head(head)
    if by_head == PICKLE and head.startswith(b"PK") and by_name in _ZIP_FORMATS:
        by_head = by_name  # numpy .npz and .keras files are zip archives too
    if by_head is None or by_head == by_name:
        return by_name, "name" if by_head is None else "name+content"
    return by_head, f"content (the name says {by_name})"


def disguised(fmt: str, head: bytes) -> str | None:
    """Why a file whose name and first bytes agree on ``fmt`` (or whose bytes say nothing) is
    still not a file of that format, or None. Only the formats that are counted as safe are
    checked: a ``.safetensors`` or ``.gguf`` file must start as one."""
    if fmt == "gguf" and not head.startswith(b"GGUF"):
        return "its first bytes are not a GGUF header"
    if fmt == "safetensors" and format_from_head(head) != "safetensors":
        if len(head) >= 8:
            (length,) = struct.unpack("<Q", head[:8])
            if length >= 100_000_000:
                return f"its header claims {length:,} bytes"
        return "its first bytes are not a safetensors header"
    return None
