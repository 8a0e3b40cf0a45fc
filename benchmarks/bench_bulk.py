"""One manifest of 1,000, 10,000 and 100,000 models: time and peak memory, manifest -> JSON report.

Generates the largest count of small model folders once (``bench_local.make_tree``: a card with
front matter, a LICENSE, config.json, a tiny safetensors file; varied licences, developers and
bases) and a manifest naming the first N of them for each count. Each case then runs in its own
child process, so its peak resident memory (``ru_maxrss`` from ``os.wait4``) is its own:

- floor: read the manifest with libyaml's C loader, then every file of every folder, and parse
  each card's front matter with the C loader (what any tool must do, keeping nothing); the
  folders are read once, untimed, before it, so neither side pays for a cold page cache;
- clearance: ``python -m checker check MANIFEST --format json --output FILE --jobs 1`` against
  ``examples/policies/acme.yaml``, with an empty cache folder (every card parsed); ``--jobs N``
  for the process pool, whose memory is the peak PSS of the child and its workers together
  (``/proc/PID/smaps_rollup``, sampled every 0.2 s), as ``ru_maxrss`` is one process's.

Prints seconds, models/s, peak MiB and the ratios to the floor (issue 14, item 3: at most 1 GiB
at 100,000). Run from the repository root::

    python benchmarks/bench_bulk.py                       # 1,000, 10,000 and 100,000
    python benchmarks/bench_bulk.py --sizes 1000,10000    # fewer
    python benchmarks/bench_bulk.py --tree /tmp/bulk      # keep (and reuse) the generated folders
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_local import make_tree  # noqa: E402
from benchmarks.common import table  # noqa: E402

FLOOR = """
import sys
from pathlib import Path
from ruamel.yaml import YAML
loader = YAML(typ="safe", pure=False)
manifest = Path(sys.argv[1])
for entry in loader.load(manifest.read_text())["models"]:
    for path in sorted((manifest.parent / entry["path"]).iterdir()):
        data = path.read_bytes()
        if path.name == "README.md":
            text = data.decode()
            loader.load(text[4 : text.index("\\n---", 3)])
"""


def _tree_pss(pid: int) -> int:
    """The proportional set size (kB) of ``pid`` and every process below it, from
    ``/proc/*/smaps_rollup``: pages the workers share with the caller counted once in all."""
    total, todo = 0, [pid]
    while todo:
        one = todo.pop()
        try:
            for line in Path(f"/proc/{one}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
            for task in Path(f"/proc/{one}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):  # gone meanwhile, or no /proc (not Linux)
            continue
    return total


def run(command: list[str], env: dict[str, str]) -> tuple[float, float, int, float]:
    """Wall seconds, peak resident MiB (of the largest single process) and exit status of one
    child process, and the peak PSS MiB of it and its workers together (sampled every 0.2 s;
    0 where ``/proc`` has no ``smaps_rollup``)."""
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], _tree_pss(child.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(child.pid, 0)
    done.set()
    sampler.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    return seconds, usage.ru_maxrss / 1024, child.returncode, peak[0] / 1024


def warm(manifest: Path) -> None:
    """Read every file the manifest names (untimed): a tree written long ago, or by another
    run, may have left the page cache, and the first reader would pay the disk."""
    for line in manifest.read_text().splitlines():
        if line.startswith("    path: "):
            for path in (manifest.parent / line[len("    path: ") :]).iterdir():
                path.read_bytes()


def manifests(tree: Path, sizes: list[int]) -> dict[int, Path]:
    """The generated folders (made once for the largest size) and one manifest per size."""
    biggest = max(sizes)
    full = tree / "models.yaml"
    if not full.is_file() or len(full.read_text().splitlines()) < 1 + 2 * biggest:
        shutil.rmtree(tree, ignore_errors=True)
        tree.mkdir(parents=True)
        make_tree(tree, biggest)
    lines = full.read_text().splitlines()
    out = {}
    for n in sizes:
        out[n] = tree / f"models-{n}.yaml"
        out[n].write_text("\n".join(lines[: 1 + 2 * n]) + "\n")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--tree", help="folder for the generated models (kept); default: a temp")
    parser.add_argument("--policy", default="examples/policies/acme.yaml")
    parser.add_argument(
        "--jobs", default="1", help="clearance's --jobs (1: one process; 2+: the process pool)"
    )
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    with tempfile.TemporaryDirectory(prefix="clearance-bench-bulk-") as tmp:
        tree = Path(args.tree) if args.tree else Path(tmp) / "tree"
        made = time.perf_counter()
        paths = manifests(tree, sizes)
        print(f"folders ready in {time.perf_counter() - made:.0f} s ({max(sizes):,} models)")
        rows = []
        for n in sizes:
            env = {**os.environ, "CLEARANCE_CACHE_DIR": str(Path(tmp) / f"cache-{n}")}
            warm(paths[n])  # the files in the page cache for the floor and clearance alike
            floor_s, floor_mib, _, _ = run([sys.executable, "-c", FLOOR, str(paths[n])], env)
            report = Path(tmp) / f"report-{n}.json"
            command = [sys.executable, "-m", "checker", "check", str(paths[n]), "--policy"]
            command += [args.policy, "--format", "json", "--output", str(report)]
            command += ["--jobs", args.jobs]
            seconds, mib, code, pss = run([*command, "--quiet"], env)
            size = report.stat().st_size / 2**20 if report.is_file() else 0.0
            rows.append(
                [
                    f"{n:,}",
                    f"{floor_s:.1f} s, {floor_mib:.0f} MiB",
                    f"{seconds:.1f} s, {mib:.0f} MiB",
                    f"{pss:.0f} MiB" if pss else "-",
                    f"{n / seconds:,.0f}",
                    f"{seconds / floor_s:.1f}x",
                    f"{mib / floor_mib:.1f}x",
                    f"{size:,.0f} MiB (exit {code})",
                ]
            )
            report.unlink(missing_ok=True)
        print(
            "one manifest, local folders, manifest -> JSON report, each case a child process, "
            f"--jobs {args.jobs} (peak RSS: of the largest one process, workers not added; "
            "peak PSS: every process of the run together, sampled every 0.2 s)"
        )
        headers = ["models", "floor", "clearance", "peak PSS", "models/s", "time/floor"]
        headers += ["RSS/floor"]
        print(table([*headers, "report"], rows))


if __name__ == "__main__":
    main()
