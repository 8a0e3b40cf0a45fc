"""Which strings name a Hugging Face model: the Hub's repository id grammar, and the URL forms.

A candidate is a string a scanner found in a place that names a model (a call's argument, a
config key, a command's operand). It is a reference only when it is an ``owner/name`` id the Hub
accepts (checker/sources/targets.py's ``HUB_ID`` plus the Hub's own rules: ASCII, at most 96
characters, no ``--`` or ``..``, each part starting and ending with a letter, digit or ``_``)
that is not something else written the same way: a local path (``./x``, ``checkpoints/final``,
a file name such as ``out/model.bin``), a MIME type (``text/plain``), a page of the Hub that is
not a model (``datasets/x``), or a URL to another site. Hub URLs (``https://huggingface.co/o/n``,
``hf.co/o/n:Q4_K_M``, ``hf://o/n``) and ``hf_hub:o/n`` give the id, and the revision of
``/tree/REV``, ``/resolve/REV`` and ``/blob/REV``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from checker.sources.targets import HUB_ID


def _names(text: str) -> frozenset[str]:
    """A set of names written as one string of words."""
    return frozenset(text.split())


MAX_ID_LENGTH = 96
_PART = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$")
# first path segments of huggingface.co that are pages, not owners of models
RESERVED_OWNERS = _names(
    "api blog collections datasets docs enterprise join learn login models new "
    "organizations papers posts pricing settings spaces tasks"
)
# IANA top-level media types: "text/plain", "image/png" are not models
MIME_TOP_LEVEL = _names(
    "application audio chemical example font image message model multipart text video"
)
# first segments that name a folder of the project rather than a Hub owner
LOCAL_OWNERS = _names(
    "cache checkpoint checkpoints ckpt ckpts data local logs out output outputs results "
    "runs saved_model saved_models temp tmp weights"
)
FILE_SUFFIXES = tuple(
    sorted(
        _names(
            ".bin .ckpt .csv .gguf .h5 .html .jpg .js .json .md .msgpack .npz .onnx "
            ".pkl .png .pt .pth .py .safetensors .sh .tar .toml .txt .yaml .yml .zip"
        )
    )
)
_HUB_HOSTS = ("huggingface.co", "hf.co", "www.huggingface.co")
_URL = re.compile(r"^(?:(?P<scheme>[a-z][a-z0-9+.-]*)://)?(?P<host>[^/\s]+)(?P<path>/\S*)?$")
_HUB_PREFIXES = ("hf_hub:", "hf-hub:", "hf://")


@dataclass(frozen=True, slots=True)
class HubRef:
    """A model id that passed the grammar, with the revision the text pins (or None)."""

    model_id: str
    revision: str | None


def is_hub_id(text: str) -> bool:
    """``owner/name`` as the Hub accepts it, and not a path, a MIME type or a Hub page."""
    if len(text) > MAX_ID_LENGTH or not text.isascii() or not HUB_ID.match(text):
        return False
    owner, name = text.split("/")
    if not (_PART.match(owner) and _PART.match(name)):
        return False
    if "--" in text or ".." in text or name.endswith(".git"):
        return False
    lowered_owner = owner.lower()
    if lowered_owner in RESERVED_OWNERS or lowered_owner in LOCAL_OWNERS:
        return False
    if lowered_owner in MIME_TOP_LEVEL:
        return False
    if not (any(c.isalpha() for c in owner) and any(c.isalpha() for c in name)):
        return False
    return not name.lower().endswith(FILE_SUFFIXES)


def _revision(value: str | None) -> str | None:
    """``main`` is what an unpinned reference gets: it is no pin."""
    if value is None:
        return None
    value = value.strip()
    return None if value in ("", "main") else value


def parse_candidate(text: str, revision: str | None = None) -> HubRef | None:
    """The model a candidate string names, or None when it names none."""
    text = text.strip()
    if not text or len(text) > 2048:
        return None
    for prefix in _HUB_PREFIXES:
        if text.startswith(prefix):
            return _from_path(text[len(prefix) :], revision, tag_ok=False)
    if "://" in text or text.startswith(_HUB_HOSTS):
        return _from_url(text, revision)
    if is_hub_id(text):
        return HubRef(text, _revision(revision))
    return None


def _from_url(text: str, revision: str | None) -> HubRef | None:
    match = _URL.match(text)
    if not match or match["scheme"] not in (None, "http", "https"):
        return None
    host = match["host"].lower()
    if host not in _HUB_HOSTS:
        return None  # a URL to another site
    return _from_path((match["path"] or "").lstrip("/"), revision, tag_ok=host == "hf.co")


def _from_path(path: str, revision: str | None, *, tag_ok: bool) -> HubRef | None:
    """``owner/name[/tree|resolve|blob/REV[/...]]``, or Ollama's ``owner/name:TAG``."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    parts = [unquote(p) for p in path.split("/") if p]
    if len(parts) < 2:
        return None
    owner, name = parts[0], parts[1]
    if tag_ok and len(parts) == 2 and ":" in name:
        name = name.split(":", 1)[0]  # a quantisation tag (Q4_K_M) is not a revision
    if len(parts) > 2:
        if parts[2] not in ("tree", "resolve", "blob") or len(parts) < 4:
            return None
        revision = revision or parts[3]
    ident = f"{owner}/{name}"
    return HubRef(ident, _revision(revision)) if is_hub_id(ident) else None


def is_model_key(key: str) -> bool:
    """A config key, keyword or variable name whose value names a model: ``model``,
    ``model_name_or_path``, ``base_model``, ``repo_id``..., or one ending in ``_model``,
    ``_model_id``, ``_model_name``, ``_repo_id`` (``embedding_model``), but not an output
    (``hub_model_id``, where a training run pushes to) nor a dataset's or Space's id."""
    name = key.strip().lower().replace("-", "_")
    if name in MODEL_KEYS:
        return True
    if name in NOT_MODEL_KEYS or "dataset" in name or "space" in name or "output" in name:
        return False
    return name.endswith(MODEL_KEY_SUFFIXES)


MODEL_KEYS = _names(
    "model model_id model_name model_name_or_path pretrained_model_name_or_path base_model "
    "base_model_name_or_path repo_id tokenizer_name tokenizer_name_or_path"
)
NOT_MODEL_KEYS = frozenset(["hub_model_id", "push_to_hub_model_id", "save_model"])
MODEL_KEY_SUFFIXES = ("_model", "_model_id", "_model_name", "_model_name_or_path", "_repo_id")
