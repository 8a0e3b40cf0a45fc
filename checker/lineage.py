"""How a model relates to its parents: the one place that reads ``base_model`` and infers the
relation (the card's ``base_model_relation``, else the Hub's, else adapter files, several parents,
GGUF files; else a fine-tune)."""

from __future__ import annotations

import re
from typing import Any

RELATIONS = ("finetune", "adapter", "quantized", "merge")
_ALIASES = {
    "finetune": "finetune", "fine-tune": "finetune", "fine_tune": "finetune",
    "adapter": "adapter", "lora": "adapter",
    "quantized": "quantized", "quantised": "quantized", "quantization": "quantized",
    "merge": "merge", "merged": "merge",
}  # fmt: skip
_MODEL_ID = re.compile(r"^[\w.-]+(/[\w.-]+)?$")


def parent_ids(value: Any) -> tuple[list[str], list[str]]:
    """(model ids, entries that are not model ids) from a card's ``base_model`` value."""
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    ids = [i.strip() for i in items if isinstance(i, str) and _MODEL_ID.match(i.strip())]
    bad = [repr(i) for i in items if not (isinstance(i, str) and _MODEL_ID.match(i.strip()))]
    if value is not None and not isinstance(value, (str, list)):
        bad.append(repr(value))
    return list(dict.fromkeys(ids)), bad


def relation_of(
    declared: Any, hub: str | None, parents: int, adapter: bool, quantized: bool
) -> tuple[str, str]:
    """(relation, how it was told) for a model's parents."""
    if isinstance(declared, str) and declared.strip().lower() in _ALIASES:
        return _ALIASES[declared.strip().lower()], "base_model_relation"
    if hub in RELATIONS:
        return str(hub), "Hub baseModels"
    if adapter:
        return "adapter", "inferred: adapter_config.json"
    if parents > 1:
        return "merge", "inferred: several parents"
    if quantized:
        return "quantized", "inferred: GGUF files"
    return "finetune", "inferred: default"
