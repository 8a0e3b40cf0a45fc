"""Read a model from the Hub at an exact commit: metadata, card, config, licence files, lineage.

Files are downloaded at the resolved 40-hex sha, so the audit records exactly what it read. When
a gated repository's files cannot be read, the card metadata comes from model_info. What the Hub
says beyond the files (gating, tags, card data, the GGUF licence, auto_map) becomes the neutral
``RemoteInfo``; the lineage is walked by ``checker.sources.hub.lineage``.
"""

from __future__ import annotations

import json
from dataclasses import replace

from checker import weights
from checker.findings import Evidence
from checker.sources.hub.client import HubClient, HubError, HubInfo
from checker.sources.hub.headers import read_headers, safetensors_to_read
from checker.sources.hub.lfs import lfs_digests, needs_request
from checker.sources.hub.lineage import walk_lineage
from checker.sources.local import LICENSE_FILE, MAX_JSON_BYTES
from checker.sources.purl import hub_purl
from checker.sources.raw import RawFile, RawModel, RawText, read_files_of
from checker.sources.remote import RemoteInfo
from checker.sources.targets import Target


def _text(client: HubClient, info: HubInfo, name: str, notes: list[str]) -> RawText | None:
    shown = f"hf:{info.id}@{info.sha}/{name}"
    try:
        data = client.download(info.id, info.sha, name)
    except HubError as exc:
        if exc.kind == "gated":
            notes.append(f"{name}: gated, not readable with this token; metadata from the Hub API")
            return None
        return RawText(shown, None, str(exc))
    return _sized(shown, data)


def _sized(shown: str, data: bytes) -> RawText:
    if len(data) > MAX_JSON_BYTES:
        return RawText(shown, data[:MAX_JSON_BYTES], truncated=True)
    return RawText(shown, data)


def _cached(client: HubClient, info: HubInfo, name: str) -> bytes | None:
    """The file at the commit from the Hugging Face cache, where ``hf_hub_download`` would find
    it without a request (None when it is not there, or not a plain top-level name)."""
    if "/" in name or "\\" in name or name in (".", ".."):
        return None
    folder = client.cache_dir / f"models--{info.id.replace('/', '--')}" / "snapshots"
    try:
        return (folder / info.sha / name).read_bytes()
    except OSError:  # not cached (or a folder): downloaded, and its error said, as before
        return None


def _license_files(info: HubInfo) -> list[str]:
    names = [n for n in info.siblings if "/" not in n and LICENSE_FILE.match(n)]
    link = (info.card_data or {}).get("license_link")
    if isinstance(link, str) and link in info.siblings and link not in names:
        names.append(link)
    return sorted(n for n in names if n.lower() != "readme.md")


def read_hub(target: Target, client: HubClient) -> RawModel:
    """Read one Hub model; a failure gives a RawModel with a one-line ``error``."""
    ident = target.model_id or target.ref
    base = RawModel(
        target=target.display,
        model_id=ident,
        source="hub",
        location=f"hf:{ident}",
        revision=target.revision,
        named_by=target.named_by,
        url=f"{client.endpoint}/{ident}",
    )
    try:
        info = client.info(target.ref, target.revision)
    except HubError as exc:
        return replace(base, error=str(exc))
    notes: list[str] = []
    # model_info's expanded config already carries auto_map; download config.json only without it
    wants_config = "config.json" in info.siblings and not info.has_config
    names: list[str] = [n for n in ("README.md", "adapter_config.json") if n in info.siblings]
    names += ["config.json"] if wants_config else []
    names += _license_files(info)
    # The files not yet in the Hugging Face cache download on the run's threads while the
    # lineage is walked here; a cached file is read here, with no thread and no request.
    texts: dict[str, RawText | None] = {}
    # one request beside the rest when not cached at the commit; else no thread at all
    lfs = client.fanout.submit(lfs_digests, client, info) if needs_request(client, info) else None
    pending = {}
    for name in names:
        data = _cached(client, info, name)
        if data is None:
            pending[name] = client.fanout.submit(_text, client, info, name, notes)
        else:
            texts[name] = _sized(f"hf:{info.id}@{info.sha}/{name}", data)
    if "adapter_config.json" in pending:
        texts["adapter_config.json"] = pending.pop("adapter_config.json").result()
    adapter = texts.get("adapter_config.json")
    ancestors = walk_lineage(client, info, info.card_data, _adapter_base(adapter))
    tensors = safetensors_to_read(info, client.options.weight_headers)
    headers, header_problems, header_digests, limits = read_headers(client, info, tensors)
    texts.update((n, f.result()) for n, f in pending.items())
    weight_digests = lfs_digests(client, info) if lfs is None else lfs.result()
    digests = sorted((*header_digests, *weight_digests), key=lambda d: (d.path, d.role))
    card, config = texts.get("README.md"), texts.get("config.json")
    licenses = tuple(t for n in _license_files(info) if (t := texts.get(n)) is not None)
    url = f"{client.endpoint}/{info.id}"
    return RawModel(
        target=target.display,
        model_id=info.id,
        source="hub",
        location=f"hf:{info.id}@{info.sha}",
        revision=info.sha,
        card=card,
        config=config,
        adapter_config=adapter,
        license_files=licenses,
        files=tuple(RawFile(name, 0) for name in info.siblings),
        files_complete=True,
        files_checked=False,
        named_by=target.named_by,
        url=url,
        purl=hub_purl(info.id, info.sha),
        remote=_remote(info, f"hf:{info.id}@{info.sha}", url, sorted(notes)),
        ancestors=ancestors,
        read_files=read_files_of(
            *((n, _ROLES.get(n, "license"), t) for n, t in sorted(texts.items()))
        ),
        headers=headers,
        header_problems=header_problems,
        limits=limits,
        weight_digests=tuple(digests),
    )


_ROLES = {"README.md": "card", "config.json": "config", "adapter_config.json": "adapter-config"}


def _remote(info: HubInfo, location: str, url: str, notes: list[str]) -> RemoteInfo:
    """What model_info says beyond the files, in the neutral raw shape."""
    weight_files = sum(1 for n in info.siblings if weights.detect(n, b"")[0] is not None)
    evidence = [
        Evidence(
            location,
            "model_info",
            {
                "gated": info.gated,
                "private": info.private,
                "disabled": info.disabled,
                "weight_files": weight_files,
            },
        ),
        *(Evidence(location, "files", n) for n in notes),
    ]
    return RemoteInfo(
        availability=_availability(info, weight_files),
        availability_evidence=tuple(evidence),
        author=info.author,
        pipeline_tag=info.pipeline_tag,
        library_name=info.library_name,
        created_at=info.created_at,
        tags=info.tags,
        card_data=info.card_data,
        header_license=info.gguf_license,
        header_where=f"{location} (gguf)",
        auto_map=info.auto_map,
        auto_map_where=location,
        parameters=info.parameters,
        lineage_complete=True,
        download_location=f"{url.rstrip('/')}/tree/{info.sha}",
    )


def _availability(info: HubInfo, weight_files: int) -> str:
    if info.disabled:
        return "disabled"
    if info.gated in ("auto", "manual"):
        return f"gated-{info.gated}"
    if info.gated:
        return "gated-manual"
    if info.private:
        return "private"
    return "open" if weight_files else "closed"


def _adapter_base(text: RawText | None) -> str | None:
    """The base an adapter_config.json names (the facts layer reads the rest of the file)."""
    if text is None or text.data is None:
        return None
    try:
        data = json.loads(text.data.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    base = data.get("base_model_name_or_path") if isinstance(data, dict) else None
    return base.strip() if isinstance(base, str) and base.strip() else None
