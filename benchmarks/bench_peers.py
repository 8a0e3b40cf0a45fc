"""Clearance against peer tools on the shared corpus: licences right, wrong and unknown, and time.

Run from the repository root::

    python benchmarks/bench_peers.py --setup   # create the peers' virtual environments first
    python benchmarks/bench_peers.py           # one run: every tool on the cards and the texts

Inputs (copied into a temporary folder, never into the repository):

- cards: every ``../shared/corpus/cards/*.md`` that ``tests/corpus_truth.yaml`` describes, each
  as ``README.md`` of its own folder (as a model repository holds it). The right answer is the
  truth table's ``license`` (or an ``accept`` set); scored with ``bench_corpus_cards.py``'s
  ``score_license``, so every tool is scored by the rule Clearance is scored by: right, WRONG
  (a licence the card does not carry, or an incomplete set), unknown (nothing named; a licence
  the knowledge base lacks, ``kb-missing``, counts here too).
- texts: every ``../shared/corpus/licenses/*.txt`` that ``tests/test_identify.py``'s ``EXPECTED``
  names, each as ``LICENSE`` of its own folder. Right when the one licence named is the expected
  one (for an acceptable-use policy or NOTICE, when the document's own key is named and no
  licence); unknown when nothing is named; wrong otherwise.

Tools, each in its own virtual environment under ``$CLEARANCE_BENCH_VENVS`` (default
``~/.cache/clearance-bench/<pip name>``; ``--setup`` creates them with pip; a missing one is
listed as "not installed"). Each is run once over the whole folder of cards and once over the
folder of texts, as a subprocess, with telemetry and network look-ups off (``CI=1``,
``PROMPTFOO_DISABLE_TELEMETRY``, ``AISBOM_OFFLINE``, ``HF_HUB_OFFLINE``, ...). Time is the wall
time of those processes (start-up included). Clearance's card time is the same kind of figure
(``python -m checker check`` on every card folder, JSON to a temporary file); its answers come
from ``checker.api`` as in ``bench_corpus_cards.py``; its text time is in-process (import,
knowledge load, one pass of ``checker.identify``), since the CLI has no identify command.

How each peer's output is read, and mapped to Clearance's licence keys (``rules/licenses``):

- ScanCode Toolkit: ``scancode --license --license-references --json-pp``; per file the keys of
  ``detected_license_expression``, less ScanCode's generic and unknown keys (its
  ``license_references`` say which); each key through ``SCANCODE_TO_CLEARANCE`` of
  ``bench_identify.py`` (documents too), else the same key if Clearance has it.
- ModelAudit: ``modelaudit scan --format json``; per file the ``spdx_id`` (else ``name``) of
  each ``file_metadata[path].license_info`` entry.
- Veritensor: ``veritensor scan --json``; per file ``detected_license``.
- aisbom-cli: ``aisbom scan --offline`` (CycloneDX JSON); per component the ``licenses`` ids or
  names, matched to a folder by the component's name or path properties.
- weight-audit: reads no files but a manifest of Hub ids, and with ``--online`` asks the Hub API
  for ``cardData.license``. The Hub is emulated: the manifest's documented second column (the
  licence "reported by the registry") is given the card's front-matter ``license`` as the Hub
  would report it (``str()`` of it, as the tool does with the API's answer). Its ``license_id``
  is mapped. It has nothing to say about licence texts ("n/a").

A peer's value maps to a key by ``Knowledge.license`` (exact key, SPDX id, Hub id, alias or
URL, case-insensitive: no fuzzy reading) or ``FAMILIES`` (a family name without a version,
weight-audit's ``llama-community-license``, counts right when the truth is one of the family).
``NO_ANSWER`` values (``other``, ``unknown``, ``NOASSERTION``) are "nothing named". A value
that maps to nothing is shown raw and scored WRONG. Peers' code is not copied here.

It prints numbers and asserts nothing; it exits 0 (2 only when the corpus is absent).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import bench_corpus_cards as cards_bench  # noqa: E402
import bench_identify as identify_bench  # noqa: E402
from common import table  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
VENVS = Path(os.environ.get("CLEARANCE_BENCH_VENVS") or Path.home() / ".cache" / "clearance-bench")
TIMEOUT = 1800
QUIET_ENV = {
    "CI": "1",
    "PROMPTFOO_DISABLE_TELEMETRY": "1",
    "NO_ANALYTICS": "1",
    "DO_NOT_TRACK": "1",
    "AISBOM_OFFLINE": "1",
    "AISBOM_NO_TELEMETRY": "1",
    "AISBOM_NO_HF_LOOKUP": "1",
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "NO_COLOR": "1",
    "COLUMNS": "200",
}
RIGHT = {"correct": "right"}  # bench_identify's word for it
NO_ANSWER = frozenset({"", "other", "unknown", "noassertion", "none", "null"})
# A name for a licence family without a version: right when the truth is one of them.
FAMILIES: dict[str, tuple[str, ...]] = {
    "llama-community-license": ("llama2", "llama3", "llama3.1", "llama3.2", "llama3.3", "llama4"),
    "qwen-license": ("qwen", "qwen-research", "tongyi-qianwen", "tongyi-qianwen-research"),
    "deepseek-license": ("deepseek",),
    "chatglm-license": ("chatglm-6b", "chatglm3-6b", "glm-4", "codegeex4"),
    "baichuan-license": ("baichuan2-community",),
    "grok-license": ("grok2-community",),
    "yi-license": ("yi-license",),
    # ModelAudit's "RAIL" and weight-audit's "bigscience-rail": a RAIL licence, unversioned
    "rail": (
        "openrail",
        "bigscience-bloom-rail-1.0",
        "bigscience-openrail-m",
        "bigcode-openrail-m",
        "creativeml-openrail-m",
        "openrail++",
    ),
    "bigscience-rail": ("bigscience-bloom-rail-1.0", "bigscience-openrail-m"),
}


@dataclass
class Peer:
    """A tool compared with Clearance: its pip name, its executable, how it is read."""

    name: str
    pip: tuple[str, ...]
    exe: str
    reads_texts: bool = True
    runner: Callable[[Peer, Path, Path, str], dict[str, list[str]]] | None = None

    @property
    def venv(self) -> Path:
        return VENVS / self.pip[0]

    @property
    def bin(self) -> Path:
        return self.venv / "bin" / self.exe

    def version(self) -> str | None:
        if not self.bin.exists():
            return None
        code = f"import importlib.metadata as m; print(m.version({self.pip[0]!r}))"
        out = run([str(self.venv / "bin" / "python"), "-c", code], quiet=True)
        return out.stdout.strip() or None


@dataclass
class Score:
    counts: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    note: str = ""
    wrong: list[str] = field(default_factory=list)


def run(command: list[str], cwd: Path | None = None, quiet: bool = False) -> Any:
    env = {**os.environ, **QUIET_ENV}
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def folder_of(path: str, root: Path) -> str | None:
    """The input folder (card stem or text name) a tool's reported path lies in."""
    try:
        rel = Path(path).resolve().relative_to(root.resolve())
    except ValueError:
        rel = Path(path)
        parts = [p for p in rel.parts if p not in ("/", ".")]
        root_at = parts.index(root.name) if root.name in parts else -1
        return parts[root_at + 1] if 0 <= root_at < len(parts) - 1 else None
    return rel.parts[0] if rel.parts else None


# ------------------------------------------------------------------ the peers' outputs


def run_scancode(peer: Peer, root: Path, out: Path, kind: str) -> dict[str, list[str]]:
    report = out / f"scancode-{kind}.json"
    flags = ["--license", "--license-references", "--processes", "2", "--quiet"]
    run([str(peer.bin), *flags, "--json-pp", str(report), str(root)])
    data = json.loads(report.read_text(encoding="utf-8"))
    generic = {
        str(r.get("key"))
        for r in data.get("license_references") or ()
        if r.get("is_generic") or r.get("is_unknown")
    }
    answers: dict[str, list[str]] = {}
    for entry in data.get("files") or ():
        where = folder_of(str(entry.get("path", "")), root)
        if where is None or entry.get("type") != "file":
            continue
        keys = identify_bench.expression_keys(entry.get("detected_license_expression"))
        answers.setdefault(where, []).extend(f"scancode:{k}" for k in keys if k not in generic)
    return answers


def run_modelaudit(peer: Peer, root: Path, out: Path, kind: str) -> dict[str, list[str]]:
    report = out / f"modelaudit-{kind}.json"
    flags = ["--format", "json", "--no-cache", "-q", "-o", str(report)]
    run([str(peer.bin), "scan", str(root), *flags])
    data = json.loads(report.read_text(encoding="utf-8"))
    answers: dict[str, list[str]] = {}
    for path, meta in (data.get("file_metadata") or {}).items():
        where = folder_of(path, root)
        if where is None or not isinstance(meta, dict):
            continue
        for item in meta.get("license_info") or ():
            value = item.get("spdx_id") or item.get("name")
            if value:
                answers.setdefault(where, []).append(str(value))
    return answers


def run_veritensor(peer: Peer, root: Path, out: Path, kind: str) -> dict[str, list[str]]:
    done = run([str(peer.bin), "scan", str(root), "--json", "--ignore-license"])
    start = done.stdout.find("[")
    data = json.loads(done.stdout[start:]) if start >= 0 else []
    answers: dict[str, list[str]] = {}
    for entry in data:
        where = folder_of(str(entry.get("file_path", "")), root)
        value = entry.get("detected_license")
        if where is not None and value:
            answers.setdefault(where, []).append(str(value))
    return answers


def run_aisbom(peer: Peer, root: Path, out: Path, kind: str) -> dict[str, list[str]]:
    report = out / f"aisbom-{kind}.json"
    flags = ["--offline", "--no-fail-on-risk", "--output", str(report)]
    run([str(peer.bin), "scan", str(root), *flags])
    data = json.loads(report.read_text(encoding="utf-8"))
    answers: dict[str, list[str]] = {}
    for comp in data.get("components") or ():
        places = [str(comp.get("name", ""))] + [
            str(p.get("value", "")) for p in comp.get("properties") or ()
        ]
        where = next((w for p in places if (w := folder_of(p, root)) is not None), None)
        for item in comp.get("licenses") or ():
            lic = item.get("license") or {}
            value = lic.get("id") or lic.get("name") or item.get("expression")
            if where is not None and value:
                answers.setdefault(where, []).append(str(value))
    return answers


def run_weight_audit(peer: Peer, root: Path, out: Path, kind: str) -> dict[str, list[str]]:
    """The Hub emulated: each model's card ``license`` as the manifest's registry column."""
    from ruamel.yaml import YAML

    folder = out / f"weight-audit-{kind}"
    folder.mkdir()
    lines, by_id = [], {}
    for card in sorted(root.glob("*/README.md")):
        model_id = MODEL_IDS.get(card.parent.name, card.parent.name.replace("__", "/", 1))
        by_id[model_id] = card.parent.name
        text = card.read_text(encoding="utf-8-sig", errors="replace").replace("\r\n", "\n")
        licence = None
        match = re.match(r"---\n(.*?)\n---", text, re.S)
        if match:
            try:
                meta = YAML(typ="safe").load(match.group(1))
            except Exception:  # a card the Hub could not parse reports no licence
                meta = None
            value = meta.get("license") if isinstance(meta, dict) else None
            licence = None if value in (None, "") else str(value)
        lines.append(f"{model_id},{licence}" if licence else model_id)
    (folder / "weight-audit-models.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run([str(peer.bin), "scan", str(folder), "--json"])
    answers: dict[str, list[str]] = {}
    for entry in json.loads(done.stdout or "[]"):
        where = by_id.get(str(entry.get("model_id")))
        if where is not None and entry.get("license_id"):
            answers.setdefault(where, []).append(str(entry["license_id"]))
    return answers


PEERS = [
    Peer("ScanCode", ("scancode-toolkit", "pluggy==1.0.0"), "scancode", runner=run_scancode),
    Peer("ModelAudit", ("modelaudit",), "modelaudit", runner=run_modelaudit),
    Peer("Veritensor", ("veritensor",), "veritensor", runner=run_veritensor),
    Peer("aisbom-cli", ("aisbom-cli",), "aisbom", runner=run_aisbom),
    Peer("weight-audit", ("weight-audit",), "weight-audit", False, runner=run_weight_audit),
]
MODEL_IDS: dict[str, str] = {}  # card folder -> Hub id (the truth's ``model``)


# ------------------------------------------------------------------ mapping and scoring


def to_keys(values: list[str], kb: Any, allowed: set[str]) -> set[str]:
    """A peer's values as Clearance keys (``doc:KEY`` for a document); unmapped ones raw."""
    out: set[str] = set()
    for value in values:
        if value.startswith("scancode:"):
            key = value.removeprefix("scancode:")
            mapped = identify_bench.SCANCODE_TO_CLEARANCE.get(key, key)
            if isinstance(mapped, tuple):
                out.add(f"doc:{mapped[1]}")
                continue
            value = mapped if mapped is not None else f"scancode:{key}"
        if value.strip().lower() in NO_ANSWER:
            continue
        family = FAMILIES.get(value.strip().lower())
        if family is not None:
            out.add(next((k for k in family if k in allowed), family[0]))
            continue
        entry = kb.license(value.strip())
        out.add(entry.key if entry is not None else f"raw:{value}")
    return out


def score_card(truth: dict[str, Any], keys: set[str], kb: Any) -> str:
    answer = cards_bench.Answer(keys=keys, known=bool(keys))
    got = cards_bench.score_license(truth, answer, kb)
    return "unknown" if got == "kb-missing" else got.lower()


def score_text(expected: Any, keys: set[str]) -> str:
    if not keys:
        return "unknown"
    if isinstance(expected, tuple):
        return "right" if keys == {f"doc:{expected[1]}"} else "wrong"
    return "right" if keys == {expected} else "wrong"


def allowed_keys(truth: dict[str, Any]) -> set[str]:
    keys = set(cards_bench.as_keys(truth.get("license")) or ())
    for extra in truth.get("accept") or ():
        keys |= set(extra)
    return keys


# ------------------------------------------------------------------ inputs and Clearance


def lay_out(tmp: Path, cards: list[Path], texts: list[Path]) -> tuple[Path, Path]:
    card_root, text_root = tmp / "cards", tmp / "texts"
    for card in cards:
        (card_root / card.stem).mkdir(parents=True)
        shutil.copyfile(card, card_root / card.stem / "README.md")
    for text in texts:
        (text_root / text.stem).mkdir(parents=True)
        shutil.copyfile(text, text_root / text.stem / "LICENSE")
    return card_root, text_root


def clearance_cards(
    cards: list[Path], truth: dict[str, Any], card_root: Path, out: Path
) -> tuple[Score, Any]:
    """Clearance's answers scored exactly as ``bench_corpus_cards.py`` scores them."""
    answers, kb = cards_bench.audit_cards(cards, truth, together=False, sidecars=False)
    score = Score()
    for card in cards:
        answer = answers[card.name]
        got = cards_bench.score_license(truth[card.name], answer, kb)
        verdict = "unknown" if got == "kb-missing" else got.lower()
        score.counts[verdict] += 1
        if verdict != "right":
            part = f" (+unresolved {', '.join(answer.unresolved)})" if answer.unresolved else ""
            score.wrong.append(f"{card.stem}: {verdict}: {cards_bench.fmt(answer.keys)}{part}")
    command = [sys.executable, "-m", "checker", "check", "--policy", "builtin:baseline"]
    command += ["--format", "json", "--output", str(out / "clearance.json"), "--quiet"]
    start = time.perf_counter()
    run(command + sorted(str(p) for p in card_root.iterdir()), cwd=ROOT)
    score.seconds = time.perf_counter() - start
    return score, kb


def clearance_texts(texts: list[Path], expected: dict[str, Any]) -> tuple[dict[str, str], float]:
    result = identify_bench.run_clearance(texts, expected, runs=1)
    verdicts = {
        name: {"correct": "right"}.get(v.verdict, v.verdict)
        for name, v in result["verdicts"].items()
    }
    return verdicts, float(result["t_first_call"])


def setup() -> int:
    import venv

    for peer in PEERS:
        if peer.bin.exists():
            print(f"{peer.name}: already installed in {peer.venv}")
            continue
        print(f"{peer.name}: creating {peer.venv} and installing {' '.join(peer.pip)} ...")
        venv.create(peer.venv, with_pip=True, clear=True)
        done = run([str(peer.venv / "bin" / "python"), "-m", "pip", "install", *peer.pip])
        print("  ok" if done.returncode == 0 else f"  failed: {done.stderr.strip()[-300:]}")
    return 0


# ------------------------------------------------------------------ main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setup", action="store_true", help="create the peers' venvs, then run")
    parser.add_argument("--details", action="store_true", help="list every wrong answer")
    parser.add_argument("--skip", action="append", default=[], help="a peer not to run")
    args = parser.parse_args()
    if args.setup:
        setup()
    if not (CORPUS / "cards").is_dir() or not (CORPUS / "licenses").is_dir():
        print(f"corpus not found: {CORPUS} (skipped)")
        return 2
    truth = cards_bench.load_truth(cards_bench.TRUTH)
    cards = sorted(p for p in (CORPUS / "cards").glob("*.md") if p.name in truth)
    expected = identify_bench.load_expected()
    texts = sorted(p for p in (CORPUS / "licenses").glob("*.txt") if p.name in expected)
    for card in cards:
        MODEL_IDS[card.stem] = truth[card.name].get("model") or card.stem.replace("__", "/", 1)

    from checker.version import __version__

    scores: dict[str, tuple[Score, Score]] = {}
    commit = run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]).stdout.strip()
    versions = {"Clearance": f"{__version__} ({commit or 'no git'})"}
    with tempfile.TemporaryDirectory(prefix="clearance-peers-") as name:
        tmp = Path(name)
        card_root, text_root = lay_out(tmp, cards, texts)
        c_cards, kb = clearance_cards(cards, truth, card_root, tmp)
        verdicts, seconds = clearance_texts(texts, expected)
        c_texts = Score(Counter(verdicts.values()), seconds)
        scores["Clearance"] = (c_cards, c_texts)
        for peer in PEERS:
            version = peer.version()
            if peer.name in args.skip:
                scores[peer.name] = (Score(note="skipped"), Score(note="skipped"))
                continue
            if version is None or peer.runner is None:
                scores[peer.name] = (Score(note="not installed"), Score(note="not installed"))
                continue
            versions[peer.name] = version
            scores[peer.name] = (
                score_peer(peer, card_root, tmp, "cards", truth, kb, None),
                score_peer(peer, text_root, tmp, "texts", truth, kb, expected)
                if peer.reads_texts
                else Score(note="n/a"),
            )
    print_results(scores, versions, len(cards), len(texts), args.details)
    return 0


def score_peer(
    peer: Peer,
    root: Path,
    tmp: Path,
    kind: str,
    truth: dict[str, Any],
    kb: Any,
    expected: dict[str, Any] | None,
) -> Score:
    assert peer.runner is not None
    start = time.perf_counter()
    try:
        answers = peer.runner(peer, root, tmp, kind)
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        return Score(seconds=time.perf_counter() - start, note=f"failed: {exc}"[:60])
    score = Score(seconds=time.perf_counter() - start)
    for folder in sorted(p.name for p in root.iterdir()):
        values = answers.get(folder, [])
        if expected is None:
            t = truth[f"{folder}.md"]
            got = to_keys(values, kb, allowed_keys(t))
            verdict = score_card(t, got, kb)
        else:
            exp = expected[f"{folder}.txt"]
            got = to_keys(values, kb, {exp} if isinstance(exp, str) else set())
            verdict = score_text(exp, got)
        score.counts[verdict] += 1
        if verdict == "wrong":
            score.wrong.append(f"{folder}: wrong: {cards_bench.fmt(got)}")
    return score


def cells(score: Score, total: int) -> list[str]:
    if score.note:
        return [score.note, "", "", ""]
    c = score.counts
    unknown = total - c["right"] - c["wrong"]
    return [str(c["right"]), str(c["wrong"]), str(unknown), f"{score.seconds:.1f}"]


def print_results(
    scores: dict[str, tuple[Score, Score]],
    versions: dict[str, str],
    n_cards: int,
    n_texts: int,
    details: bool,
) -> None:
    today = dt.datetime.now(dt.UTC).date().isoformat()
    print(f"Licences named by each tool, {today}, {n_cards} cards and {n_texts} licence texts")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    rows = [
        [name, *cells(card, n_cards), *cells(text, n_texts)]
        for name, (card, text) in scores.items()
    ]
    header = ["tool", "cards right", "wrong", "unknown", "s"]
    header += ["texts right", "wrong", "unknown", "s"]
    print(table(header, rows))
    if details:
        for name, (card, text) in scores.items():
            for line in card.wrong + text.wrong:
                print(f"  {name}: {line}")


if __name__ == "__main__":
    raise SystemExit(main())
