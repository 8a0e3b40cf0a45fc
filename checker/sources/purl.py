"""Package URLs for models: ``pkg:huggingface/<org>/<name>@<sha>`` (the purl spec's type)."""

from __future__ import annotations

import re

_SHA = re.compile(r"^[0-9a-f]{40}$")


def hub_purl(model_id: str, revision: str | None) -> str | None:
    """The purl of a Hub model at an exact commit; None unless the id is ``org/name`` and the
    revision a 40-hex sha (a local folder's ``local/<name>`` id has none)."""
    if revision is None or not _SHA.match(revision.lower()):
        return None
    org, sep, name = model_id.partition("/")
    if not sep or not org or not name or "/" in name or org == "local":
        return None
    from packageurl import PackageURL

    return str(PackageURL(type="huggingface", namespace=org, name=name, version=revision.lower()))
