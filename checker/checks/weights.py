"""weights/*: availability, formats that run code when loaded, and remote code."""

from __future__ import annotations

from checker.checks.base import CheckContext, finding
from checker.facts import ModelFacts
from checker.findings import Evidence, Finding, Severity

SAFE_FORMATS = frozenset({"safetensors", "gguf", "onnx"})


def check_weights(facts: ModelFacts, ctx: CheckContext) -> list[Finding]:
    """Availability not accepted, denied formats, and code that runs on load."""
    out: list[Finding] = []
    rules = ctx.policy.weights
    w = facts.weights
    if w.availability == "unknown":
        out += finding(
            "weights/availability",
            ctx.unknown,
            facts,
            "whether and how the weights can be had is not known",
            w.availability_evidence,
        )
    elif w.availability not in rules.allow_availability:
        out += finding(
            "weights/availability",
            Severity.ERROR,
            facts,
            f"weights are {w.availability}; the policy accepts "
            f"{', '.join(rules.allow_availability) or 'none'}",
            w.availability_evidence,
        )
    denied = [f for f in w.files if f.format in rules.deny_formats]
    if denied:
        safe = sorted({f.format for f in w.files} & SAFE_FORMATS)
        names = ", ".join(sorted({f.format for f in denied}))
        evidence = [f.evidence for f in denied[:20]]
        if safe:
            out += finding(
                "weights/unsafe-format",
                Severity.NOTE,
                facts,
                f"{len(denied)} {names} file(s) sit beside {', '.join(safe)} weights: "
                f"load the {safe[0]} files",
                evidence,
            )
        else:
            out += finding(
                "weights/unsafe-format",
                rules.unsafe_format,
                facts,
                f"the weights come only as {names} ({len(denied)} file(s)), which can "
                "run code when loaded",
                evidence,
            )
    if w.remote_code is None:
        out += finding(
            "weights/remote-code",
            ctx.unknown,
            facts,
            "whether loading runs repository code is not known (file list incomplete)",
            [Evidence(facts.model.id, "files", "incomplete")],
        )
    elif w.remote_code:
        out += finding(
            "weights/remote-code",
            rules.remote_code,
            facts,
            "loading this model runs code from its repository (trust_remote_code)",
            w.remote_code_evidence[:20],
        )
    return out
