"""Read a model folder on disk: card, config, adapter config, licence files, weight file heads."""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from checker import paths
from checker.card import MAX_CARD_BYTES
from checker.paths import display_path, printable
from checker.sources.purl import hub_purl
from checker.sources.raw import (
    RawFile,
    RawModel,
    RawText,
    ReadFile,
    WeightHeader,
    header_digest,
    read_files_of,
)
from checker.sources.targets import Target, model_id_of

MAX_FILES = 20_000
MAX_DEPTH = 4
MAX_JSON_BYTES = 5 * 1024 * 1024
HEAD_BYTES = 16
GGUF_HEAD_BYTES = 1024 * 1024
if TYPE_CHECKING:
    from checker.sources.hashing import OnBytes
    from checker.sources.session import Session

LICENSE_FILE = re.compile(
    r"^(licen[cs]e|copying|notice|use_policy|acceptable_use_policy|model_licen[cs]e|"
    r"licen[cs]e[-_]model|.*[-_]licen[cs]e(_agreement)?)([-_.].*)?$",
    re.IGNORECASE,
)
SKIP_DIRS = {".git", ".cache", "__pycache__", ".huggingface"}
# what ``Path.exists`` reads as "not there" (a loop of links among them)
_MISSING = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP})


class NotRegular(OSError):
    """A path that is not a regular file (a named pipe, a device, a folder): never read."""


def _open_fd(path: str | os.PathLike[str]) -> tuple[int, int]:
    """A descriptor of a regular file and its size, opened without ever blocking: a named pipe
    or a device named like a model file is refused (opened non-blocking, then checked with
    fstat). The caller closes the descriptor."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            mode = info.st_mode
            kind = "a named pipe" if stat.S_ISFIFO(mode) else "a device or socket"
            raise NotRegular(f"not a regular file ({'a folder' if stat.S_ISDIR(mode) else kind})")
        os.set_blocking(fd, True)
        return fd, info.st_size
    except BaseException:
        os.close(fd)
        raise


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """Open a regular file for reading without ever blocking (see ``_open_fd``)."""
    return os.fdopen(_open_fd(path)[0], "rb")


def read_regular(path: str | os.PathLike[str], count: int) -> bytes:
    """At most ``count`` bytes from the start of a regular file (``_open_fd``). The buffer asked
    for is the file's size, not ``count``: a card read with a 1 MiB bound is a few hundred bytes,
    and asking for a 1 MiB buffer costs more than the read. Reading goes on past the size fstat
    gave (a file that grows, a ``/proc`` file that says 0) until ``count`` or the end."""
    fd, size = _open_fd(path)
    try:
        want = min(size, count) if size else min(count, 65_536)
        data = os.read(fd, want)
        while len(data) < count:
            more = os.read(fd, min(count - len(data), max(want, 65_536)))
            if not more:
                break
            data += more
        return data
    finally:
        os.close(fd)


def _why(exc: OSError) -> str:
    return str(exc) if isinstance(exc, NotRegular) else str(exc.strerror or exc)


def _read(root: Path, shown_root: str, rel: str, limit: int) -> RawText:
    """At most ``limit`` bytes of ``root/rel`` (``shown_root``: ``display_path(root)``)."""
    shown = f"{shown_root}/{rel}"
    path = os.path.join(root, rel)
    try:
        data = read_regular(path, limit + 1)
    except OSError as exc:
        if not os.path.isfile(path):
            what = "a folder" if os.path.isdir(path) else "a broken link or not a regular file"
            return RawText(shown, None, f"cannot read {shown}: {what}")
        return RawText(shown, None, f"cannot read {shown}: {_why(exc)}")
    if len(data) > limit:
        return RawText(shown, data[:limit], truncated=True)
    return RawText(shown, data)


def _walk(root: Path, shown: str) -> tuple[list[RawFile], bool, list[tuple[str, str]]]:
    """The files to ``MAX_DEPTH`` folders down and ``MAX_FILES`` files, weight files with their
    first bytes; what a bound left out and what could not be read are (where, why) limits, and
    the list is then not complete. ``shown``: ``display_path(root)``. Paths are strings here
    (``os.walk`` yields each folder as ``root`` joined with the names below it)."""
    files: list[RawFile] = []
    limits: list[tuple[str, str]] = []
    complete = True
    top = os.fspath(root)
    for current, dirs, names in os.walk(top):
        below = current[len(top) :].lstrip(os.sep)  # os.walk joins ``top`` and the names
        prefix = below.replace(os.sep, "/") + "/" if below else ""
        depth = prefix.count("/")
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        if depth >= MAX_DEPTH and dirs:
            deeper = prefix + dirs[0]
            limits.append((f"{shown}/{printable(deeper)}", f"folders deeper than {MAX_DEPTH} "
                           f"levels are not read ({printable(deeper)}/...): the file list is "
                           "incomplete"))  # fmt: skip
            dirs[:] = []
            complete = False
        for name in sorted(names):
            if len(files) >= MAX_FILES:
                limits.append((shown, f"more than {MAX_FILES:,} files: the first {MAX_FILES:,} "
                               "were read, the rest were not checked"))  # fmt: skip
                return files, False, limits
            full = os.path.join(current, name)
            rel = prefix + name
            try:
                size = os.stat(full).st_size
            except (OSError, ValueError):
                continue
            head = b""
            if _is_weight_name(rel):
                try:
                    head = read_regular(full, HEAD_BYTES)
                except OSError as exc:
                    limits.append((f"{shown}/{printable(rel)}", f"{printable(rel)}: {_why(exc)}, "
                                   "not read as weights"))  # fmt: skip
                    continue
            files.append(RawFile(printable(rel), size, head))  # a name not UTF-8: U+FFFD
    return files, complete, limits


def _is_weight_name(rel: str) -> bool:
    from checker.weights import format_from_name

    return format_from_name(rel) is not None


class LocalSource:
    """A model folder on disk (a Hugging Face cache snapshot folder keeps its Hub id)."""

    name = "local"

    def ready(self, target: Target, session: Session) -> bool:
        """Always: a folder on disk needs no request."""
        return True

    def read(self, target: Target, session: Session) -> RawModel:
        """Card, configs, licence files and weight file heads of one folder (and the weight
        files' whole-file digests when the session asks for them: ``--hash-weights``)."""
        return read_local(target, session.hash_weights, session.on_bytes)


def read_local(
    target: Target, hash_weights: bool = False, on_bytes: OnBytes | None = None
) -> RawModel:
    """Read one model folder; a missing or unreadable folder gives a RawModel with ``error``.
    ``hash_weights``: stream every weight file through SHA-256 (``on_bytes`` hears progress)."""
    root = Path(target.ref)
    try:
        full = paths.real(root)
        derived_id, derived_revision = model_id_of(full)
        location = paths.shown(full)
    except (OSError, ValueError):  # a NUL byte, a name over the system's limit
        derived_id, derived_revision = f"local/{printable(root.name) or 'model'}", None
        location = display_path(root)
    model_id = target.model_id or derived_id
    revision = target.revision or derived_revision
    base = RawModel(
        target=target.display,
        model_id=model_id,
        source="local",
        location=location,
        revision=revision,
        named_by=target.named_by,
    )
    try:
        mode = os.stat(root).st_mode
    except OSError as exc:
        if exc.errno not in _MISSING:
            return _with_error(base, f"{base.location}: cannot be read: {exc.strerror or exc}")
        return _with_error(base, f"{base.location}: no such folder")
    except ValueError as exc:
        return _with_error(base, f"{base.location}: cannot be read: {exc}")
    if not stat.S_ISDIR(mode):
        return _with_error(base, f"{base.location}: not a folder")
    try:
        top = sorted(os.listdir(root))
    except OSError as exc:
        return _with_error(base, f"{base.location}: cannot read folder: {exc.strerror or exc}")
    files, complete, limits = _walk(root, base.location)
    digests: list[ReadFile] = []
    gguf, gguf_limits = _gguf_headers(
        root, base.location, [f.path for f in files if f.path.lower().endswith(".gguf")], digests
    )
    tensors, header_problems, tensor_limits = _safetensors_headers(
        root,
        base.location,  # a file too small to hold a header is reported as too small, not here
        [f.path for f in files if f.path.lower().endswith(".safetensors") and f.size >= 9],
        digests,
    )
    if hash_weights:
        from checker.sources.hashing import hash_weights as hash_files

        hashed, hash_limits = hash_files(root, files, on_bytes)
        digests += hashed
        limits += hash_limits
    card_name = next((n for n in top if n.lower() == "readme.md"), None)
    license_names = [n for n in top if LICENSE_FILE.match(n) and n.lower() != "readme.md"]
    # a broken link or a folder is read, and says why not
    licenses = tuple(_read(root, base.location, n, MAX_CARD_BYTES) for n in license_names)
    card = _read(root, base.location, card_name, MAX_CARD_BYTES) if card_name else None
    shown = base.location
    config = _read(root, shown, "config.json", MAX_JSON_BYTES) if "config.json" in top else None
    adapter = (
        _read(root, shown, "adapter_config.json", MAX_JSON_BYTES)
        if "adapter_config.json" in top
        else None
    )
    return RawModel(
        target=base.target,
        model_id=model_id,
        source="local",
        location=base.location,
        revision=revision,
        card=card,
        config=config,
        adapter_config=adapter,
        license_files=licenses,
        files=tuple(files),
        files_complete=complete,
        named_by=target.named_by,
        purl=hub_purl(model_id, revision),
        headers=gguf + tensors,
        header_problems=header_problems,
        read_files=read_files_of(
            (card_name or "README.md", "card", card),
            ("config.json", "config", config),
            ("adapter_config.json", "adapter-config", adapter),
            *((n, "license", t) for n, t in zip(license_names, licenses, strict=True)),
        ),
        limits=(*limits, *gguf_limits, *tensor_limits),
        weight_digests=tuple(sorted(digests, key=lambda d: (d.path, d.role))),
    )


GGUF_FILES = 3  # headers read per model
GGUF_BASES = 8  # general.base_model.N entries read per header
GGUF_KEYS = frozenset(
    {
        "general.license",
        "general.license.name",
        "general.license.link",
        "general.base_model.count",
        *(
            f"general.base_model.{n}.{field}"
            for n in range(GGUF_BASES)
            for field in ("name", "organization", "repo_url")
        ),
    }
)
MAX_HEADER_VALUE = 2048


SAFETENSORS_FILES = 3  # headers read per model
MAX_SAFETENSORS_HEADER = 4 * 1024 * 1024  # real headers are KiB; a larger one is not read
SAFETENSORS_KEYS = (
    "license",
    "license_name",
    "license_link",
    "modelspec.license",
    "base_model",
    "modelspec.architecture",
)


def _header_values(
    values: dict[str, object], keys: Iterable[str]
) -> tuple[dict[str, str], list[str]]:
    """The wanted string values of a header, and why any was not used: one longer than
    ``MAX_HEADER_VALUE`` is left out (and said so) rather than cut short."""
    out: dict[str, str] = {}
    too_long: list[str] = []
    for key in keys:
        value = values.get(key)
        if not (isinstance(value, str) and value.strip()):
            continue
        if len(value) > MAX_HEADER_VALUE:
            too_long.append(f"header value {key} is {len(value):,} characters, "
                            f"longer than the {MAX_HEADER_VALUE:,} read: not used")  # fmt: skip
            continue
        out[key] = value.strip()
    return out, too_long


def _safetensors_headers(
    root: Path, shown_root: str, names: list[str], digests: list[ReadFile]
) -> tuple[tuple[WeightHeader, ...], tuple[str, ...], tuple[tuple[str, str], ...]]:
    """``__metadata__`` string keys of (at most three) safetensors headers (the 8-byte length,
    then at most 4 MiB of JSON); a header that cannot be read is a problem, never a crash. The
    digest of the bytes read (length and header) goes to ``digests``."""
    out: list[WeightHeader] = []
    problems: list[str] = []
    limits: list[tuple[str, str]] = []
    for name in names[:SAFETENSORS_FILES]:
        shown = f"{shown_root}/{name}"
        try:
            with open_regular(os.path.join(root, name)) as handle:
                prefix = handle.read(8)
                size = int.from_bytes(prefix, "little")
                if size > MAX_SAFETENSORS_HEADER:
                    problems.append(f"{shown}: safetensors header of {size:,} bytes, not read")
                    continue
                raw = handle.read(size)
        except OSError as exc:
            problems.append(f"{shown}: cannot read: {_why(exc)}")
            continue
        digests.append(header_digest(name, prefix + raw))
        if len(raw) < size:
            problems.append(f"{shown}: safetensors header cut short ({len(raw)} of {size} bytes)")
            continue
        try:
            meta = safetensors_meta(raw)
        except ValueError as exc:
            problems.append(f"{shown}: safetensors header is {exc}")
            continue
        values, too_long = _header_values(meta, SAFETENSORS_KEYS)
        limits += [(shown, f"{shown}: {why}") for why in too_long]
        if values:
            out.append(WeightHeader(shown, "safetensors", values))
    return tuple(out), tuple(problems), tuple(limits)


def safetensors_meta(raw: bytes) -> dict[str, object]:
    """A safetensors header's ``__metadata__`` (the JSON after the 8-byte length), ``{}`` when it
    has none; ValueError saying what is wrong when the header is not a JSON object."""
    import json

    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ValueError("not valid JSON") from exc
    if not isinstance(header, dict):
        raise ValueError("not a JSON object")
    meta = header.get("__metadata__")
    return meta if isinstance(meta, dict) else {}


def safetensors_values(raw: bytes) -> tuple[dict[str, str], list[str]]:
    """The licence and lineage keys of a safetensors header's ``__metadata__`` (shared with the
    Hub's range reads), and why any was not used (a value longer than ``MAX_HEADER_VALUE``).
    ValueError when the header is not a JSON object."""
    return _header_values(safetensors_meta(raw), SAFETENSORS_KEYS)


def _gguf_headers(
    root: Path, shown_root: str, names: list[str], digests: list[ReadFile]
) -> tuple[tuple[WeightHeader, ...], tuple[tuple[str, str], ...]]:
    """The licence and base-model keys of (at most three) GGUF files' headers; the digest of
    the bytes read (at most ``GGUF_HEAD_BYTES``) goes to ``digests``."""
    from checker.gguf import read_metadata

    out = []
    limits: list[tuple[str, str]] = []
    for name in names[:GGUF_FILES]:
        shown = f"{shown_root}/{name}"
        try:
            head = read_regular(os.path.join(root, name), GGUF_HEAD_BYTES)
        except OSError:
            continue
        digests.append(header_digest(name, head))
        found, complete = read_metadata(head, GGUF_KEYS)
        if not complete and len(head) == GGUF_HEAD_BYTES:
            limits.append((shown, f"{shown}: GGUF header longer than the {GGUF_HEAD_BYTES:,} "
                           "bytes read: licence keys after them were not checked"))  # fmt: skip
        values, too_long = _header_values(found, sorted(GGUF_KEYS))
        limits += [(shown, f"{shown}: {why}") for why in too_long]
        if values:
            out.append(WeightHeader(shown, "gguf", values))
    return tuple(out), tuple(limits)


def _with_error(base: RawModel, message: str) -> RawModel:
    return replace(base, error=message)
