"""The nodes of an SPDX document, shared by the SPDX 2.3 and 3.0 reports: a stable id per model,
the audited models in a fixed order, and the ancestors their lineages name that were not audited.
"""

from __future__ import annotations

import hashlib
import re

from checker.facts import Ancestor
from checker.result import AuditResult, ModelResult

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


def spdx_id_for(model_id: str, revision: str | None = None) -> str:
    """A valid, stable SPDXID for a model: readable part plus a hash of the exact key (Hub ids are
    case-insensitive, so the hash is of the lower-cased id)."""
    readable = _ID_UNSAFE.sub("-", model_id).strip("-.")[:80] or "model"
    key = model_id.lower() + ("@" + revision if revision else "")
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return f"SPDXRef-Model-{readable}-{digest[:10]}"


def package_ids(
    result: AuditResult,
) -> tuple[list[tuple[str, ModelResult]], dict[str, Ancestor], dict[str, str]]:
    """The audited models with their SPDX ids (sorted by id and revision), the ancestors that
    are not audited (by lower-cased id, sorted), and the id of every node by lower-cased model id
    (shared by the SPDX 2.3 and 3.0 reports)."""
    audited: list[tuple[str, ModelResult]] = []
    node_of: dict[str, str] = {}
    seen: dict[str, int] = {}
    ordered = sorted(
        result.models, key=lambda m: (m.facts.model.id.lower(), m.facts.model.revision or "")
    )
    for model in ordered:
        spdx_id = spdx_id_for(model.facts.model.id, model.facts.model.revision)
        seen[spdx_id] = seen.get(spdx_id, 0) + 1
        if seen[spdx_id] > 1:  # the same model and revision audited twice: keep both packages
            spdx_id = f"{spdx_id}-{seen[spdx_id]}"
        audited.append((spdx_id, model))
        node_of.setdefault(model.facts.model.id.lower(), spdx_id)
    found: dict[str, Ancestor] = {}
    for _, model in audited:
        for a in model.facts.lineage:
            key = a.id.lower()
            if key not in node_of and key not in found:
                found[key] = a
    ancestors = {key: found[key] for key in sorted(found)}
    for key, ancestor in ancestors.items():
        node_of[key] = spdx_id_for(ancestor.id)
    return audited, ancestors, node_of


__all__ = ["package_ids", "spdx_id_for"]
