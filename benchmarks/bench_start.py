"""Start-up cost of the command line, as ratios to ``python -c "import click"`` in the same run.

Run from the repository root::

    python benchmarks/bench_start.py            # 9 alternating rounds
    python benchmarks/bench_start.py --runs 15  # more rounds
    python benchmarks/bench_start.py --quick    # 3 rounds, no importtime tables
    python benchmarks/bench_start.py --instructions  # also callgrind's instruction counts

Each round runs every command once, one after the other, as a fresh subprocess (interpreter
start-up included), so a change in the machine's load touches all of them alike; the figure
that counts is each command's median divided by the median of the floor,
``python -c "import click"`` (click is the one library ``--help`` cannot do without).

- **How clearance is started.** The ``clearance`` executable next to ``sys.executable`` when
  there is one; otherwise a copy of the launcher pip writes for the console script
  (``from checker.cli import main; sys.exit(main())``) in a temporary folder, run with
  ``PYTHONPATH`` set to this checkout. ``python -m checker`` would add runpy's imports.
- **Bytecode.** An installed wheel is byte-compiled by pip. A checkout run with
  ``PYTHONDONTWRITEBYTECODE=1`` (as some environments set) would compile every ``checker``
  module on every run, which no user pays. So the runs drop that variable and set
  ``PYTHONPYCACHEPREFIX`` to a temporary folder (the checkout is not written to); one untimed
  warm-up run of each command fills it. ``--no-bytecode`` measures without it.
- **Knowledge cache.** ``CLEARANCE_CACHE_DIR`` points at a temporary folder, filled by the
  warm-up: the ``warm`` rows load the compiled knowledge base (and the other caches: code,
  policy validation, parsed YAML). The ``cold`` row runs with a folder of its own, deleted
  before every run, so it pays the YAML parse and schema validation of ``rules/``. (Until
  2026-12-02 it deleted the shared folder, so the audit that followed it in most rounds ran
  with cold caches: its medians were not the warm figure they were labelled.)
- **Import tables** (unless ``--quick``): the modules each command imports under
  ``-X importtime`` that are heavy dependencies (huggingface_hub, jsonschema, ruamel.yaml, rich,
  jinja2, spdx-tools, cyclonedx, ...), and whether ``importlib.metadata`` is among them.

This prints numbers; it asserts nothing and exits 0. Targets (issue 8, item 5): ``--help`` at
most 1.3x the floor, ``licenses`` at most 3x, the example audit (``check ... --format json``)
at most 5x.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from common import table  # benchmarks/common.py

ROOT = Path(__file__).resolve().parent.parent
CHECK_ARGS = (
    "check",
    "examples/models.yaml",
    "--policy",
    "examples/policies/acme.yaml",
    "--format",
    "json",
)
HEAVY = (
    "huggingface_hub",
    "httpx",
    "requests",
    "jsonschema",
    "referencing",
    "ruamel",
    "rich",
    "jinja2",
    "spdx_tools",
    "cyclonedx",
    "license_expression",
    "importlib.metadata",
)
LAUNCHER = """\
import sys
from checker.cli import main
if __name__ == "__main__":
    sys.exit(main())
"""
_IMPORTTIME = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)")


@dataclass
class Case:
    """One command to time, its target ratio to the floor, and its wall times."""

    name: str
    argv: list[str]
    target: float | None = None
    cold_cache: bool = False
    times: list[float] = field(default_factory=list)
    exit_code: int | None = None


def clearance_command(tmp: Path) -> tuple[list[str], str]:
    """The installed executable beside sys.executable, else the console-script launcher."""
    for name in ("clearance", "clearance.exe"):
        exe = Path(sys.executable).parent / name
        if exe.is_file():
            return [str(exe)], str(exe)
    script = tmp / "clearance"
    script.write_text(LAUNCHER, encoding="utf-8")
    return [sys.executable, str(script)], f"console-script launcher run by {sys.executable}"


def environment(tmp: Path, bytecode: bool) -> dict[str, str]:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "PYTHONPATH": str(ROOT)}
    env["CLEARANCE_CACHE_DIR"] = str(tmp / "cache")
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run_once(case: Case, env: dict[str, str]) -> float:
    if case.cold_cache:  # its own folder, emptied: the warm commands keep theirs
        cold = env["CLEARANCE_CACHE_DIR"] + "-cold"
        shutil.rmtree(cold, ignore_errors=True)
        env = {**env, "CLEARANCE_CACHE_DIR": cold}
    start = time.perf_counter()
    proc = subprocess.run(
        case.argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    took = time.perf_counter() - start
    case.exit_code = proc.returncode
    if proc.returncode not in (0, 1):
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        print(f"warning: {case.name} exited {proc.returncode}: {tail}", file=sys.stderr)
    return took


def python_stderr(before: list[str], argv: list[str], after: list[str], env: dict[str, str]) -> str:
    """What ``before + [python] + after + argv[1:]`` prints on stderr, ``argv`` run by this
    interpreter (an installed console script is a Python file on POSIX)."""
    if argv[0] != sys.executable:
        argv = [sys.executable, *argv]
    proc = subprocess.run(
        [*before, argv[0], *after, *argv[1:]],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    return proc.stderr


def imported(argv: list[str], env: dict[str, str]) -> list[tuple[int, str]]:
    """(cumulative us, module) for every module ``argv`` imports under -X importtime."""
    stderr = python_stderr([], argv, ["-X", "importtime"], env)
    rows = []
    for line in stderr.splitlines():
        match = _IMPORTTIME.match(line)
        if match:
            rows.append((int(match.group(2)), match.group(4)))
    return rows


def heavy_of(rows: list[tuple[int, str]]) -> str:
    tops: dict[str, int] = {}
    for cum, module in rows:
        for heavy in HEAVY:
            if module == heavy or (
                module.startswith(heavy + ".") and heavy != "importlib.metadata"
            ):
                top = heavy if heavy == "importlib.metadata" else module.split(".")[0]
                tops[top] = max(tops.get(top, 0), cum)
    if not tops:
        return "none"
    return ", ".join(f"{m} ({us / 1000:.0f} ms)" for m, us in sorted(tops.items()))


_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def instructions(argv: list[str], env: dict[str, str]) -> int | None:
    """Instructions executed by ``argv`` (valgrind's callgrind; None without valgrind): a figure
    the machine's load does not move, unlike wall time."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    tool = [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    found = _COLLECTED.search(python_stderr(tool, argv, [], env))
    return int(found.group(1)) if found else None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=None, help="alternating rounds (9)")
    parser.add_argument("--quick", action="store_true", help="3 rounds, no import tables")
    parser.add_argument("--no-bytecode", action="store_true", help="compile checker/ on every run")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count instructions with valgrind's callgrind (warm caches; slow)",
    )
    args = parser.parse_args(argv)
    runs = args.runs or (3 if args.quick else 9)

    with tempfile.TemporaryDirectory(prefix="clearance-bench-start-") as name:
        tmp = Path(name)
        exe, shown = clearance_command(tmp)
        env = environment(tmp, bytecode=not args.no_bytecode)
        cases = [
            Case('python -c "import click" (floor)', [sys.executable, "-c", "import click"]),
            Case("clearance --help", [*exe, "--help"], 1.3),
            Case("clearance --version", [*exe, "--version"]),
            Case("clearance licenses (warm cache)", [*exe, "licenses"], 3.0),
            Case("clearance licenses (cold cache)", [*exe, "licenses"], cold_cache=True),
            Case("clearance check examples (json, warm cache)", [*exe, *CHECK_ARGS], 5.0),
        ]
        print(f"clearance: {shown}")
        print(
            f"python:    {sys.executable} ({sys.version.split()[0]}), cwd {ROOT}, "
            f"bytecode {'off' if args.no_bytecode else 'cached (PYTHONPYCACHEPREFIX)'}"
        )
        for case in cases:  # warm-up: bytecode, knowledge cache, file-system cache
            run_once(case, env)
        for round_no in range(runs):
            order = cases[round_no % len(cases) :] + cases[: round_no % len(cases)]
            for case in order:
                case.times.append(run_once(case, env))

        floor = statistics.median(cases[0].times)
        rows = []
        for case in cases:
            median = statistics.median(case.times)
            ratio = median / floor
            verdict = "-" if case.target is None else ("ok" if ratio <= case.target else "MISS")
            rows.append(
                [
                    case.name,
                    str(len(case.times)),
                    f"{min(case.times) * 1000:.0f}",
                    f"{median * 1000:.0f}",
                    f"{ratio:.2f}x",
                    "-" if case.target is None else f"<= {case.target}x",
                    verdict,
                    str(case.exit_code),
                ]
            )
        print()
        print(
            table(
                ["command", "runs", "best ms", "median ms", "/ floor", "target", "", "exit"],
                rows,
            )
        )
        print("(check exits 1 on the examples: six of them break the policy on purpose)")

        if args.instructions:
            counts = [(case, instructions(case.argv, env)) for case in cases if not case.cold_cache]
            base = counts[0][1]
            if base is None:
                print("\ninstructions: valgrind is not installed")
            else:
                print("\ninstructions (callgrind, warm caches), as ratios to the floor's:")
                for case, count in counts:
                    shown = "?" if count is None else f"{count / 1e6:.0f}M {count / base:.2f}x"
                    print(f"  {case.name}: {shown}")

        if not args.quick:
            print("\nheavy modules imported (-X importtime, cumulative):")
            for case in cases[1:]:
                if case.cold_cache:
                    continue
                rows_it = imported(case.argv, env)
                print(f"  {case.name}: {heavy_of(rows_it)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
