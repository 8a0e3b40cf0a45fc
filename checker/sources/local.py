"""Read a model folder on disk: card, config, adapter config, licence files, weight file heads."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from checker.card import MAX_CARD_BYTES
from checker.paths import display_path, printable
from checker.sources.purl import hub_purl
from checker.sources.raw import RawFile, RawModel, RawText, WeightHeader, read_files_of
from checker.sources.targets import Target, local_model_id

MAX_FILES = 20_000
MAX_DEPTH = 4
MAX_JSON_BYTES = 5 * 1024 * 1024
HEAD_BYTES = 16
GGUF_HEAD_BYTES = 1024 * 1024
if TYPE_CHECKING:
    from checker.sources.session import Session

LICENSE_FILE = re.compile(
    r"^(licen[cs]e|copying|notice|use_policy|acceptable_use_policy|model_licen[cs]e|"
    r"licen[cs]e[-_]model|.*[-_]licen[cs]e(_agreement)?)([-_.].*)?$",
    re.IGNORECASE,
)
SKIP_DIRS = {".git", ".cache", "__pycache__", ".huggingface"}


def _read(root: Path, rel: str, limit: int) -> RawText:
    shown = f"{display_path(root)}/{rel}"
    if not (root / rel).is_file():
        what = "a folder" if (root / rel).is_dir() else "a broken link or not a regular file"
        return RawText(shown, None, f"cannot read {shown}: {what}")
    try:
        with open(root / rel, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        return RawText(shown, None, f"cannot read {shown}: {exc.strerror or exc}")
    if len(data) > limit:
        return RawText(shown, data[:limit], truncated=True)
    return RawText(shown, data)


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(HEAD_BYTES)
    except OSError:
        return b""


def _walk(root: Path) -> tuple[list[RawFile], bool]:
    files: list[RawFile] = []
    complete = True
    for current, dirs, names in os.walk(root):
        here = Path(current)
        depth = len(here.relative_to(root).parts)
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and depth < MAX_DEPTH)
        if depth >= MAX_DEPTH and dirs:
            complete = False
        for name in sorted(names):
            if len(files) >= MAX_FILES:
                return files, False
            full = here / name
            rel = full.relative_to(root).as_posix()
            try:
                size = full.stat().st_size
            except OSError:
                continue
            files.append(RawFile(rel, size, _head(full) if _is_weight_name(rel) else b""))
    return files, complete


def _is_weight_name(rel: str) -> bool:
    from checker.weights import format_from_name

    return format_from_name(rel) is not None


class LocalSource:
    """A model folder on disk (a Hugging Face cache snapshot folder keeps its Hub id)."""

    name = "local"

    def read(self, target: Target, session: Session) -> RawModel:
        """Card, configs, licence files and weight file heads of one folder."""
        return read_local(target)


def read_local(target: Target) -> RawModel:
    """Read one model folder; a missing or unreadable folder gives a RawModel with ``error``."""
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
    files, complete = _walk(root)
    gguf = _gguf_headers(root, [f.path for f in files if f.path.lower().endswith(".gguf")])
    tensors, header_problems = _safetensors_headers(
        root,  # a file too small to hold a header is reported as too small, not here
        [f.path for f in files if f.path.lower().endswith(".safetensors") and f.size >= 9],
    )
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


def _safetensors_headers(
    root: Path, names: list[str]
) -> tuple[tuple[WeightHeader, ...], tuple[str, ...]]:
    """``__metadata__`` string keys of (at most three) safetensors headers (the 8-byte length,
    then at most 4 MiB of JSON); a header that cannot be read is a problem, never a crash."""
    out: list[WeightHeader] = []
    problems: list[str] = []
    for name in names[:SAFETENSORS_FILES]:
        shown = f"{display_path(root)}/{name}"
        try:
            with open(root / name, "rb") as handle:
                size = int.from_bytes(handle.read(8), "little")
                if size > MAX_SAFETENSORS_HEADER:
                    problems.append(f"{shown}: safetensors header of {size:,} bytes, not read")
                    continue
                raw = handle.read(size)
        except OSError as exc:
            problems.append(f"{shown}: cannot read: {exc.strerror or exc}")
            continue
        if len(raw) < size:
            problems.append(f"{shown}: safetensors header cut short ({len(raw)} of {size} bytes)")
            continue
        try:
            values = safetensors_values(raw)
        except ValueError:
            problems.append(f"{shown}: safetensors header is not valid JSON")
            continue
        if values:
            out.append(WeightHeader(shown, "safetensors", values))
    return tuple(out), tuple(problems)


def safetensors_values(raw: bytes) -> dict[str, str]:
    """The licence and lineage keys of a safetensors header's ``__metadata__`` (the JSON after
    the 8-byte length); ValueError when it is not JSON. Shared with the Hub's range reads."""
    import json

    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ValueError("not valid JSON") from exc
    meta = header.get("__metadata__") if isinstance(header, dict) else None
    if not isinstance(meta, dict):
        return {}
    return {
        k: v.strip()[:MAX_HEADER_VALUE]
        for k in SAFETENSORS_KEYS
        if isinstance(v := meta.get(k), str) and v.strip()
    }


def _gguf_headers(root: Path, names: list[str]) -> tuple[WeightHeader, ...]:
    """The licence and base-model keys of (at most three) GGUF files' headers."""
    from checker.gguf import metadata

    out = []
    for name in names[:GGUF_FILES]:
        try:
            with open(root / name, "rb") as handle:
                head = handle.read(GGUF_HEAD_BYTES)
        except OSError:
            continue
        values = {
            k: v.strip()[:MAX_HEADER_VALUE]
            for k, v in metadata(head, GGUF_KEYS).items()
            if isinstance(v, str) and v.strip()
        }
        if values:
            out.append(WeightHeader(f"{display_path(root)}/{name}", "gguf", values))
    return tuple(out)


def _with_error(base: RawModel, message: str) -> RawModel:
    return replace(base, error=message)
