"""What the command line says and writes besides reports: the run's one-line outcome, report
formats from file names, rule explanations, "did you mean", the starter policy.

Imported by checker/cli.py inside the commands that need it (nothing heavy at import time).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from checker.errors import UsageError

if TYPE_CHECKING:
    from checker.result import AuditResult

# What ``-o FILE`` without ``--format`` writes, by the file name's ending (longest first).
EXTENSIONS = (
    (".spdx3.json", "spdx3"),
    (".spdx.json", "spdx"),
    (".cdx.json", "cyclonedx"),
    (".sarif.json", "sarif"),
    (".sarif", "sarif"),
    (".json", "json"),
    (".xml", "junit"),
    (".html", "html"),
    (".htm", "html"),
    (".md", "markdown"),
)


def format_for(path: str) -> str:
    """The report format a file name asks for (``-o audit.sarif`` without ``--format``)."""
    name = path.lower()
    for ending, fmt in EXTENSIONS:
        if name.endswith(ending):
            return fmt
    endings = ", ".join(e for e, _ in EXTENSIONS)
    raise UsageError(
        f"{path}: cannot tell the report format from the file name (known endings: {endings}); "
        "give --format"
    )


def report_pairs(formats: tuple[str, ...], outputs: tuple[str, ...]) -> list[tuple[str, str]]:
    """(format, file) pairs to write, ``-`` being stdout; formats inferred from file names when
    no --format is given."""
    if not outputs:
        if len(formats) > 1:
            raise UsageError("several --format values need as many --output files")
        return [(formats[0] if formats else "terminal", "-")]
    if not formats:
        if "-" in outputs:
            raise UsageError("--output - (stdout) needs a --format")
        return [(format_for(out), out) for out in outputs]
    if len(outputs) != len(formats):
        raise UsageError(
            "give one --format for each --output (in the same order), "
            "or none to take each format from its file name"
        )
    return list(zip(formats, outputs, strict=True))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def outcome_line(result: AuditResult) -> str:
    """The run's outcome in one line: models, verdicts, the exit code and why."""
    from checker.findings import Verdict

    counts = ", ".join(f"{result.count(v)} {v.value}" for v in Verdict)
    code = result.exit_code
    policy = result.policy.name
    errors, failed = result.count(Verdict.ERROR), result.count(Verdict.FAIL)
    breaking = f"{_plural(failed, 'model')} break{'s' if failed == 1 else ''} {policy}"
    if code == 2:
        why = f"{_plural(errors, 'model')} could not be audited"
        why += f"; {breaking}" if failed else ""
    elif code == 1:
        fail_on = result.policy.settings.fail_on
        at_policy = [f for f in result.findings if f.severity.rank >= fail_on.rank]
        reasons = [breaking] if failed else []
        if at_policy:
            rules = ", ".join(sorted({f.rule for f in at_policy}))
            reasons.append(f"{_plural(len(at_policy), 'policy finding')}: {rules}")
        why = "; ".join(reasons)
    else:
        warned = result.count(Verdict.WARN)
        why = f"no model breaks {policy}" + (
            f"; {_plural(warned, 'model')} with warnings" if warned else ""
        )
    return f"clearance: {_plural(len(result.models), 'model')}: {counts} -> exit {code} ({why})"


def did_you_mean(name: str, known: Iterable[str] | dict[str, str]) -> str:
    """`` (did you mean 'x'?)`` for the closest known names, else nothing. ``known`` may map
    each name to what to suggest for it (a licence's aliases to its key)."""
    import difflib

    shown = known if isinstance(known, dict) else {k: k for k in known}
    by_lower = {k.lower(): v for k, v in shown.items()}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=8, cutoff=0.6)
    picks = list(dict.fromkeys(by_lower[c] for c in close))[:3]
    if not picks:
        return ""
    return " (did you mean " + " or ".join(repr(p) for p in picks) + "?)"


def explain_rule(rule_id: str | None) -> str:
    """One built-in rule's summary, default level, group and help; or every rule, one a line."""
    from checker.checks import RULES

    if rule_id is None:
        width = max(len(r) for r in RULES)
        return "".join(
            f"{r.id:<{width}}  {r.level.value:<7}  {r.summary}\n"
            for r in sorted(RULES.values(), key=lambda r: r.id)
        )
    rule = RULES.get(rule_id) or RULES.get(rule_id.lower())
    if rule is None:
        hint = did_you_mean(rule_id, list(RULES))
        raise UsageError(f"no rule {rule_id!r}{hint}; `clearance explain` lists the rules")
    return (
        f"{rule.id}\n"
        f"  summary        {rule.summary}\n"
        f"  default level  {rule.level.value}\n"
        f"  group          {rule.group}\n"
        f"  fires when     {rule.fires_when}\n"
        f"\n{rule.help}\n"
    )


def check_license_name(license_id: str) -> None:
    """Refuse a licence id the knowledge base does not know, suggesting the closest."""
    from checker.knowledge import load_knowledge

    kb = load_knowledge()
    if kb.license(license_id) is None:
        names = {n: e.key for e in kb.licenses for n in (e.key, e.id, *e.hub_ids, *e.aliases)}
        raise UsageError(
            f"no licence {license_id!r} in the knowledge base"
            f"{did_you_mean(license_id, names)}; `clearance licenses` lists them"
        )


STARTER_POLICY = """\
# A starter Clearance policy, written by `clearance init`. Check it with
# `clearance policy check FILE`; audit with `clearance check TARGET --policy FILE`.
# Every key left out takes its default; the README's "The policy file" describes them all.
version: 1
name: my-policy
extends: [builtin:baseline]        # permissive licences pass; non-commercial, pickle are denied

use:                               # how you intend to use the models (the command line overrides)
  commercial: true
  monthly-active-users: 0          # licence user caps (Llama: 700M, Qwen: 100M) are checked
  based-in: []                     # where your company is established: ISO codes or groups
  territories: []                  # where the model is used, served or distributed
  distribution: internal           # internal | hosted | redistributed
  purposes: []                     # use categories, checked against licences' prohibited uses
  train-other-models: false        # whether outputs train or distil other models

settings:
  fail-on: error                   # error | warning: what makes `clearance check` exit 1
  unknown: error                   # level when a fact cannot be established

licenses:
  allow: []                        # SPDX ids, Hub ids or knowledge-base ids, e.g. [llama3.1]
  allow-categories: [permissive]
  deny-categories: [non-commercial, research-only]

provenance:
  deny-jurisdictions: []           # e.g. [us-foreign-adversaries] (rules/jurisdictions.yaml)
  include-lineage: true            # judge every ancestor of a fine-tune, not only the model
  unknown-developer: warning

weights:
  deny-formats: [pickle]
  remote-code: warning

card:
  require: [license]

# developers:                      # what the knowledge base does not know: org -> country
#   acme-labs: {country: DE, name: Acme Labs GmbH, source: "https://acme.example/imprint"}
# clarify:                         # a licence the model's files do not establish, read by you
#   - models: "acme-labs/tiny-*"
#     license: MIT
#     file: LICENSE                # lapses when this file changes: `sha256sum LICENSE`
#     sha256: e9abdfc12593852cdebe28c275958c5023e109abeefd80822f817e4bcb1c76a3
#     reason: "LICENSE is a permissive grant, read by legal (LEGAL-7)"
# rules:                           # your own rules: structured conditions, never code
#   - id: my/no-merges
#     severity: warning
#     message: "${model.id} is a merge; merges need a manual review"
#     when: { any: [ { field: lineage.relation, contains: merge } ] }
# waivers:                         # accepted exceptions, with a reason and an expiry
#   - id: W-1
#     rule: weights/remote-code
#     model: "microsoft/Phi-3-*"
#     reason: "Modelling code reviewed at the pinned revision"
#     approved-by: security@example.com
#     expires: 2027-06-30
"""


def write_starter_policy(output: str, force: bool) -> None:
    """Write STARTER_POLICY to ``output``; never over an existing file unless ``force``."""
    try:
        with open(output, "w" if force else "x", encoding="utf-8") as handle:
            handle.write(STARTER_POLICY)
    except FileExistsError:
        raise UsageError(f"{output}: already exists (--force overwrites it)") from None
    except OSError as exc:
        raise UsageError(f"{output}: cannot write the policy: {exc.strerror or exc}") from exc
