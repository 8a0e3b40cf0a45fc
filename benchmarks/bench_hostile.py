"""Run the hostile-input generator in full through the library API and print the counts (issue 12).

    python benchmarks/bench_hostile.py                  # 10,000 cases, heavy sizes included
    python benchmarks/bench_hostile.py --count 2000 --seed 7 --light

Counts: internal errors, runs over the time bound (10 s a case, plus 10 ms per manifest entry
after the first), reports invalid for their consumer (per format), passes on input that makes a
fact unknowable, refusals (a policy or manifest refused with a one-line error: correct), the
slowest case, and the peak memory of the process (ru_maxrss). Then a linearity check: the
audit time of manifests of 1,000 and 10,000 entries.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from common import table  # noqa: E402
from hostile.generator import FAMILIES, Case, card, generate, safetensors  # noqa: E402
from hostile.runner import run_cases  # noqa: E402

from checker.api import gather  # noqa: E402
from checker.knowledge import load_knowledge  # noqa: E402
from checker.sources.targets import parse_target  # noqa: E402


def manifest_seconds(entries: int) -> float:
    """Wall time to read a manifest of ``entries`` distinct folders and gather their facts."""
    kb = load_knowledge()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        lines = ["models:"]
        for i in range(entries):
            folder = root / f"m{i}"
            folder.mkdir()
            (folder / "README.md").write_bytes(card("license: mit"))
            (folder / "model.safetensors").write_bytes(safetensors())
            lines.append(f"  - {{id: org/m{i}, path: m{i}}}")
        (root / "models.yaml").write_text("\n".join(lines) + "\n")
        start = time.perf_counter()
        gather(parse_target(str(root / "models.yaml")), kb, jobs=1)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--bound", type=float, default=10.0, help="seconds a case may take")
    parser.add_argument("--light", action="store_true", help="leave out the heaviest sizes")
    parser.add_argument("--no-linearity", action="store_true")
    args = parser.parse_args()
    kb = load_knowledge()
    start = time.perf_counter()
    cases: list[Case] = list(generate(args.count, args.seed, heavy=not args.light))
    counts = run_cases(cases, kb, bound=args.bound)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    heavy = sum(c.heavy for c in cases)
    print(
        f"{counts.cases:,} hostile cases (seed {args.seed}, {len(FAMILIES)} families, "
        f"{heavy:,} at the heaviest sizes) in {wall:.0f} s"
    )
    rows = [[name, f"{n:,}"] for name, n in counts.bad().items()]
    rows += [
        ["refused with a one-line error (correct)", f"{counts.refused:,}"],
        ["slowest case", f"{counts.slowest[0]:.2f} s ({counts.slowest[1]})"],
        ["peak memory (ru_maxrss)", f"{peak:,.0f} MiB"],
    ]
    print(table(["count", "value"], rows))
    for kind, examples in counts.failures.items():
        print(f"\n{kind}:")
        for example in examples:
            print("  " + example.replace("\n", "\n    ")[-800:])
    if not args.no_linearity:
        small, large = manifest_seconds(1_000), manifest_seconds(10_000)
        print(
            f"\nmanifest of 1,000 distinct folders: {small:.1f} s; of 10,000: {large:.1f} s "
            f"({large / small:.1f}x for 10x the entries)"
        )


if __name__ == "__main__":
    main()
