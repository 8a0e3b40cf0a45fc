"""``clearance scan`` throughput: files per second, as a ratio to the floor of reading the bytes.

Run from the repository root::

    python benchmarks/bench_scan.py            # 20,000 generated files + installed trees, best of 3
    python benchmarks/bench_scan.py --quick    # 2,000 generated files, best of 2
    python benchmarks/bench_scan.py --files 50000 --runs 5 --tree /path/to/a/checkout

Trees:

- **generated**: ``--files`` Python modules (default 20,000) in 200 folders of a temporary
  directory, ~40 lines each, every one mentioning models (so the reader's pre-filter cannot skip
  it and ``ast`` parses every file); one in ten loads a model through a module constant with a
  pinned revision, one in fifty has a syntax error (the tokenizer fallback).
- **installed**: the sources of packages installed in this Python (``transformers`` when it is
  installed, ``huggingface_hub``, ``diffusers``, ``sentence_transformers``, ``peft``, ``vllm``
  when present) and the whole ``site-packages`` folder: real code, with the references found
  printed (the most frequent ones).
- ``--tree DIR`` adds any folder (a checkout of an open-source project); ``--wheel PACKAGE``
  fetches a package's wheel with ``pip download --no-deps`` and scans its unpacked sources
  (``--wheel transformers``: the real library, ~2,900 files, when it is not installed).

For each tree: ``checker.scan.scan_paths([tree])`` timed end to end (walk, .gitignore, read,
decode, parse, resolve, sort), best of ``--runs``; the floor is the same walk reading every
file's bytes that the scan would read (``os.walk`` + ``open().read()`` of the files of a kind the
scan reads), timed in the same run. The ratio scan/floor says what parsing costs over I/O.
Page cache is warm for both (a first untimed pass). Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import table
from checker.scan import scan_paths
from checker.scan.walker import SKIP_DIRS, kind_of

MODULE = '''"""Training utilities for the {i}th model variant."""

import os

from transformers import AutoModelForCausalLM, AutoTokenizer

MODEL_NAME = "bench-org/model-{i}"
MODEL_REVISION = "{sha}"


def build_model(config, device="cpu"):
    """Build the model and its tokenizer for fine-tuning."""
    layers = [config.hidden_size * k for k in range(config.num_layers)]
    total = sum(layers) / max(len(layers), 1)
    if os.environ.get("DEBUG_MODEL"):
        print("model size", total)
    return {{"layers": layers, "total": total, "device": device}}


class ModelWrapper:
    def __init__(self, model, tokenizer):
        self.model = model
        self.tokenizer = tokenizer

    def generate(self, prompt, max_new_tokens=32):
        ids = self.tokenizer(prompt, return_tensors="pt")
        return self.model.generate(**ids, max_new_tokens=max_new_tokens)

    def score(self, batch):
        return [len(item) * 0.5 for item in batch if item]
'''
LOADER = """

def load():
    tok = AutoTokenizer.from_pretrained(MODEL_NAME, revision=MODEL_REVISION)
    return AutoModelForCausalLM.from_pretrained(MODEL_NAME, revision=MODEL_REVISION), tok
"""
BROKEN = "\n\ndef broken(:\n    AutoModelForCausalLM.from_pretrained(MODEL_NAME)\n"


def generate(root: Path, count: int) -> None:
    for i in range(count):
        folder = root / f"pkg{i % 200:03}"
        folder.mkdir(exist_ok=True)
        text = MODULE.format(i=i, sha=f"{i:040x}")
        if i % 10 == 0:
            text += LOADER
        if i % 50 == 7:
            text += BROKEN
        fd = os.open(folder / f"mod{i:05}.py", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, text.encode())
        os.close(fd)


def floor(root: Path) -> tuple[int, int]:
    """Walk and read the bytes of every file a scan reads: (files, bytes)."""
    files = size = 0
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        for name in names:
            if kind_of(name) is None:
                continue
            path = os.path.join(folder, name)
            if os.path.islink(path):
                continue
            with open(path, "rb") as handle:
                size += len(handle.read())
            files += 1
    return files, size


def best(runs: int, func, *args):  # type: ignore[no-untyped-def]
    times, value = [], None
    for _ in range(runs):
        start = time.perf_counter()
        value = func(*args)
        times.append(time.perf_counter() - start)
    return min(times), value


def measure(name: str, root: Path, runs: int) -> list[str]:
    floor(root)  # warm the page cache
    floor_time, (files, size) = best(runs, floor, root)
    scan_time, result = best(runs, scan_paths, [str(root)])
    top = Counter(r.model_id for r in result.references).most_common(3)
    print(
        f"{name}: {result.files_scanned:,} files read, {size / 1e6:.1f} MB, "
        f"{len(result.references):,} references to {len(result.model_ids):,} models, "
        f"{len(result.notes):,} notes; most referenced: "
        + (", ".join(f"{m} ({n})" for m, n in top) or "none")
    )
    return [
        name,
        f"{result.files_scanned:,}",
        f"{scan_time:.2f} s",
        f"{result.files_scanned / scan_time:,.0f}",
        f"{files / floor_time:,.0f}",
        f"{scan_time / floor_time:.1f}x",
    ]


def installed_trees() -> list[tuple[str, Path]]:
    trees = []
    for package in (
        "transformers",
        "huggingface_hub",
        "diffusers",
        "sentence_transformers",
        "peft",
        "vllm",
    ):
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.submodule_search_locations:
            trees.append((package, Path(next(iter(spec.submodule_search_locations)))))
    site = next(
        (Path(p) for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()), None
    )
    if site is not None:
        trees.append(("site-packages", site))
    return trees


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--tree", action="append", default=[], type=Path)
    parser.add_argument("--wheel", action="append", default=[], metavar="PACKAGE")
    args = parser.parse_args()
    if args.quick:
        args.files, args.runs = 2_000, 2
    rows = []
    with tempfile.TemporaryDirectory(prefix="clearance-bench-scan-") as tmp:
        start = time.perf_counter()
        generate(Path(tmp), args.files)
        print(f"generated {args.files:,} files in {time.perf_counter() - start:.1f} s")
        rows.append(measure(f"generated ({args.files:,} .py)", Path(tmp), args.runs))
    for name, root in [*installed_trees(), *((str(t), t) for t in args.tree)]:
        rows.append(measure(name, root, args.runs))
    for package in args.wheel:
        with tempfile.TemporaryDirectory(prefix="clearance-bench-wheel-") as tmp:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, package],
                check=True,
            )
            (wheel,) = Path(tmp).glob("*.whl")
            zipfile.ZipFile(wheel).extractall(Path(tmp) / "src")
            rows.append(measure(f"{wheel.name} (unpacked)", Path(tmp) / "src", args.runs))
    print()
    print(table(["tree", "files read", "scan", "files/s", "floor files/s", "scan/floor"], rows))


if __name__ == "__main__":
    main()
