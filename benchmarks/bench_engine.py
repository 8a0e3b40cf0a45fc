"""Engine throughput: how many models per second ``audit_facts`` evaluates against a real policy.

Run from the repository root::

    python benchmarks/bench_engine.py            # 10,000 models, best of 5
    python benchmarks/bench_engine.py --quick    # 1,000 models, best of 2
    python benchmarks/bench_engine.py --profile  # also cProfile one run, top checker/ hotspots

The facts are realistic: the example folders listed in ``examples/models.yaml`` are read and
normalised once (``checker.api.gather``), then copied with ``dataclasses.replace`` under distinct
model ids that keep each original's org and name as a prefix
(``microsoft/Phi-3-mini-4k-instruct-00042``), so knowledge lookups, custom rules and glob waivers
(``microsoft/Phi-3-*``) match exactly as they do for the originals. Only evaluation is timed:
reading the folders and loading the policy happen once, before the clock starts.

End to end (issue 14, item 5): it then generates distinct small folders (``bench_local.make_tree``:
varied licences, developers and so countries, bases and so lineage; here also pickles, remote
code and folders without weights), so no cache keyed by text is hit twice, and times the whole
way from the manifest to the JSON report (``audit`` + ``write_json``: parsing the manifest,
reading every folder, facts, lineage, checks, the report) with a cold and a warm cache folder,
beside evaluation alone (``audit_facts`` + ``render_json``) on the facts of those same folders.

This prints numbers; it asserts nothing. The issue's target is >= 5,000 models/s.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import json
import os
import platform
import pstats
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "examples" / "models.yaml"
POLICY = ROOT / "examples" / "policies" / "acme.yaml"
NOW = dt.datetime(2026, 1, 15, 12, 0, 0, tzinfo=dt.UTC)  # fixed clock: waiver W-12 is live
TARGET_MODELS_PER_S = 5_000

sys.path.insert(0, str(ROOT))  # run from a checkout even if the package is not installed

from bench_local import make_tree  # noqa: E402  (benchmarks/bench_local.py)
from common import table  # noqa: E402  (benchmarks/common.py)

from checker.api import audit, audit_facts, gather  # noqa: E402
from checker.facts import ModelFacts  # noqa: E402
from checker.findings import Verdict  # noqa: E402
from checker.knowledge import Knowledge, load_knowledge  # noqa: E402
from checker.policy import Policy, load_policy  # noqa: E402
from checker.reporters._common import dump_json, gc_paused, written_alike  # noqa: E402
from checker.reporters.json_report import render_json, to_document, write_json  # noqa: E402
from checker.result import AuditResult  # noqa: E402
from checker.sources.targets import read_manifest  # noqa: E402
from checker.version import __version__  # noqa: E402


def pin_one_core() -> str:
    """Pin this process to one CPU (Linux); say which, or why not."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity on this platform)"
    allowed = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {allowed[0]})
    return f"pinned to CPU {allowed[0]} (of {len(allowed)} allowed)"


def build_facts(count: int, kb: Knowledge) -> tuple[list[ModelFacts], int]:
    """``count`` facts: the example models normalised once, then copied under distinct ids."""
    originals = gather(read_manifest(MANIFEST), kb)
    out: list[ModelFacts] = []
    for i in range(count):
        base = originals[i % len(originals)]
        copy = i // len(originals)
        model_id = f"{base.model.id}-{copy:05d}"
        out.append(
            replace(base, target=f"{base.target}#{copy}", model=replace(base.model, id=model_id))
        )
    return out, len(originals)


def timed(fn: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    """Wall times of ``runs`` calls (collector run before each, left enabled); last result."""
    times: list[float] = []
    result: Any = None
    for _ in range(runs):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def summarise(result: AuditResult) -> str:
    verdicts = Counter(m.verdict for m in result.models)
    findings = sum(len(m.findings) for m in result.models)
    waived = sum(1 for m in result.models for f in m.findings if f.waived_by is not None)
    shown = ", ".join(f"{v.value} {verdicts.get(v, 0)}" for v in Verdict)
    return (
        f"sanity: {len(result.models):,} models -> {shown}; {findings:,} findings "
        f"({waived:,} waived); {len(result.findings)} policy-level finding(s)"
    )


def _render_json_stdlib(result: AuditResult) -> str:
    """render_json as it was before checker/reporters/_common.py: the stdlib's indenting encoder."""
    return json.dumps(to_document(result), indent=2, ensure_ascii=False) + "\n"


def breakdown(result: AuditResult, count: int, runs: int) -> None:
    """Where render_json's time goes, on an already computed result."""
    doc = to_document(result)
    same = render_json(result) == _render_json_stdlib(result)

    def paused_to_document() -> Any:
        with gc_paused():
            return to_document(result)

    cases: list[tuple[str, Callable[[], Any]]] = [
        ("render_json (dump_json, GC paused)", lambda: render_json(result)),
        ("render_json before (json.dumps indent=2)", lambda: _render_json_stdlib(result)),
        ("to_document (checker code)", lambda: to_document(result)),
        ("to_document, GC paused", paused_to_document),
        (
            "json.dumps(indent=2), as render_json was",
            lambda: json.dumps(doc, indent=2, ensure_ascii=False),
        ),
        ("dump_json (orjson + plain-value check)", lambda: dump_json(doc)),
        ("  of which written_alike (the check)", lambda: written_alike(doc)),
        ("json.dumps(indent=None), reference", lambda: json.dumps(doc, ensure_ascii=False)),
    ]
    rows = []
    best: dict[str, float] = {}
    for name, fn in cases:
        times, _ = timed(fn, runs)
        best[name] = min(times)
        rows.append(
            [
                name,
                f"{min(times):.3f}",
                f"{statistics.median(times):.3f}",
                f"{1e6 * min(times) / count:,.1f}",
            ]
        )
    print("\nrender_json breakdown (same result, best and median of each):")
    print(table(["stage", "best s", "median s", "us/model"], rows))
    speedup = best[cases[1][0]] / best[cases[0][0]]
    print(
        f"render_json: {speedup:.1f}x faster than before (best vs best); "
        f"output {'byte-identical' if same else 'DIFFERENT'} to json.dumps(indent=2)"
    )
    print("(json.dumps with indent uses the pure-Python encoder; without indent, the C one)")


def varied_tree(root: Path, count: int) -> Path:
    """``count`` distinct folders and their manifest: ``make_tree``'s, and besides its varied
    licences, developers and bases, a pickle in every fifth, remote code in every eleventh, no
    weights in every ninth and no licence file in every second."""
    manifest = make_tree(root, count)
    for i in range(count):
        folder = root / "models" / f"m{i:06d}"
        if i % 5 == 0:
            (folder / "pytorch_model.bin").write_bytes(b"\x80\x02N." + bytes(16))
        if i % 11 == 0:
            (folder / "modeling_custom.py").write_text("class Model:\n    pass\n")
        if i % 9 == 0:
            (folder / "model.safetensors").unlink()
        if i % 2 == 0:  # the card alone declares the licence (a text it cannot identify: a finding)
            (folder / "LICENSE").unlink()
    return manifest


def end_to_end(count: int, runs: int, policy: Policy, kb: Knowledge) -> None:
    """Manifest -> JSON report on ``count`` distinct folders, cold and warm cache, beside
    evaluation alone on the same folders' facts."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="clearance-bench-engine-") as tmp:
        manifest = varied_tree(Path(tmp) / "tree", count)
        before = os.environ.get("CLEARANCE_CACHE_DIR")
        fresh = iter(range(runs + 1))

        def whole(cold: bool) -> Any:
            if cold:  # an empty cache folder: every card parsed, nothing kept from a run
                os.environ["CLEARANCE_CACHE_DIR"] = str(Path(tmp) / f"cache-{next(fresh)}")
            result = audit([str(manifest)], policy, jobs=1, now=NOW)
            write_json(result, _discard)
            return result

        try:
            cold, last = timed(lambda: whole(True), runs)
            warm, _ = timed(lambda: whole(False), runs)
        finally:
            if before is None:
                os.environ.pop("CLEARANCE_CACHE_DIR", None)
            else:
                os.environ["CLEARANCE_CACHE_DIR"] = before
        facts = gather(read_manifest(manifest), kb, jobs=1)
        evaluated, _ = timed(lambda: render_json(audit_facts(facts, policy, kb, now=NOW)), runs)
    rows = []
    for name, times in (
        ("end to end, cold cache: manifest -> JSON report", cold),
        ("end to end, warm cache (parsed YAML kept)", warm),
        ("evaluation alone: audit_facts + render_json", evaluated),
    ):
        best = min(times)
        ratio = best / min(evaluated)
        rows.append([name, f"{best:.3f}", f"{count / best:,.0f}", f"{ratio:.1f}x"])
    print(f"\nend to end on {count:,} distinct generated folders (best of {runs}):")
    print(table(["case", "best s", "models/s", "vs evaluation"], rows))
    print(summarise(last))


def _discard(text: str) -> None:
    del text


def _where(key: tuple[str, int, str]) -> str:
    path = Path(key[0])
    if path.is_relative_to(ROOT):
        return f"{path.relative_to(ROOT)}:{key[2]}"
    if key[0] == "~":  # a built-in
        return key[2]
    return f"{path.parent.name}/{path.name}:{key[2]}"


def profile(facts: list[ModelFacts], policy: Policy, kb: Knowledge, top: int) -> None:
    """cProfile one audit_facts + render_json run; print the top functions in checker/."""
    profiler = cProfile.Profile()
    profiler.enable()
    render_json(audit_facts(facts, policy, kb, now=NOW))
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    checker_dir = str(ROOT / "checker")
    entries = stats.stats.items()  # type: ignore[attr-defined]
    mine = [(k, v) for k, v in entries if k[0].startswith(checker_dir)]
    everything = list(entries)
    for key, order, pool, where in (
        ("tottime", 2, everything, "all functions (stdlib included)"),
        ("tottime", 2, mine, "checker/ functions"),
        ("cumtime", 3, mine, "checker/ functions"),
    ):
        ranked = sorted(pool, key=lambda kv: kv[1][order], reverse=True)[:top]
        rows = [
            [
                _where(k),
                f"{v[1]:,}",
                f"{v[2]:.3f}",
                f"{v[3]:.3f}",
                f"{100 * v[order] / total:.1f}%",
            ]
            for k, v in ranked
        ]
        print(
            f"\ncProfile, one audit_facts + render_json run over {len(facts):,} models "
            f"(total {total:.3f} s under the profiler), {where} by {key}:"
        )
        print(table(["file:function", "calls", "tottime s", "cumtime s", f"% {key}"], rows))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 models, best of 2")
    parser.add_argument("--models", type=int, default=None, help="number of models (10,000)")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per case (5)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin to one CPU")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also cProfile one run and list the top checker/ functions",
    )
    parser.add_argument("--top", type=int, default=15, help="rows of the profile (15)")
    parser.add_argument(
        "--e2e-models", type=int, default=None, help="distinct folders end to end (2,000; 0: skip)"
    )
    args = parser.parse_args(argv)
    count = args.models or (1_000 if args.quick else 10_000)
    runs = args.runs or (2 if args.quick else 5)

    pinned = "not pinned (--no-pin)" if args.no_pin else pin_one_core()
    kb = load_knowledge()
    policy = load_policy(str(POLICY), kb)
    facts, originals = build_facts(count, kb)

    print(
        f"clearance {__version__}, Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.machine()}, {pinned}"
    )
    print(
        f"{count:,} models ({originals} example folders x {count // originals:,} copies), "
        f"policy {POLICY.relative_to(ROOT)} ({len(policy.custom_rules)} custom rule(s), "
        f"{len(policy.waivers)} waiver(s)), clock {NOW.isoformat()}, best of {runs}"
    )

    cases: list[tuple[str, Callable[[], Any]]] = [
        ("audit_facts", lambda: audit_facts(facts, policy, kb, now=NOW)),
        ("audit_facts + render_json", lambda: render_json(audit_facts(facts, policy, kb, now=NOW))),
    ]
    rows = []
    last: AuditResult | None = None
    report_bytes = 0
    for name, fn in cases:
        times, result = timed(fn, runs)
        if isinstance(result, AuditResult):
            last = result
        else:
            report_bytes = len(result.encode("utf-8"))
        best, median = min(times), statistics.median(times)
        rate = count / best
        rows.append(
            [
                name,
                f"{best:.3f}",
                f"{median:.3f}",
                f"{rate:,.0f}",
                f"{1e6 * best / count:,.1f}",
                "ok" if rate >= TARGET_MODELS_PER_S else f"MISS (< {TARGET_MODELS_PER_S:,}/s)",
            ]
        )
    print()
    print(table(["case", "best s", "median s", "models/s", "us/model", "target >=5,000/s"], rows))
    print()
    if last is not None:
        print(summarise(last))
        breakdown(last, count, runs)
    print(f"JSON report: {report_bytes / 1e6:,.1f} MB ({report_bytes / count:,.0f} bytes/model)")

    e2e = args.e2e_models if args.e2e_models is not None else (300 if args.quick else 2_000)
    if e2e > 0:
        end_to_end(e2e, min(runs, 3), policy, kb)

    if args.profile:
        profile(facts, policy, kb, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
