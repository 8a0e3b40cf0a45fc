"""What a Hub model id looks like, and the id a Hub URL names (shared by lineage readers)."""

from __future__ import annotations

import re

MAX_ID_LENGTH = 200
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[\w.-]{1,96}$")
_HUB_URL = re.compile(
    r"^https?://(?:www\.)?(?:huggingface\.co|hf\.co)/(?!datasets/|spaces/)([\w.-]+/[\w.-]+)/?$"
)


def is_hub_id(value: str) -> bool:
    """True for an ``org/name`` Hub id; a path (``./out``, ``/home/x/ckpt``, ``~/m``, ``a/b/c``)
    or a URL is not one."""
    return bool(_HUB_ID.match(value)) and not value.startswith((".", "-")) and ".." not in value


def hub_id_of_url(url: str) -> str | None:
    """``org/name`` of a Hub model URL (not a dataset or a Space), else None."""
    match = _HUB_URL.match(url.strip()[:MAX_ID_LENGTH])
    return match.group(1) if match and is_hub_id(match.group(1)) else None
