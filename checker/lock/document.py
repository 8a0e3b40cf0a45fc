"""The lock file's content: built from an audit of a manifest, rendered as stable YAML.

The document has no clock and no absolute path: re-locking an unchanged project gives the same
bytes. Models are sorted by id and path, keys come in a fixed order, and ``digest`` (the sha256
of the canonical JSON of every other key) comes last, so a hand edit or a cut-off file is
caught on read.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from checker.errors import InputError
from checker.facts.digests import canonical
from checker.findings import Verdict
from checker.result import AuditResult, ModelResult
from checker.sources.targets import Target

LOCK_VERSION = 1
LOCK_NAME = "models.lock.yaml"
HEADER = (
    "# Written by `clearance lock`: what every model of the manifest was when it was audited.\n"
    "# Do not edit by hand (`digest` covers the rest); run `clearance lock {manifest}` again.\n"
)


def default_lock_path(manifest: Path) -> Path:
    """``models.lock.yaml`` beside the manifest."""
    return manifest.parent / LOCK_NAME


def self_digest(document: dict[str, Any]) -> str:
    """The sha256 of the canonical JSON of every key but ``digest``."""
    body = {k: v for k, v in document.items() if k != "digest"}
    return "sha256:" + hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()


def relative(path: Path, folder: Path) -> str:
    """``path`` relative to ``folder`` (POSIX separators), as a lock records it."""
    return Path(os.path.relpath(path.resolve(), folder.resolve())).as_posix()


def _entry(model: ModelResult, target: Target) -> dict[str, Any]:
    facts = model.facts
    digest = facts.digest
    assert digest is not None  # a model that was read has a digest
    developer = facts.provenance.developer
    local = target.kind != "hub"
    return {
        "id": facts.model.id,
        "source": facts.model.source,
        "path": target.display if local else None,
        "pinned": target.revision,
        "revision": digest.revision if digest.revision and len(digest.revision) == 40 else None,
        "content-digest": digest.content,
        "license": {
            "expression": facts.license.expression,
            "fingerprint": digest.license.fingerprint,
            "terms-fingerprint": digest.license.terms_fingerprint,
            "complete": digest.complete,
            "inputs": digest.license.as_json(),
        },
        "gating": digest.license.gating,
        "developer": {
            "org": developer.org if developer else facts.model.id.split("/", 1)[0],
            "country": developer.country if developer else None,
        },
        "lineage": sorted({a.id for a in facts.lineage}, key=str.lower),
        "verdict": model.verdict.value,
    }


def lock_entries(
    result: AuditResult, targets: Sequence[Target], manifest: Path
) -> list[dict[str, Any]]:
    """The ``models`` of the lock of an audit of ``manifest``'s ``targets``, sorted; a model
    that could not be read is an InputError (a lock with a hole would pass what was never
    checked)."""
    by_pointer = {t.named_by.pointer: t for t in targets if t.named_by is not None}
    entries = []
    for model in result.models:
        named = model.facts.named_by
        target = by_pointer.get(named.pointer) if named is not None else None
        if model.verdict is Verdict.ERROR or target is None:
            raise InputError(
                f"{manifest}: cannot lock {model.facts.target}: {model.facts.error or 'not read'}"
            )
        entries.append(_entry(model, target))
    entries.sort(key=lambda e: (e["id"].lower(), e["path"] or "", e["pinned"] or ""))
    return entries


def lock_document(
    result: AuditResult, targets: Sequence[Target], manifest: Path, lock: Path
) -> dict[str, Any]:
    """The lock of an audit of ``manifest``'s ``targets`` (see ``lock_entries``)."""
    entries = lock_entries(result, targets, manifest)
    document: dict[str, Any] = {
        "lock-version": LOCK_VERSION,
        "manifest": {
            "path": relative(manifest, lock.parent),
            "sha256": "sha256:" + hashlib.sha256(manifest.read_bytes()).hexdigest(),
        },
        "tool": {"name": "clearance", "version": result.tool_version},
        "knowledge": {"version": result.knowledge_version, "digest": result.knowledge_digest},
        "policy": {"name": result.policy.name, "sha256": result.policy.sha256},
        "models": entries,
    }
    document["digest"] = self_digest(document)
    return document


def render_lock(document: dict[str, Any]) -> str:
    """The lock as YAML: block style, keys in the document's order, one value per line."""
    import io

    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(document, out)
    return HEADER.format(manifest=document["manifest"]["path"]) + out.getvalue()
