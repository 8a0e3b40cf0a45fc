"""weights/*: availability, formats that run code when loaded, and remote code."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from checker.checks.base import CheckContext
from checker.checks.rule import Rule, finding
from checker.checks.section import Reader, level, read_section, strings
from checker.facts import ModelFacts
from checker.findings import Evidence, Finding, Severity

AVAILABILITY = Rule(
    id="weights/availability",
    summary="The weights are not available in an accepted way.",
    help="Request access, pick an open model, or add the availability to the policy.",
    level=Severity.ERROR,
    group="weights",
    fires_when="the weights' availability is not accepted, or not known",
)
UNSAFE_FORMAT = Rule(
    id="weights/unsafe-format",
    summary="Weights come in a format that can run code when loaded.",
    help="Prefer safetensors or GGUF; pickle-based files (.bin, .pt, .ckpt) execute code on load.",
    level=Severity.WARNING,
    group="weights",
    fires_when="weights come in a denied format that runs code when loaded (pickle), judged by "
    "name and first bytes",
)
REMOTE_CODE = Rule(
    id="weights/remote-code",
    summary="Loading the model runs code from its repository.",
    help="Review the code at the pinned revision, or avoid trust_remote_code.",
    level=Severity.WARNING,
    group="weights",
    fires_when="loading runs code from the repository (`auto_map`, `*.py` files)",
)
RULES = (AVAILABILITY, UNSAFE_FORMAT, REMOTE_CODE)

SAFE_FORMATS = frozenset({"safetensors", "gguf", "onnx"})


@dataclass(frozen=True, slots=True)
class WeightsPolicy:
    """The ``weights:`` section: accepted availability, refused formats, and the levels for
    weights that come only in a refused format and for remote code."""

    allow_availability: tuple[str, ...] = ("open", "gated-auto", "gated-manual")
    deny_formats: tuple[str, ...] = ()
    unsafe_format: Severity | None = UNSAFE_FORMAT.level
    remote_code: Severity | None = REMOTE_CODE.level

    READ: ClassVar[Mapping[str, Reader]] = {
        "allow-availability": strings,
        "deny-formats": strings,
        "unsafe-format": level,
        "remote-code": level,
    }

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> WeightsPolicy:
        """The section as the policy states it, defaults for what it does not."""
        return read_section(cls, data, cls.READ)


def check_weights(facts: ModelFacts, ctx: CheckContext) -> list[Finding]:
    """Availability not accepted, denied formats, and code that runs on load."""
    out: list[Finding] = []
    rules = ctx.policy.weights
    w = facts.weights
    if w.availability == "unknown":
        out += finding(
            AVAILABILITY,
            ctx.unknown,
            facts,
            "whether and how the weights can be had is not known",
            w.availability_evidence,
        )
    elif w.availability not in rules.allow_availability:
        out += finding(
            AVAILABILITY,
            AVAILABILITY.level,
            facts,
            f"weights are {w.availability}; the policy accepts "
            f"{', '.join(rules.allow_availability) or 'none'}",
            w.availability_evidence,
        )
    suspect = [f for f in w.files if f.suspect is not None]
    if suspect:
        first = suspect[0]
        out += finding(
            UNSAFE_FORMAT,
            rules.unsafe_format or ctx.unknown,
            facts,
            f"{first.path} is named {first.format} but {first.suspect}"
            + (f" (and {len(suspect) - 1} more such file(s))" if len(suspect) > 1 else "")
            + ": corrupt or disguised weights, which may run code when loaded",
            [f.evidence for f in suspect[:20]],
        )
    denied = [f for f in w.files if f.format in rules.deny_formats]
    if denied:
        safe = sorted({f.format for f in w.files if f.suspect is None} & SAFE_FORMATS)
        names = ", ".join(sorted({f.format for f in denied}))
        evidence = [f.evidence for f in denied[:20]]
        if safe:
            out += finding(
                UNSAFE_FORMAT,
                Severity.NOTE,
                facts,
                f"{len(denied)} {names} file(s) sit beside {', '.join(safe)} weights: "
                f"load the {safe[0]} files",
                evidence,
            )
        else:
            out += finding(
                UNSAFE_FORMAT,
                rules.unsafe_format,
                facts,
                f"the weights come only as {names} ({len(denied)} file(s)), which can "
                "run code when loaded",
                evidence,
            )
    if w.remote_code is None:
        out += finding(
            REMOTE_CODE,
            ctx.unknown,
            facts,
            "whether loading runs repository code is not known (file list incomplete)",
            [Evidence(facts.model.id, "files", "incomplete")],
        )
    elif w.remote_code:
        out += finding(
            REMOTE_CODE,
            rules.remote_code,
            facts,
            "loading this model runs code from its repository (trust_remote_code)",
            w.remote_code_evidence[:20],
        )
    return out
