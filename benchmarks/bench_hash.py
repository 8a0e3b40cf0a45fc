"""``--hash-weights`` throughput: MB/s of Clearance's streamed SHA-256 against ``sha256sum`` on the
same file, in the same run.

Writes one model folder whose ``model.safetensors`` is a valid header followed by random bytes
(1 GiB by default), reads it once so both sides start from the page cache, then times, best of
``--runs`` each, alternating:

- ``sha256sum``: coreutils on the file (a subprocess);
- clearance: ``checker.sources.hashing.sha256_of`` (the loop ``--hash-weights`` runs);
- audit: ``audit([folder], hash_weights=True)`` minus ``audit([folder])``: what the option adds
  to a whole audit of the folder.

Prints MB/s (10^6 bytes per second) and the ratio to ``sha256sum``, and checks that both digests
agree. Run from the repository root: ``python benchmarks/bench_hash.py [--mib N] [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import table


def make_folder(root: Path, mib: int) -> Path:
    """A model folder with a card and a ``mib`` MiB safetensors file of random bytes."""
    folder = root / "model"
    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: apache-2.0\n---\n\n# Hash bench\n")
    header = json.dumps({"__metadata__": {"format": "pt"}}).encode()
    header += b" " * ((8 - len(header) % 8) % 8)
    with open(folder / "model.safetensors", "wb") as out:
        out.write(struct.pack("<Q", len(header)) + header)
        for _ in range(mib):
            out.write(os.urandom(1024 * 1024))
    return folder


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call of ``fn`` takes."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=1024, help="weight file size in MiB")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    tool = shutil.which("sha256sum")
    if tool is None:
        sys.exit("bench_hash: sha256sum is not installed (coreutils)")

    from checker.api import audit
    from checker.sources.hashing import sha256_of

    with tempfile.TemporaryDirectory(prefix="clearance-bench-hash-") as tmp:
        folder = make_folder(Path(tmp), args.mib)
        weights = folder / "model.safetensors"
        size = weights.stat().st_size
        theirs = subprocess.run([tool, str(weights)], capture_output=True, text=True, check=True)
        ours = sha256_of(weights)[1]  # both runs above also warm the page cache
        if theirs.stdout.split()[0] != ours:
            sys.exit("bench_hash: the digests differ")
        times = dict.fromkeys(("sha256sum", "clearance", "audit"), float("inf"))
        for _ in range(args.runs):  # alternate, so drift in the machine hits both sides
            them = timed(lambda: subprocess.run([tool, str(weights)], capture_output=True))
            times["sha256sum"] = min(times["sha256sum"], them)
            times["clearance"] = min(times["clearance"], timed(lambda: sha256_of(weights)))
            plain = timed(lambda: audit([str(folder)]))
            hashed = timed(lambda: audit([str(folder)], hash_weights=True))
            times["audit"] = min(times["audit"], max(hashed - plain, 1e-9))
    rate = {name: size / t / 1e6 for name, t in times.items()}
    rows = [
        [name, f"{times[name]:.3f}", f"{rate[name]:,.0f}", f"{rate[name] / rate['sha256sum']:.2f}"]
        for name in ("sha256sum", "clearance", "audit")
    ]
    print(
        f"{size / 2**20:,.0f} MiB file, best of {args.runs}; Python {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs"
    )
    print(table(["hasher", "seconds", "MB/s", "x sha256sum"], rows))


if __name__ == "__main__":
    main()
