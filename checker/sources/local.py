"""Read a model folder on disk: card, config, adapter config, licence files, weight file heads."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

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
from checker.sources.targets import Target, local_model_id

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


class NotRegular(OSError):
    """A path that is not a regular file (a named pipe, a device, a folder): never read."""


def open_regular(path: Path) -> BinaryIO:
    """Open a regular file for reading without ever blocking: a named pipe or a device named
    like a model file is refused (opened non-blocking, then checked with fstat)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a named pipe" if stat.S_ISFIFO(mode) else "a device or socket"
            raise NotRegular(f"not a regular file ({'a folder' if stat.S_ISDIR(mode) else kind})")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _why(exc: OSError) -> str:
    return str(exc) if isinstance(exc, NotRegular) else str(exc.strerror or exc)


def _read(root: Path, rel: str, limit: int) -> RawText:
    shown = f"{display_path(root)}/{rel}"
    if not (root / rel).is_file():
        what = "a folder" if (root / rel).is_dir() else "a broken link or not a regular file"
        return RawText(shown, None, f"cannot read {shown}: {what}")
    try:
        with open_regular(root / rel) as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        return RawText(shown, None, f"cannot read {shown}: {_why(exc)}")
    if len(data) > limit:
        return RawText(shown, data[:limit], truncated=True)
    return RawText(shown, data)


def _walk(root: Path) -> tuple[list[RawFile], bool, list[tuple[str, str]]]:
    """The files to ``MAX_DEPTH`` folders down and ``MAX_FILES`` files, weight files with their
    first bytes; what a bound left out and what could not be read are (where, why) limits, and
    the list is then not complete."""
    files: list[RawFile] = []
    limits: list[tuple[str, str]] = []
    complete = True
    shown = display_path(root)
    for current, dirs, names in os.walk(root):
        here = Path(current)
        depth = len(here.relative_to(root).parts)
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        if depth >= MAX_DEPTH and dirs:
            deeper = (here / dirs[0]).relative_to(root).as_posix()
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
            full = here / name
            rel = full.relative_to(root).as_posix()
            try:
                size = full.stat().st_size
            except OSError:
                continue
            head = b""
            if _is_weight_name(rel):
                try:
                    with open_regular(full) as handle:
                        head = handle.read(HEAD_BYTES)
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
        derived_id, derived_revision = local_model_id(root)
    except (OSError, ValueError):  # a NUL byte, a name over the system's limit
        derived_id, derived_revision = f"local/{printable(root.name) or 'model'}", None
    model_id = target.model_id or derived_id
    revision = target.revision or derived_revision
    base = RawModel(
        target=target.display,
        model_id=model_id,
        source="local",
        location=display_path(root),
        revision=revision,
        named_by=target.named_by,
    )
    try:
        exists, is_dir = root.exists(), root.is_dir()
    except (OSError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return _with_error(base, f"{base.location}: cannot be read: {why}")
    if not exists:
        return _with_error(base, f"{base.location}: no such folder")
    if not is_dir:
        return _with_error(base, f"{base.location}: not a folder")
    try:
        top = sorted(os.listdir(root))
    except OSError as exc:
        return _with_error(base, f"{base.location}: cannot read folder: {exc.strerror or exc}")
    files, complete, limits = _walk(root)
    digests: list[ReadFile] = []
    gguf, gguf_limits = _gguf_headers(
        root, [f.path for f in files if f.path.lower().endswith(".gguf")], digests
    )
    tensors, header_problems, tensor_limits = _safetensors_headers(
        root,  # a file too small to hold a header is reported as too small, not here
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
    licenses = tuple(_read(root, n, MAX_CARD_BYTES) for n in license_names)
    card = _read(root, card_name, MAX_CARD_BYTES) if card_name else None
    config = _read(root, "config.json", MAX_JSON_BYTES) if "config.json" in top else None
    adapter = (
        _read(root, "adapter_config.json", MAX_JSON_BYTES) if "adapter_config.json" in top else None
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
    shown: str, values: dict[str, object], keys: Iterable[str]
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The wanted string values of a header; one longer than ``MAX_HEADER_VALUE`` is not used
    (a limit says so) rather than cut short."""
    out: dict[str, str] = {}
    limits: list[tuple[str, str]] = []
    for key in keys:
        value = values.get(key)
        if not (isinstance(value, str) and value.strip()):
            continue
        if len(value) > MAX_HEADER_VALUE:
            limits.append((shown, f"{shown}: header value {key} is {len(value):,} characters, "
                           f"longer than the {MAX_HEADER_VALUE:,} read: not used"))  # fmt: skip
            continue
        out[key] = value.strip()
    return out, limits


def _safetensors_headers(
    root: Path, names: list[str], digests: list[ReadFile]
) -> tuple[tuple[WeightHeader, ...], tuple[str, ...], tuple[tuple[str, str], ...]]:
    """``__metadata__`` string keys of (at most three) safetensors headers (the 8-byte length,
    then at most 4 MiB of JSON); a header that cannot be read is a problem, never a crash. The
    digest of the bytes read (length and header) goes to ``digests``."""
    out: list[WeightHeader] = []
    problems: list[str] = []
    limits: list[tuple[str, str]] = []
    for name in names[:SAFETENSORS_FILES]:
        shown = f"{display_path(root)}/{name}"
        try:
            with open_regular(root / name) as handle:
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
        values, too_long = _header_values(shown, meta, SAFETENSORS_KEYS)
        limits += too_long
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


def safetensors_values(raw: bytes) -> dict[str, str]:
    """The licence and lineage keys of a safetensors header's ``__metadata__`` (shared with the
    Hub's range reads); a value longer than ``MAX_HEADER_VALUE`` is not used. ValueError when
    the header is not a JSON object."""
    return _header_values("", safetensors_meta(raw), SAFETENSORS_KEYS)[0]


def _gguf_headers(
    root: Path, names: list[str], digests: list[ReadFile]
) -> tuple[tuple[WeightHeader, ...], tuple[tuple[str, str], ...]]:
    """The licence and base-model keys of (at most three) GGUF files' headers; the digest of
    the bytes read (at most ``GGUF_HEAD_BYTES``) goes to ``digests``."""
    from checker.gguf import read_metadata

    out = []
    limits: list[tuple[str, str]] = []
    for name in names[:GGUF_FILES]:
        shown = f"{display_path(root)}/{name}"
        try:
            with open_regular(root / name) as handle:
                head = handle.read(GGUF_HEAD_BYTES)
        except OSError:
            continue
        digests.append(header_digest(name, head))
        found, complete = read_metadata(head, GGUF_KEYS)
        if not complete and len(head) == GGUF_HEAD_BYTES:
            limits.append((shown, f"{shown}: GGUF header longer than the {GGUF_HEAD_BYTES:,} "
                           "bytes read: licence keys after them were not checked"))  # fmt: skip
        values, too_long = _header_values(shown, found, sorted(GGUF_KEYS))
        limits += too_long
        if values:
            out.append(WeightHeader(shown, "gguf", values))
    return tuple(out), tuple(limits)


def _with_error(base: RawModel, message: str) -> RawModel:
    return replace(base, error=message)
