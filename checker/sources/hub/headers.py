"""Safetensors ``__metadata__`` of a Hub model, read with HTTP range requests (no weights).

model_info's ``safetensors`` field carries only the parameter counts per dtype and their total
(huggingface_hub's ``SafeTensorsInfo``): the Hub does not serve ``__metadata__``, so a licence
written there is read from the file's first bytes, as the local source reads it: the 8-byte
length, then at most 4 MiB of JSON. One request of 100 kB covers almost every header (one more
when it is longer), for the first safetensors file only (shards repeat the same metadata).

When (``HubOptions.weight_headers``): ``auto`` reads it only when the card metadata names no
licence (no ``license``, or ``other``/``unknown`` without ``license_name``) and no GGUF header
does, so a well-carded model costs no request; ``always`` reads it for every model with a
safetensors file (a header that contradicts the card is then ``license/inconsistent``);
``never`` makes no range request. What is read at a commit is kept on disk beside the model
metadata, so a second run at the same commit and ``--offline`` runs make no request.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from checker.sources.hub.client import HubClient, HubError, HubInfo, _write_atomic
from checker.sources.local import MAX_SAFETENSORS_HEADER, safetensors_values
from checker.sources.raw import ReadFile, WeightHeader

FORMAT = 2  # of a kept reading (1 did not keep the values too long to use: read again)
HUB_SAFETENSORS_FILES = 1  # headers read per model (shards repeat the first one's metadata)
FIRST_READ = 100_000  # bytes of the first request: the length and, nearly always, the header
NO_LICENCE = frozenset({"", "other", "unknown"})
# (metadata values, or why not read; the values not used, each with why: too long)
Reading = tuple[dict[str, str] | None, str | None, tuple[str, ...]]
Read = tuple[int, str]  # (bytes read for the header, their sha256)


def names_licence(card_data: Mapping[str, Any] | None) -> bool:
    """Whether the card metadata names a licence (a licence id, or ``license_name``)."""
    data = card_data or {}
    value = data.get("license")
    values = value if isinstance(value, list) else [value]
    if any(isinstance(v, str) and v.strip().lower() not in NO_LICENCE for v in values):
        return True
    name = data.get("license_name")
    return isinstance(name, str) and bool(name.strip())


def safetensors_to_read(info: HubInfo, mode: str) -> list[str]:
    """The safetensors files whose headers are worth a request under ``mode``."""
    if mode == "never" or (mode == "auto" and (names_licence(info.card_data) or info.gguf_license)):
        return []
    names = [n for n in info.siblings if n.lower().endswith(".safetensors")]
    ordered = sorted(names, key=lambda n: (n.count("/"), n != "model.safetensors", n))
    return ordered[:HUB_SAFETENSORS_FILES]


def read_headers(
    client: HubClient, info: HubInfo, names: list[str]
) -> tuple[
    tuple[WeightHeader, ...], tuple[str, ...], tuple[ReadFile, ...], tuple[tuple[str, str], ...]
]:
    """The ``__metadata__`` of each file, the files whose header could not be read, the digests
    of the header bytes read (the 8-byte length and the header, role ``weights-header``) and
    the limits met (where, why: a value too long to use), as the local source says them."""
    headers: list[WeightHeader] = []
    problems: list[str] = []
    digests: list[ReadFile] = []
    limits: list[tuple[str, str]] = []
    for name in names:
        shown = f"hf:{info.id}@{info.sha}/{name}"
        (values, problem, too_long), read = _cached(client, info, name)
        if values is None and problem is None:
            if client.options.offline:
                continue  # never read online: nothing to say (the card is what counts)
            try:
                (values, problem, too_long), read = _read(client, info, name)
            except HubError as exc:  # not remembered: it may be transient
                if exc.kind != "gated":  # gating is said once, with availability
                    problems.append(f"{shown}: safetensors header not read: {exc}")
                continue
            _remember(client, info, name, (values, problem, too_long), read)
        if read is not None:
            digests.append(ReadFile(name, read[0], read[1], "weights-header", range=(0, read[0])))
        limits.extend((shown, f"{shown}: {why}") for why in too_long)
        if problem is not None:
            problems.append(f"{shown}: {problem}")
        elif values:
            headers.append(WeightHeader(shown, "safetensors", values))
    return tuple(headers), tuple(problems), tuple(digests), tuple(limits)


def _read(client: HubClient, info: HubInfo, name: str) -> tuple[Reading, Read | None]:
    head = client.read_range(info.id, info.sha, name, 0, FIRST_READ)
    if len(head) < 8:
        return (None, f"safetensors file of {len(head)} bytes, too small for a header", ()), None
    size = int.from_bytes(head[:8], "little")
    if size > MAX_SAFETENSORS_HEADER:
        return (None, f"safetensors header of {size:,} bytes, not read", ()), None
    raw = head[8 : 8 + size]
    if len(raw) < size:
        raw += client.read_range(info.id, info.sha, name, len(head), size + 8 - len(head))
    read = (8 + len(raw), hashlib.sha256(head[:8] + raw).hexdigest())
    if len(raw) < size:
        return (None, f"safetensors header cut short ({len(raw)} of {size} bytes)", ()), read
    try:
        values, too_long = safetensors_values(raw)
    except ValueError:
        return (None, "safetensors header is not valid JSON", ()), read
    return (values, None, tuple(too_long)), read


def _path(client: HubClient, info: HubInfo, name: str) -> Path:
    folder = client.meta_dir / info.id.lower().replace("/", "--")
    return folder / f"{info.sha}.safetensors" / f"{quote(name, safe='')}.json"


def _cached(client: HubClient, info: HubInfo, name: str) -> tuple[Reading, Read | None]:
    try:
        data = json.loads(_path(client, info, name).read_text())
    except (OSError, ValueError):
        return (None, None, ()), None
    if not isinstance(data, dict):
        return (None, None, ()), None
    values, problem, got = data.get("values"), data.get("problem"), data.get("read")
    too_long = data.get("too_long")
    if data.get("format") != FORMAT:
        # Kept by version 1, which did not keep the values too long to use: read again online;
        # offline it is all there is, used as that version used it (a value it left out was
        # no licence read, so the model's licence is not known from it either way).
        if not client.options.offline:
            return (None, None, ()), None
        too_long = []
    if not (isinstance(too_long, list) and all(isinstance(w, str) for w in too_long)):
        return (None, None, ()), None
    read: Read | None = None
    if isinstance(got, list) and len(got) == 2 and isinstance(got[0], int):
        read = (got[0], str(got[1]))
    if isinstance(problem, str):
        return (None, problem, ()), read
    if isinstance(values, dict) and all(isinstance(v, str) for v in values.values()):
        return ({str(k): v for k, v in values.items()}, None, tuple(too_long)), read
    return (None, None, ()), None


def _remember(
    client: HubClient, info: HubInfo, name: str, reading: Reading, read: Read | None
) -> None:
    values, problem, too_long = reading
    with contextlib.suppress(OSError):  # a cache not written only costs a request next time
        entry = {
            "format": FORMAT,
            "values": values,
            "problem": problem,
            "too_long": list(too_long),
            "read": list(read) if read else None,
        }
        _write_atomic(_path(client, info, name), json.dumps(entry))
