"""Command-line latency: ``clearance --help``, an end-to-end ``check`` and what ``import`` costs.

Run from the repository root::

    python benchmarks/bench_cli.py           # --help x15, check x10, importtime
    python benchmarks/bench_cli.py --quick   # --help x5, check x3

Every timing is the wall time of a fresh subprocess (interpreter start-up included), after one
untimed warm-up run so the file-system cache is warm. The ``clearance`` executable is the one
next to ``sys.executable`` (so run this with the virtualenv's python); if there is none,
``python -m checker`` is timed instead.

The import table comes from ``python -X importtime -c "import checker.cli"``: the modules with
the largest cumulative import time, and whether any heavy dependency (huggingface_hub, spdx-tools,
jinja2, ruamel.yaml, rich, jsonschema, license-expression) is imported by ``--help``.

This prints numbers; it asserts nothing. Targets from the issue: ``--help`` < 150 ms,
``check`` of the example manifest < 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from common import table  # benchmarks/common.py

ROOT = Path(__file__).resolve().parent.parent
HELP_TARGET_S = 0.150
CHECK_TARGET_S = 1.0
HEAVY = (
    "huggingface_hub",
    "spdx_tools",
    "jinja2",
    "ruamel",
    "rich",
    "jsonschema",
    "license_expression",
    "yaml",
    "requests",
    "httpx",
)
CHECK_ARGS = [
    "check",
    "examples/models.yaml",
    "--policy",
    "examples/policies/acme.yaml",
    "--format",
    "json",
]
_IMPORTTIME = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)")


def clearance_command() -> tuple[list[str], str]:
    """The clearance executable beside sys.executable, else on PATH, else python -m checker."""
    bindir = Path(sys.executable).parent
    for name in ("clearance", "clearance.exe"):
        exe = bindir / name
        if exe.is_file():
            return [str(exe)], str(exe)
    found = shutil.which("clearance")
    if found:
        return [found], f"{found} (from PATH: none next to {sys.executable})"
    return [sys.executable, "-m", "checker"], f"{sys.executable} -m checker (no executable found)"


def run_times(cmd: list[str], runs: int) -> tuple[list[float], subprocess.CompletedProcess[bytes]]:
    """Wall times of ``runs`` runs of ``cmd`` from the repo root, after one untimed warm-up."""
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb"}
    last = subprocess.run(cmd, cwd=ROOT, capture_output=True, env=env, check=False)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        last = subprocess.run(cmd, cwd=ROOT, capture_output=True, env=env, check=False)
        times.append(time.perf_counter() - start)
    return times, last


def importtime(args: list[str], repeats: int) -> list[tuple[int, int, int, str]]:
    """(self us, cumulative us, depth, module) of the fastest of ``repeats`` importtime runs."""
    best: list[tuple[int, int, int, str]] = []
    best_total = None
    for _ in range(repeats):
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        rows = []
        for raw in proc.stderr.splitlines():
            match = _IMPORTTIME.match(raw)
            if match:
                self_us, cum_us, indent, module = match.groups()
                rows.append((int(self_us), int(cum_us), (len(indent) - 1) // 2, module))
        total = sum(r[0] for r in rows)
        if rows and (best_total is None or total < best_total):
            best, best_total = rows, total
    return best


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="--help x5, check x3")
    parser.add_argument("--help-runs", type=int, default=None, help="runs of --help (15)")
    parser.add_argument("--check-runs", type=int, default=None, help="runs of check (10)")
    parser.add_argument("--top", type=int, default=15, help="rows of the import table (15)")
    args = parser.parse_args(argv)
    help_runs = args.help_runs or (5 if args.quick else 15)
    check_runs = args.check_runs or (3 if args.quick else 10)

    cmd, shown = clearance_command()
    print(f"clearance: {shown}")
    print(f"python:    {sys.executable} ({sys.version.split()[0]}), cwd {ROOT}")

    rows = []
    help_times, help_proc = run_times([*cmd, "--help"], help_runs)
    check_times, check_proc = run_times([*cmd, *CHECK_ARGS], check_runs)
    baseline_times, _ = run_times([sys.executable, "-c", "pass"], help_runs)
    for name, times, target, proc in (
        ("clearance --help", help_times, HELP_TARGET_S, help_proc),
        ("clearance check examples/models.yaml (json)", check_times, CHECK_TARGET_S, check_proc),
        ("python -c pass (interpreter floor)", baseline_times, None, None),
    ):
        best, median = min(times), statistics.median(times)
        verdict = (
            "-"
            if target is None
            else ("ok" if median < target else f"MISS (>= {target * 1000:.0f} ms)")
        )
        rows.append(
            [
                name,
                str(len(times)),
                f"{best * 1000:.0f}",
                f"{median * 1000:.0f}",
                f"{max(times) * 1000:.0f}",
                "-" if target is None else f"< {target * 1000:.0f}",
                verdict,
                "-" if proc is None else str(proc.returncode),
            ]
        )
    print()
    print(
        table(
            [
                "command",
                "runs",
                "best ms",
                "median ms",
                "max ms",
                "target ms",
                "median vs target",
                "exit",
            ],
            rows,
        )
    )

    try:
        document = json.loads(check_proc.stdout)
        summary = document["summary"]
        print(
            f"\ncheck output: {summary['models']} models, pass {summary['pass']}, "
            f"warn {summary['warn']}, fail {summary['fail']}, error {summary['error']} "
            f"(exit {check_proc.returncode} is the policy verdict, not a crash)"
        )
    except (ValueError, KeyError, TypeError):
        tail = check_proc.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        print(f"\ncheck output was not a JSON report (exit {check_proc.returncode}): {tail}")

    rows_it = importtime(["-c", "import checker.cli"], 3)
    if rows_it:
        total_ms = sum(r[0] for r in rows_it) / 1000
        ranked = sorted(rows_it, key=lambda r: r[1], reverse=True)[: args.top]
        print(
            f'\npython -X importtime -c "import checker.cli": {len(rows_it)} modules, '
            f"{total_ms:.1f} ms of imports (fastest of 3); top {len(ranked)} by cumulative:"
        )
        print(
            table(
                ["module", "depth", "self ms", "cumulative ms"],
                [[m, str(d), f"{s / 1000:.1f}", f"{c / 1000:.1f}"] for s, c, d, m in ranked],
            )
        )

    exe_script = cmd[0] if len(cmd) == 1 and not cmd[0].endswith(".exe") else None
    help_args = [exe_script, "--help"] if exe_script else ["-m", "checker", "--help"]
    loaded = {r[3] for r in importtime(help_args, 1)}
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY)
    checker_mods = sorted(m for m in loaded if m.split(".")[0] == "checker")
    print(
        f"\nmodules imported by `clearance --help`: {len(loaded)}; "
        f"checker modules: {', '.join(checker_mods) or 'none'}"
    )
    print(f"heavy dependencies imported by --help: {', '.join(heavy) if heavy else 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
