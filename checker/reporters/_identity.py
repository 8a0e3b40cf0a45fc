"""What the SBOM reporters (SPDX, CycloneDX) say a model's version and supplier are.

A model audited at a Hub revision has that 40-hex revision as its version. A model without one
(a local folder, a cache entry without a commit) gets a *content version*: ``sha256:`` and the
SHA-256 of its id (lower-cased, Hub ids are case-insensitive) and its declared licences. It is
not a digest of the card and licence files (those are listed with their own hashes,
``ModelFacts.files``); it changes when the id or the declared licences change, and the reports
say what it is.

The supplier is the developer's name when the knowledge base knows it, else the namespace of the
model id (the Hub account, or the folder's owner part) that distributes it; ``None`` when neither
is known (the reports then write NOASSERTION).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

CONTENT_VERSION_PREFIX = "sha256:"
CONTENT_VERSION_NOTE = (
    "not a revision: the audited copy has none; a SHA-256 of the lower-cased model id and its "
    "declared licences (not of the files: those are listed with their own hashes)"
)


def content_version(model_id: str, licences: Iterable[str]) -> str:
    """``sha256:<hex>`` of the model id and its declared licences, in a canonical JSON form."""
    payload = json.dumps(
        {"id": model_id.lower(), "licenses": sorted(set(licences))},
        sort_keys=True,
        separators=(",", ":"),
    )
    return CONTENT_VERSION_PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()


def model_version(model_id: str, revision: str | None, licences: Iterable[str]) -> str:
    """The revision when known, else the content version."""
    return revision or content_version(model_id, licences)


def supplier_name(developer: str | None, model_id: str) -> str | None:
    """The developer's name, else the model id's namespace, else None."""
    if developer:
        return developer
    namespace, sep, _ = model_id.partition("/")
    return namespace if sep and namespace else None
