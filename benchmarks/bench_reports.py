"""Size and time of the person-facing reports (Markdown, HTML, terminal) at 10, 100 and 1,000
models.

Run from the repository root::

    python benchmarks/bench_reports.py            # 10, 100, 1,000 models, best of 3
    python benchmarks/bench_reports.py --quick    # best of 1

The facts are the example folders of ``examples/models.yaml`` read once, then copied under
distinct ids (``microsoft/Phi-3-mini-4k-instruct-00042``) and audited against the example
policy, as ``bench_engine.py`` does. Timed: rendering only (the audit result is built before
the clock starts). The Markdown report is measured in full (``max_chars=0``) and within the
default budget (65,000 characters). Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_engine import MANIFEST, POLICY, build_facts  # noqa: E402
from common import table  # noqa: E402

from checker.api import audit_facts  # noqa: E402
from checker.knowledge import load_knowledge  # noqa: E402
from checker.policy import load_policy  # noqa: E402
from checker.reporters.html import render_html  # noqa: E402
from checker.reporters.markdown import DEFAULT_MAX_CHARS, render_markdown  # noqa: E402
from checker.reporters.terminal import render_terminal  # noqa: E402
from checker.result import AuditResult  # noqa: E402

NOW = dt.datetime(2026, 1, 15, 12, 0, 0, tzinfo=dt.UTC)
del MANIFEST


RENDERS: dict[str, Callable[[AuditResult], str]] = {
    "markdown, full": lambda r: render_markdown(r, max_chars=0),
    f"markdown, budget {DEFAULT_MAX_CHARS:,}": render_markdown,
    "html": render_html,
    "terminal, 120 columns": lambda r: render_terminal(r, width=120),
    "terminal, 80 columns": lambda r: render_terminal(r, width=80),
}


def best(fn: Callable[[AuditResult], str], result: AuditResult, runs: int) -> tuple[float, str]:
    times, out = [], ""
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        out = fn(result)
        times.append(time.perf_counter() - start)
    return min(times), out


def audit(count: int) -> AuditResult:
    kb = load_knowledge()
    facts, _ = build_facts(count, kb)
    return audit_facts(facts, load_policy(str(POLICY), kb), kb, now=NOW)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one run per measurement")
    args = parser.parse_args()
    runs = 1 if args.quick else 3
    rows = []
    for count in (10, 100, 1_000):
        result = audit(count)
        for name, fn in RENDERS.items():
            seconds, text = best(fn, result, runs)
            note = ""
            if "budget" in name:
                kept = text.count("<details><summary><code>")
                note = f"{kept} of {count} details kept"
            rows.append([f"{count:,}", name, f"{len(text):,}", f"{seconds * 1000:,.0f}", note])
    print(table(["models", "report", "characters", "ms", "note"], rows))


if __name__ == "__main__":
    main()
