"""What the SPDX 3 AI profile's fields say of a model, from the facts alone (no guessing).

- ``ai_domain``: the Hugging Face Hub's own grouping of its pipeline tags (the task list the Hub
  shows: Natural Language Processing, Computer Vision, Audio, Multimodal, Tabular, Reinforcement
  Learning). A tag outside the table, or no tag, gives no domain.
- ``ai_limitation``: the use restrictions of the licence terms that bind the model (commercial
  use, user and revenue limits, excluded territories, prohibited uses, training on outputs);
  obligations that do not restrict use (attribution, naming, redistribution conditions) are not
  limitations. No restricting term, or terms that could not be established: no limitation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checker.facts import ModelFacts
from checker.reporters._cyclonedx_json import _term_text

_DOMAINS: dict[str, tuple[str, ...]] = {
    "natural language processing": (
        "text-classification", "token-classification", "table-question-answering",
        "question-answering", "zero-shot-classification", "translation", "summarization",
        "feature-extraction", "text-generation", "text2text-generation", "fill-mask",
        "sentence-similarity", "text-ranking", "conversational",
    ),
    "computer vision": (
        "depth-estimation", "image-classification", "object-detection", "image-segmentation",
        "text-to-image", "image-to-text", "image-to-image", "image-to-video",
        "unconditional-image-generation", "video-classification", "text-to-video",
        "zero-shot-image-classification", "mask-generation", "zero-shot-object-detection",
        "text-to-3d", "image-to-3d", "image-feature-extraction", "keypoint-detection",
    ),
    "audio": (
        "text-to-speech", "text-to-audio", "automatic-speech-recognition", "audio-to-audio",
        "audio-classification", "voice-activity-detection",
    ),
    "multimodal": (
        "image-text-to-text", "visual-question-answering", "document-question-answering",
        "video-text-to-text", "visual-document-retrieval", "any-to-any", "audio-text-to-text",
    ),
    "tabular": ("tabular-classification", "tabular-regression", "time-series-forecasting"),
    "reinforcement learning": ("reinforcement-learning", "robotics"),
}  # fmt: skip
DOMAIN_OF_TASK = {task: domain for domain, tasks in _DOMAINS.items() for task in tasks}

_RESTRICTING = frozenset({"forbidden", "conditional"})


def domains(facts: ModelFacts) -> list[str]:
    """The model's domain from its pipeline tag, or nothing."""
    tag = facts.model.pipeline_tag
    domain = DOMAIN_OF_TASK.get(tag or "")
    return [domain] if domain else []


def _empty(value: Any) -> bool:
    return value in (None, "", [], ()) or (isinstance(value, Mapping) and not value)


def limitation(facts: ModelFacts) -> str | None:
    """The use restrictions of the binding licence terms, in one sentence list, or None."""
    terms: Mapping[str, Any] = facts.terms or {}
    parts: list[str] = []
    for key, label in (
        ("commercial_use", "commercial use"),
        ("output_training", "training other models on its outputs"),
    ):
        if terms.get(key) in _RESTRICTING:
            parts.append(f"{label} is {terms[key]}")
    if not _empty(terms.get("user_limit")):
        limit = terms["user_limit"]
        shown = f"{limit:,}" if isinstance(limit, int) else _term_text(limit)
        parts.append(f"above {shown} monthly active users a separate licence is needed")
    if not _empty(terms.get("revenue_limit")):
        parts.append(f"revenue limit: {_term_text(terms['revenue_limit'])}")
    if not _empty(terms.get("excluded_territories")):
        parts.append(f"not licensed in: {_term_text(terms['excluded_territories'])}")
    if not _empty(terms.get("prohibited_uses")):
        parts.append(f"prohibited uses: {_term_text(terms['prohibited_uses'])}")
    if not parts:
        return None
    licence = facts.license.expression or "the binding licences"
    return f"Licence terms ({licence}): " + "; ".join(parts) + "."


__all__ = ["DOMAIN_OF_TASK", "domains", "limitation"]
