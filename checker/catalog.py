"""Every built-in rule id with its one-line summary and help text (stable, documented)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """A rule id's summary (what it flags) and help (what to do about it)."""

    id: str
    summary: str
    help: str


_RULES = (
    RuleInfo(
        "license/unknown",
        "The model's licence could not be established.",
        "Declare the licence in the card's `license:` key (a Hub id or SPDX id; for `other`, "
        "add `license_name` and `license_link`), or add the licence to the knowledge base.",
    ),
    RuleInfo(
        "license/not-allowed",
        "The licence is denied or not on the policy's allow list.",
        "Choose a model under an allowed licence, add the licence or its category to "
        "`licenses.allow` after legal review, or add a waiver for this model.",
    ),
    RuleInfo(
        "license/inconsistent",
        "Card, licence file, Hub tags or weight header disagree.",
        "Find out which licence really applies and correct the card; until then the "
        "strictest reading applies.",
    ),
    RuleInfo(
        "license/lineage-conflict",
        "The model declares looser terms than its base model.",
        "A derivative cannot relicense its base: the base's licence still applies to you.",
    ),
    RuleInfo(
        "use/non-commercial",
        "The licence forbids the commercial use the policy intends.",
        "Use the model only non-commercially, obtain a commercial licence, or pick another.",
    ),
    RuleInfo(
        "use/user-limit",
        "The intended monthly active users exceed the licence's cap.",
        "Request a separate licence from the licensor before exceeding the cap.",
    ),
    RuleInfo(
        "use/territory",
        "The licence excludes where you are based or where you use it.",
        "Do not use the model there; the licence grants no rights in that territory.",
    ),
    RuleInfo(
        "use/purpose",
        "An intended purpose is prohibited by the licence or its AUP.",
        "Drop that purpose or choose a model whose licence permits it.",
    ),
    RuleInfo(
        "use/distribution",
        "The licence forbids, or does not say it allows, redistributing the model.",
        "Keep the model internal or hosted, or obtain the right to redistribute it.",
    ),
    RuleInfo(
        "use/output-training",
        "The licence restricts training other models on outputs.",
        "Do not use outputs to train or distil other models, or satisfy the stated condition.",
    ),
    RuleInfo(
        "provenance/denied-jurisdiction",
        "The developer is in a denied jurisdiction.",
        "Pick a model from another developer, or record an approved waiver.",
    ),
    RuleInfo(
        "provenance/lineage-jurisdiction",
        "An ancestor's developer is in a denied jurisdiction.",
        "A fine-tune, adapter, quantisation or merge keeps its base's provenance; pick a "
        "model with another lineage or record an approved waiver.",
    ),
    RuleInfo(
        "provenance/unknown-developer",
        "The developer's country is not known.",
        "Add the organisation to rules/developers.yaml with a public source, or review it.",
    ),
    RuleInfo(
        "weights/availability",
        "The weights are not available in an accepted way.",
        "Request access, pick an open model, or add the availability to the policy.",
    ),
    RuleInfo(
        "weights/unsafe-format",
        "Weights come in a format that can run code when loaded.",
        "Prefer safetensors or GGUF; pickle-based files (.bin, .pt, .ckpt) execute code on load.",
    ),
    RuleInfo(
        "weights/remote-code",
        "Loading the model runs code from its repository.",
        "Review the code at the pinned revision, or avoid trust_remote_code.",
    ),
    RuleInfo(
        "card/missing-field",
        "A card field the policy requires is missing.",
        "Add the field to the model card's YAML front matter.",
    ),
    RuleInfo(
        "card/invalid-metadata",
        "The card's front matter could not be read.",
        "Fix the YAML between the `---` lines at the top of README.md.",
    ),
    RuleInfo(
        "input/unreadable",
        "An input (folder, file) could not be read.",
        "Check the path and permissions, or that the file is complete and well formed.",
    ),
    RuleInfo(
        "waiver/expired",
        "A waiver's expiry date has passed; it no longer applies.",
        "Renew the waiver with a new review and expiry, or remove it.",
    ),
    RuleInfo(
        "waiver/unused",
        "A waiver matched no finding in this audit.",
        "Remove the stale waiver, or fix its rule id or model pattern.",
    ),
)

RULES: dict[str, RuleInfo] = {r.id: r for r in _RULES}


def help_for(rule: str) -> str:
    """The help text of a built-in rule (empty for custom rules)."""
    info = RULES.get(rule)
    return info.help if info else ""
