"""The weight facts: which weight files there are and in which formats, whether and how the
weights can be had, and whether loading runs the repository's code."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from checker import weights
from checker.facts.model import (
    CardFacts,
    Problem,
    ProblemKind,
    WeightFacts,
    WeightFile,
    Withheld,
)
from checker.findings import Evidence

if TYPE_CHECKING:
    from checker.sources.raw import RawModel


def weight_files(raw: RawModel, problems: list[Problem]) -> tuple[WeightFile, ...]:
    """Files whose name and first bytes say weights; a real file too small to hold its format
    is a problem, not weights."""
    out = []
    bad_headers = {m.split(": ", 1)[0]: m.split(": ", 1)[1] for m in raw.header_problems}
    for f in raw.files:
        fmt, how = weights.detect(f.path, f.head)
        if fmt is None:
            continue
        where = f"{raw.location}/{f.path}"
        suspect = bad_headers.get(where)
        if suspect is None and raw.files_checked and f.head:
            suspect = weights.disguised(fmt, f.head)
        if raw.files_checked and f.size < weights.MIN_BYTES.get(fmt, 1):
            problems.append(
                Problem(
                    ProblemKind.UNREADABLE,
                    f"{f.path} is too small ({f.size} bytes) to hold {fmt} weights",
                    (Evidence(f"{raw.location}/{f.path}", "size", f.size),),
                )
            )
            continue
        shown = f"{fmt} ({how})" if suspect is None else f"{fmt} by name, but {suspect}"
        out.append(WeightFile(f.path, fmt, f.size, Evidence(where, "format", shown), suspect))
    return tuple(out)


# Gating keys that refuse the weights to users of a territory, and the territory (Hub docs,
# "Gated models": "Restricting Access for EU Users"; active only on a gated repository).
WITHHOLDING_KEYS = {"extra_gated_eu_disallowed": "eu"}


def _withheld(card: CardFacts, availability: str) -> tuple[Withheld, ...]:
    if not availability.startswith("gated"):
        return ()
    return tuple(
        Withheld(territory, card.evidence(key))
        for key, territory in WITHHOLDING_KEYS.items()
        if card.metadata.get(key) is True or str(card.metadata.get(key)).lower() == "true"
    )


def _gating(card: CardFacts) -> list[str]:
    return sorted(k for k in card.metadata if k.startswith("extra_gated_"))


def _availability(
    card: CardFacts, raw: RawModel, files: tuple[WeightFile, ...]
) -> tuple[str, list[Evidence]]:
    if raw.remote is not None:
        return raw.remote.availability, list(raw.remote.availability_evidence)
    gated = _gating(card)
    if gated:
        return "gated-manual", [
            Evidence(
                card.path or "card",
                f"/{gated[0]}",
                "upstream repository is gated; approval mode not in the card, manual assumed",
                card.lines.get(gated[0]),
            )
        ]
    if files:
        return "open", [Evidence(raw.location, "files", f"{len(files)} weight file(s) present")]
    return "unknown", [Evidence(raw.location, "files", "no weight files found"), *raw.notes]


def weight_facts(
    card: CardFacts,
    config: Mapping[str, Any] | None,
    raw: RawModel,
    files: tuple[WeightFile, ...],
) -> WeightFacts:
    """Availability (the registry's word, else the card's gating keys, else the files), formats
    and remote code (``auto_map``, ``*.py`` files)."""
    availability, availability_evidence = _availability(card, raw, files)
    code: list[Evidence] = []
    remote = raw.remote
    if remote is not None and remote.auto_map:
        where = remote.auto_map_where or raw.location
        code.append(Evidence(where, "model_info/config/auto_map", list(remote.auto_map)))
    elif config is not None and config.get("auto_map"):
        auto_map = config["auto_map"]
        shown = sorted(map(str, auto_map)) if isinstance(auto_map, dict) else str(auto_map)[:200]
        code.append(Evidence(f"{raw.location}/config.json", "/auto_map", shown))
    code.extend(
        Evidence(f"{raw.location}/{f.path}", "file", "Python code")
        for f in raw.files
        if f.path.endswith(".py")
    )
    if code:
        remote_code: bool | None = True
    else:
        remote_code = False if raw.files_complete else None
    return WeightFacts(
        availability=availability,
        availability_evidence=tuple(availability_evidence),
        files=files,
        remote_code=remote_code,
        remote_code_evidence=tuple(code),
        parameters=remote.parameters if remote is not None else None,
        withheld=_withheld(card, availability),
    )
