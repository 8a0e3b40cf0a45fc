"""Real model cards against a truth table: licence, jurisdictions, and a PRC-denying policy.

Run from the repository root::

    python benchmarks/bench_corpus_cards.py              # table per card, totals, misses grouped
    python benchmarks/bench_corpus_cards.py --together   # one audit of all cards (lineage linked)
    python benchmarks/bench_corpus_cards.py --only bartowski --details

Every card of ``../shared/corpus/cards/*.md`` is audited offline as
``tests/test_corpus_cards.py`` does it: the card is copied into a temporary folder as
``README.md`` (nothing is written into the repository), read with ``checker.api.gather`` from a
``Target("local", folder, card name, "owner/name")`` and evaluated with
``checker.api.audit_facts``, once against ``builtin:baseline`` and once against a policy that
extends it and denies ``us-foreign-adversaries`` (15 CFR 791.4, which includes the PRC). The
model id is the truth table's ``model`` (the card's Hub id), else ``owner/name`` from the file
name. Each card is audited on its own, so no ancestor is known from another card; ``--together``
audits them all at once, as a manifest listing every card would.

The answers are compared with ``tests/corpus_truth.yaml``, written by reading every card:

- licence: ``right`` (the knowledge-base keys found are the truth's, or an ``accept`` set, and
  nothing is left unresolved); ``unknown`` (nothing, or only part of the truth, was named, and the
  licence is left unknown); ``kb-missing`` (the right licence has no knowledge-base entry yet and
  the tool says unknown: the honest answer today); ``WRONG`` (a licence the card does not carry
  was named, or an incomplete set was given as complete). For a truth of ``unknown`` the right
  answer is unknown. "Pass on an unknown licence" counts models whose licence is unknown (to the
  tool, or in truth) and that the baseline policy does not fail with a ``license/unknown``
  error. The verdict itself says little here: a folder holding only a card has no weight files,
  so ``weights/availability`` fails every model; the table shows the ``license/*`` errors.
- jurisdictions: ``right`` (the same set), ``missing`` (a subset), ``WRONG`` (a country the
  truth does not have).
- PRC policy: for cards whose truth jurisdictions contain CN, whether a
  ``provenance/*-jurisdiction`` finding fails the model (``caught``), or not (``MISSED``; the
  model may still fail for another reason, shown as ``MISSED*``); for the others, a jurisdiction
  failure is a ``FALSE`` alarm.

It prints numbers and asserts nothing; it exits 0 (2 only when the corpus or the truth table
is absent, or the checker API it uses has moved).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
TRUTH = ROOT / "tests" / "corpus_truth.yaml"
sys.path.insert(0, str(ROOT))  # run from a checkout even if the package is not installed
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import table  # noqa: E402  (benchmarks/common.py)

PRC_POLICY = """\
version: 1
name: corpus-prc
extends: [builtin:baseline]
provenance:
  deny-jurisdictions: [us-foreign-adversaries]
  include-lineage: true
"""
JURISDICTION_RULES = ("provenance/denied-jurisdiction", "provenance/lineage-jurisdiction")


class ApiMoved(RuntimeError):
    """The checker API this script relies on has changed."""


def get(obj: Any, path: str) -> Any:
    """``obj.a.b.c`` for path "a.b.c", with a clear error when an attribute has moved."""
    current = obj
    for part in path.split("."):
        if not hasattr(current, part):
            raise ApiMoved(
                f"{type(current).__name__} has no attribute {part!r} (looking for {path!r}); "
                "the checker API changed: update benchmarks/bench_corpus_cards.py"
            )
        current = getattr(current, part)
    return current


def checker_api() -> dict[str, Any]:
    """The library entry points, imported here so a moved one gives a clear message."""
    try:
        from checker.api import audit_facts, gather
        from checker.knowledge import load_knowledge
        from checker.policy import load_policy
    except ImportError as exc:
        raise ApiMoved(f"cannot import the checker API: {exc}") from exc
    try:
        from checker.api import Target  # type: ignore[attr-defined]
    except ImportError:
        try:
            from checker.sources import Target
        except ImportError:
            try:
                from checker.sources.targets import Target
            except ImportError as exc:
                raise ApiMoved(f"cannot import Target: {exc}") from exc
    return {
        "gather": gather,
        "audit_facts": audit_facts,
        "load_knowledge": load_knowledge,
        "load_policy": load_policy,
        "Target": Target,
    }


def load_truth(path: Path) -> dict[str, dict[str, Any]]:
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return dict(data["cards"])


# ------------------------------------------------------------------ what the tool concluded


@dataclass
class Answer:
    """What Clearance concluded about one card."""

    keys: set[str] = field(default_factory=set)  # own licence, knowledge-base keys
    unresolved: list[str] = field(default_factory=list)
    known: bool = False
    inherited: set[str] = field(default_factory=set)  # keys bound through ancestors
    jurisdictions: set[str] = field(default_factory=set)
    developer_country: str | None = None
    ancestors: list[str] = field(default_factory=list)
    baseline_verdict: str = "?"
    baseline_rules: list[str] = field(default_factory=list)  # unwaived findings, all levels
    licence_errors: list[str] = field(default_factory=list)  # license/* errors (the licence gate)
    prc_verdict: str = "?"
    prc_jurisdiction_rule: bool = False
    error: str | None = None


def entry_key(entry: Any, kb: Any) -> str:
    key = getattr(entry, "key", None)
    if key:
        return str(key)
    found = kb.license(get(entry, "id"))
    return str(found.key) if found is not None else str(get(entry, "id"))


def answer_of(facts: Any, baseline: Any, prc: Any, kb: Any) -> Answer:
    lic = get(facts, "license")
    out = Answer(
        keys={entry_key(e, kb) for e in get(lic, "entries")},
        unresolved=[str(get(d, "value")) for d in get(lic, "unresolved")],
        known=bool(get(lic, "known")),
        jurisdictions=set(get(facts, "provenance.jurisdictions")),
        ancestors=[str(get(a, "id")) for a in get(facts, "lineage")],
        error=get(facts, "error"),
    )
    developer = get(facts, "provenance.developer")
    out.developer_country = None if developer is None else get(developer, "country")
    for binding in get(facts, "binding") or ():
        if get(binding, "via") is not None:
            out.inherited.add(entry_key(get(binding, "entry"), kb))
    (base,) = get(baseline, "models")
    out.baseline_verdict = str(get(base, "verdict"))
    out.baseline_rules = sorted({str(get(f, "rule")) for f in get(base, "unwaived")})
    out.licence_errors = sorted(
        {
            str(get(f, "rule")).removeprefix("license/")
            for f in get(base, "unwaived")
            if str(get(f, "rule")).startswith("license/") and str(get(f, "severity")) == "error"
        }
    )
    (strict,) = get(prc, "models")
    out.prc_verdict = str(get(strict, "verdict"))
    out.prc_jurisdiction_rule = any(
        str(get(f, "rule")) in JURISDICTION_RULES and str(get(f, "severity")) == "error"
        for f in get(strict, "unwaived")
    )
    return out


def audit_cards(
    cards: list[Path], truth: dict[str, dict[str, Any]], together: bool, sidecars: bool
) -> tuple[dict[str, Answer], Any]:
    import datetime as dt

    api = checker_api()
    kb = api["load_knowledge"]()
    now = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
    answers: dict[str, Answer] = {}
    with tempfile.TemporaryDirectory(prefix="clearance-corpus-") as tmp:
        policy_path = Path(tmp) / "prc.yaml"
        policy_path.write_text(PRC_POLICY, encoding="utf-8")
        baseline = api["load_policy"]("builtin:baseline", kb)
        prc = api["load_policy"](policy_path, kb)
        targets = []
        for index, card in enumerate(cards):
            folder = Path(tmp) / f"m{index:03d}" / "model"
            folder.mkdir(parents=True)
            shutil.copyfile(card, folder / "README.md")  # a temporary copy, never in the repo
            if sidecars:  # owner__name.adapter_config.json -> adapter_config.json
                for extra in card.parent.glob(f"{card.stem}.*.json"):
                    shutil.copyfile(extra, folder / extra.name[len(card.stem) + 1 :])
            owner, _, name = card.stem.partition("__")
            model_id = truth.get(card.name, {}).get("model") or f"{owner}/{name or 'x'}"
            targets.append(api["Target"]("local", str(folder), card.name, model_id))
        if together:
            all_facts = api["gather"](targets, kb, jobs=1)
        else:
            all_facts = [api["gather"]([t], kb, jobs=1)[0] for t in targets]
        for card, facts in zip(cards, all_facts, strict=True):
            base = api["audit_facts"]([facts], baseline, kb, now)
            strict = api["audit_facts"]([facts], prc, kb, now)
            answers[card.name] = answer_of(facts, base, strict, kb)
    return answers, kb


# ------------------------------------------------------------------ scoring


def as_keys(value: Any) -> list[str] | None:
    if value in (None, "unknown"):
        return None
    return [value] if isinstance(value, str) else [str(v) for v in value]


def score_license(t: dict[str, Any], a: Answer, kb: Any) -> str:
    truth = as_keys(t.get("license"))
    if a.error:
        return "ERROR"
    if truth is None:
        return "right" if not a.keys else "WRONG"
    accepted = [set(truth)] + [set(x) for x in t.get("accept") or ()]
    allowed = set().union(*accepted)
    if any(kb.license(k) is None for k in truth):  # kb_missing: unknown is the honest answer
        if not a.keys or (a.keys <= allowed and not a.known):
            return "kb-missing"
        return "WRONG"
    if a.keys in accepted and not a.unresolved:
        return "right"
    if not a.keys:
        return "unknown"
    if a.keys <= allowed and not a.known:
        return "unknown"
    return "WRONG"


def score_jurisdictions(t: dict[str, Any], a: Answer) -> str:
    truth = set(t.get("jurisdictions") or ())
    if a.jurisdictions == truth:
        return "right"
    if a.jurisdictions < truth:
        return "missing"
    return "WRONG"


def score_prc(t: dict[str, Any], a: Answer) -> str:
    has_cn = "CN" in set(t.get("jurisdictions") or ())
    if has_cn:
        if a.prc_jurisdiction_rule:
            return "caught"
        return "MISSED*" if a.prc_verdict == "fail" else "MISSED"
    return "FALSE" if a.prc_jurisdiction_rule else "-"


def pass_on_unknown(t: dict[str, Any], a: Answer, lic_score: str) -> bool:
    """The licence is unknown (to the tool, or in truth) and no ``license/unknown`` error closes
    the licence gate. The verdict itself is not used: with a card alone and no weight files,
    ``weights/availability`` fails every model."""
    unknown = not a.known or lic_score == "kb-missing" or as_keys(t.get("license")) is None
    return unknown and "unknown" not in a.licence_errors


def missed_ancestors(t: dict[str, Any], a: Answer) -> list[dict[str, Any]]:
    found = {x.lower() for x in a.ancestors}
    return [x for x in t.get("lineage") or () if str(x["id"]).lower() not in found]


def fmt(keys: Any) -> str:
    if keys is None:
        return "unknown"
    items = sorted(keys)
    return "+".join(items) if items else "-"


# ------------------------------------------------------------------ output


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS / "cards")
    parser.add_argument("--truth", type=Path, default=TRUTH)
    parser.add_argument(
        "--together",
        action="store_true",
        help="audit all cards in one gather (lineage linked across cards)",
    )
    parser.add_argument(
        "--with-sidecars",
        action="store_true",
        help="also copy owner__name.*.json files (adapter_config.json)",
    )
    parser.add_argument("--only", default="", help="only cards whose file name contains this")
    parser.add_argument(
        "--details", action="store_true", help="print every card's evidence and the tool's answer"
    )
    args = parser.parse_args()

    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus} (skipped)")
        return 2
    if not args.truth.is_file():
        print(f"truth table not found: {args.truth}")
        return 2
    truth = load_truth(args.truth)
    cards = sorted(p for p in args.corpus.glob("*.md") if args.only in p.name)
    try:
        answers, kb = audit_cards(cards, truth, args.together, args.with_sidecars)
    except ApiMoved as exc:
        print(f"error: {exc}")
        return 2

    rows = []
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    lic_misses: dict[str, list[str]] = defaultdict(list)
    jur_misses: dict[str, list[str]] = defaultdict(list)
    prc_misses: list[str] = []
    inherited_missing: list[str] = []
    pass_unknown: list[str] = []
    untracked = [c.name for c in cards if c.name not in truth]
    for card in cards:
        t = truth.get(card.name)
        if t is None:
            continue
        a = answers[card.name]
        lic = score_license(t, a, kb)
        jur = score_jurisdictions(t, a)
        prc = score_prc(t, a)
        dev_ok = a.developer_country == t.get("developer_country")
        lost = missed_ancestors(t, a)
        n_anc = len(t.get("lineage") or ())
        inh = [k for k in t.get("inherited_license") or () if k not in a.inherited | a.keys]
        totals["license"][lic] += 1
        totals["jurisdictions"][jur] += 1
        totals["prc"][prc] += 1
        totals["developer"]["right" if dev_ok else "wrong"] += 1
        totals["ancestors"]["found"] += n_anc - len(lost)
        totals["ancestors"]["truth"] += n_anc
        if pass_on_unknown(t, a, lic):
            pass_unknown.append(card.name)
        if inh:
            inherited_missing.append(f"{card.stem}: {', '.join(inh)} not bound")
        tool_lic = fmt(a.keys) + (
            f" (+unresolved {', '.join(a.unresolved)})" if a.unresolved else ""
        )
        if lic != "right":
            kind = "missing KB entry" if lic == "kb-missing" else t.get("license_via", "?")
            lic_misses[f"{lic} / {kind}"].append(
                f"{card.stem}: truth {fmt(as_keys(t.get('license')))}, tool {tool_lic}; "
                f"card: {t.get('license_evidence', '')}"
            )
        if jur != "right":
            hows = sorted({str(x["how"]) for x in lost}) or ["?"]
            extra = sorted(a.jurisdictions - set(t["jurisdictions"]))
            gone = sorted(set(t["jurisdictions"]) - a.jurisdictions)
            jur_misses[f"{jur} / {'+'.join(hows)}"].append(
                f"{card.stem}: truth {fmt(t['jurisdictions'])}, tool {fmt(a.jurisdictions)}"
                + (f" (lacks {', '.join(gone)})" if gone else "")
                + (f" (extra {', '.join(extra)})" if extra else "")
                + "; ancestors the tool did not find: "
                + "; ".join(f"{x['id']} [{x['how']}: {x.get('where', '')}]" for x in lost)
            )
        if prc.startswith("MISSED") or prc == "FALSE":
            prc_misses.append(
                f"{card.stem}: {prc}: truth {fmt(t['jurisdictions'])}, tool "
                f"{fmt(a.jurisdictions)}, PRC-policy verdict {a.prc_verdict}"
            )
        rows.append(
            [
                card.stem[:52],
                fmt(as_keys(t.get("license")))[:26],
                fmt(a.keys)[:26] + ("?" if a.unresolved else ""),
                lic,
                fmt(t["jurisdictions"]),
                fmt(a.jurisdictions),
                jur,
                prc,
                f"{n_anc - len(lost)}/{n_anc}",
                ",".join(a.licence_errors) or "-",
            ]
        )
        if args.details:
            print(
                f"{card.name}\n  truth: licence {fmt(as_keys(t.get('license')))} "
                f"({t.get('license_via')}); {t.get('license_evidence')}\n"
                f"  tool:  licence {tool_lic}, known={a.known}, inherited "
                f"{fmt(a.inherited)}, developer {a.developer_country}, ancestors "
                f"{a.ancestors}, jurisdictions {fmt(a.jurisdictions)}\n"
                f"  baseline {a.baseline_verdict} {a.baseline_rules}; PRC policy "
                f"{a.prc_verdict} (jurisdiction rule: {a.prc_jurisdiction_rule})"
            )

    headers = [
        "card",
        "licence (truth)",
        "licence (tool)",
        "lic",
        "jur (truth)",
        "jur (tool)",
        "jur",
        "PRC",
        "anc",
        "licence errors",
    ]
    print(table(headers, rows))
    n = len(rows)
    print()
    mode = "together (one audit, lineage linked)" if args.together else "each card alone"
    print(
        f"cards: {n} scored ({mode}; sidecars {'on' if args.with_sidecars else 'off'})"
        + (f"; not in the truth table: {', '.join(untracked)}" if untracked else "")
    )
    lic_t = totals["license"]
    print(
        f"licence:        right {lic_t['right']}/{n}, honestly unknown "
        f"{lic_t['unknown'] + lic_t['kb-missing']} (kb-missing {lic_t['kb-missing']}), "
        f"WRONG {lic_t['WRONG']}, errors {lic_t['ERROR']}   "
        f"[target: >= 65 right, the rest honestly unknown]"
    )
    jur_t = totals["jurisdictions"]
    print(
        f"jurisdictions:  right {jur_t['right']}/{n}, missing {jur_t['missing']}, "
        f"WRONG {jur_t['WRONG']}"
    )
    prc_t = totals["prc"]
    cn = prc_t["caught"] + prc_t["MISSED"] + prc_t["MISSED*"]
    print(
        f"PRC policy:     {prc_t['caught']}/{cn} cards with CN in their provenance fail on "
        f"jurisdiction; missed {prc_t['MISSED'] + prc_t['MISSED*']} "
        f"({prc_t['MISSED*']} of them fail for another reason); false alarms {prc_t['FALSE']}"
    )
    print(f"developer:      country right {totals['developer']['right']}/{n}")
    print(
        f"ancestors:      {totals['ancestors']['found']}/{totals['ancestors']['truth']} of the "
        "truth's ancestors found"
    )
    print(
        f"pass on an unknown licence (baseline, no license/unknown error): {len(pass_unknown)}"
        + (f" ({', '.join(pass_unknown)})" if pass_unknown else "")
        + f"; baseline verdicts {dict(Counter(a.baseline_verdict for a in answers.values()))}"
        " (card-only folders have no weights: weights/availability fails them all)"
    )

    def section(title: str, groups: dict[str, list[str]]) -> None:
        if not groups:
            return
        print(f"\n{title}")
        for group in sorted(groups):
            print(f"  [{group}] {len(groups[group])}")
            for line in groups[group]:
                print(f"    - {line}")

    section("licence misses, by result / where the card states the licence:", lic_misses)
    section(
        "jurisdiction misses, by result / how the missed ancestors are established:", jur_misses
    )
    if prc_misses:
        print("\nPRC policy misses:")
        for line in prc_misses:
            print(f"    - {line}")
    if inherited_missing:
        print("\ninherited licences the lineage should bind but the tool does not:")
        for line in inherited_missing:
            print(f"    - {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
