"""Hub audits against a fake Hub with latency: concurrency, request counts, warm caches.

Run from the repository root::

    python benchmarks/bench_hub.py              # 200 models, 20 ancestors, 50 ms per request
    python benchmarks/bench_hub.py --quick      # 40 models, 5 ancestors
    python benchmarks/bench_hub.py --latency 0.02 --models 500 --ancestors 20

The real ``huggingface_hub`` client talks to ``tests/fakehub.py`` on 127.0.0.1 (nothing goes to
the Internet). The world: ``--ancestors`` base models from known developers (meta-llama, Qwen,
mistralai, google, deepseek-ai, ...; some of them are themselves fine-tunes of another, so lineage
goes two levels deep) and ``--models`` fine-tunes published by known organisations (microsoft,
nvidia, allenai, ...), each with a README.md card (``license``, ``base_model``), a
model.safetensors and a config.json; every tenth is a merge of two ancestors.

Six audits through ``checker.api.audit`` (builtin:baseline, fixed clock), each timed end to end,
with ``HubOptions.max_requests`` set from ``jobs`` as ``clearance check --jobs N`` sets it
(``requests_in_flight``: N requests in flight at once) unless a run says otherwise:

* cold, ``jobs=1`` and cold, default jobs (8), each with a fresh, empty cache;
* cold, ``jobs=1`` with 8 requests in flight (``HubOptions``' own default, for a library caller
  that passes ``jobs=1`` and no ``max_requests``: one model at a time, its card and its weights'
  paths-info asked at once);
* warm, default jobs, unpinned targets (``org/name``), on the second run's cache;
* cold then warm, default jobs, targets pinned to their commit (``org/name@<40-hex sha>``).

For each it prints wall time, requests seen by the fake Hub (by kind), requests per model and
requests that repeated within the run (same method, server, path and query). This prints numbers;
it asserts nothing. The issue's target: cold ``--jobs 1`` / cold ``--jobs 8`` >= 6x.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
POLICY = "builtin:baseline"
DEFAULT_JOBS = 8
TARGET_SPEEDUP = 6.0

# Before huggingface_hub is imported (it reads these once); patched on ``constants`` below too.
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_HUB_DISABLE_IMPLICIT_TOKEN"] = "1"
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
os.environ.pop("HF_HUB_OFFLINE", None)

sys.path.insert(0, str(ROOT))  # run from a checkout even if the package is not installed
sys.path.insert(0, str(ROOT / "tests"))  # fakehub

import fakehub  # noqa: E402
from common import table  # noqa: E402  (benchmarks/common.py)
from fakehub import FakeHub, FakeRepo, LoggedRequest, make_readme  # noqa: E402
from hub_process import HubProcess  # noqa: E402  (benchmarks/hub_process.py)

from checker.api import audit  # noqa: E402
from checker.findings import Verdict  # noqa: E402
from checker.result import AuditResult  # noqa: E402
from checker.sources import HubOptions  # noqa: E402
from checker.sources.hub.options import requests_in_flight  # noqa: E402
from checker.version import __version__  # noqa: E402

# A minimal safetensors file: 8-byte header length, then the JSON header.
ST_HEADER = b'{"__metadata__":{"format":"pt"}}'
SAFETENSORS = len(ST_HEADER).to_bytes(8, "little") + ST_HEADER

# (repo id, licence, index of its own base in this list or None). Bases come before the models
# built on them, so every prefix of the list (``--ancestors N``) is closed under lineage.
ANCESTORS: list[tuple[str, str, int | None]] = [
    ("meta-llama/Llama-3.1-8B", "llama3.1", None),
    ("Qwen/Qwen2.5-7B", "apache-2.0", None),
    ("mistralai/Mistral-7B-v0.1", "apache-2.0", None),
    ("google/gemma-2-9b", "gemma", None),
    ("deepseek-ai/DeepSeek-V3-Base", "mit", None),
    ("meta-llama/Llama-3.1-8B-Instruct", "llama3.1", 0),
    ("Qwen/Qwen2.5-7B-Instruct", "apache-2.0", 1),
    ("mistralai/Mistral-7B-Instruct-v0.2", "apache-2.0", 2),
    ("google/gemma-2-9b-it", "gemma", 3),
    ("deepseek-ai/DeepSeek-V3", "mit", 4),
    ("meta-llama/Llama-3.2-3B", "llama3.2", None),
    ("Qwen/Qwen2.5-Math-7B", "apache-2.0", None),
    ("mistralai/Mixtral-8x7B-v0.1", "apache-2.0", None),
    ("google/gemma-2-2b", "gemma", None),
    ("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "mit", 11),
    ("meta-llama/Llama-3.2-3B-Instruct", "llama3.2", 10),
    ("Qwen/Qwen2.5-14B", "apache-2.0", None),
    ("microsoft/phi-4", "mit", None),
    ("ibm-granite/granite-3.1-8b-base", "apache-2.0", None),
    ("tiiuae/Falcon3-7B-Base", "apache-2.0", None),
]
EXTRA_ANCESTOR_ORGS = ("meta-llama", "Qwen", "mistralai", "google", "deepseek-ai")
MODEL_ORGS = (
    "microsoft",
    "nvidia",
    "allenai",
    "google",
    "ibm-granite",
    "Salesforce",
    "HuggingFaceH4",
    "amazon",
    "Snowflake",
    "databricks",
)
MERGE_EVERY = 10


# -- the world -------------------------------------------------------------------------------


def _repo(repo_id: str, card: dict[str, Any], params: int) -> FakeRepo:
    config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama"}
    files = {
        "README.md": make_readme(card, f"# {repo_id.split('/')[1]}\n\nA benchmark model.\n"),
        "config.json": json.dumps(config).encode(),
        "model.safetensors": SAFETENSORS,
    }
    return FakeRepo(
        repo_id,
        files=files,
        card_data=card,
        config=config,
        library_name="transformers",
        pipeline_tag="text-generation",
        safetensors={"parameters": {"BF16": params}, "total": params},
    )


def build_world(models: int, ancestors: int) -> tuple[list[FakeRepo], list[FakeRepo], int]:
    """(ancestor repos, model repos, how many ancestors have a base of their own)."""
    spec = list(ANCESTORS[:ancestors])
    for i in range(len(spec), ancestors):  # more than the named ones: synthetic, every 3rd derived
        org = EXTRA_ANCESTOR_ORGS[i % len(EXTRA_ANCESTOR_ORGS)]
        spec.append((f"{org}/base-{i:03d}", "apache-2.0", i - 1 if i % 3 == 0 else None))
    bases: list[FakeRepo] = []
    for repo_id, licence, parent in spec:
        card: dict[str, Any] = {"license": licence, "library_name": "transformers"}
        if parent is not None:
            card["base_model"] = spec[parent][0]
        bases.append(_repo(repo_id, card, 7_000_000_000))
    derived = sum(1 for _, _, parent in spec if parent is not None)
    out: list[FakeRepo] = []
    for i in range(models):
        org = MODEL_ORGS[i % len(MODEL_ORGS)]
        first = spec[i % len(spec)]
        name = first[0].split("/")[1]
        card = {"license": first[1], "library_name": "transformers", "language": ["en"]}
        card["tags"] = [f"bench-{i:05d}"]  # every card distinct, as real ones are
        if i % MERGE_EVERY == MERGE_EVERY - 1 and len(spec) > 1:
            second = spec[(i + 7) % len(spec)]
            if second is first:
                second = spec[(i + 1) % len(spec)]
            card["base_model"] = [first[0], second[0]]
            repo_id = f"{org}/{name}-merge-{i:04d}"
        else:
            card["base_model"] = first[0]
            repo_id = f"{org}/{name}-ft-{i:04d}"
        out.append(_repo(repo_id, card, 1_000_000_000 + i))
    return bases, out, derived


# -- measuring -------------------------------------------------------------------------------


@dataclass
class Run:
    name: str
    jobs: int
    in_flight: int  # HubOptions.max_requests: requests in flight at once
    cache: str
    seconds: float
    cpu: float  # this process's CPU seconds (the client's: the fake Hub serves elsewhere)
    requests: list[LoggedRequest]
    result: AuditResult
    cold: Run | None = None  # the run this warm run is compared with

    @property
    def kinds(self) -> Counter[str]:
        return Counter(kind(r) for r in self.requests)

    @property
    def repeated(self) -> Counter[str]:
        counts = Counter(request_key(r) for r in self.requests)
        return Counter({k: v for k, v in counts.items() if v > 1})


def kind(r: LoggedRequest) -> str:
    if r.server == "cdn":
        return "cdn"
    if r.path.startswith("/api/models/"):
        return "info" if r.method == "GET" else f"api {r.method}"
    if "/resolve/" in r.path:
        return f"file {r.method}"
    return f"other {r.method}"


def request_key(r: LoggedRequest) -> str:
    query = "&".join(f"{k}={v}" for k, values in sorted(r.query.items()) for v in values)
    return f"{r.method} {r.server}:{r.path}" + (f"?{query}" if query else "")


def serving(hub: FakeHub, same_process: bool) -> Any:
    """The context the fake Hub serves in: a process of its own (``HubProcess``), as the real
    Hub's work is done elsewhere, or this process's threads (``--same-process``)."""
    return hub if same_process else HubProcess(hub)


def run_audit(
    hub: FakeHub | HubProcess,
    name: str,
    targets: list[str],
    cache: Path,
    jobs: int,
    label: str,
    in_flight: int | None = None,
) -> Run:
    """One audit, timed end to end; the requests the fake Hub saw during it. ``in_flight``
    (default: what ``clearance check --jobs JOBS`` allows) bounds the requests at once."""
    in_flight = in_flight or requests_in_flight(jobs)
    options = HubOptions(
        endpoint=hub.url,
        token=False,
        cache_dir=str(cache / "hub"),
        timeout=30,
        max_requests=in_flight,
    )
    hub.clear_log()
    start, cpu = time.perf_counter(), time.process_time()
    result = audit(targets, POLICY, hub=options, jobs=jobs, now=NOW)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    requests = list(hub.requests)
    return Run(name, jobs, in_flight, label, seconds, cpu, requests, result)


def verdicts(result: AuditResult) -> str:
    counts = Counter(m.verdict for m in result.models)
    return ", ".join(f"{v.value} {counts[v]}" for v in Verdict if counts.get(v))


def facts_signature(result: AuditResult) -> list[Any]:
    """What must not depend on jobs or caching: id, revision, verdict, lineage, findings."""
    return sorted(
        (
            m.facts.model.id,
            m.facts.model.revision,
            m.verdict.value,
            tuple((a.id, a.relation, a.depth, a.error) for a in m.facts.lineage),
            tuple(sorted(f.rule for f in m.findings)),
        )
        for m in result.models
    )


# -- main ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="40 models, 5 ancestors")
    parser.add_argument("--models", type=int, default=None, help="model repos (default 200)")
    parser.add_argument("--ancestors", type=int, default=None, help="ancestor repos (default 20)")
    parser.add_argument(
        "--latency", type=float, default=0.05, help="seconds per request (default 0.05)"
    )
    parser.add_argument("--jobs", type=int, default=DEFAULT_JOBS, help="the default-jobs runs (8)")
    parser.add_argument("--top", type=int, default=5, help="repeated paths shown per run")
    parser.add_argument(
        "--scale",
        type=int,
        default=0,
        metavar="N",
        help="instead: a warm pinned audit of N models (CPU time, requests), jobs 1 and --jobs",
    )
    parser.add_argument(
        "--same-process",
        action="store_true",
        help="serve the fake Hub from threads of this process (it then shares the interpreter "
        "lock with the client), not from a process of its own",
    )
    parser.add_argument(
        "--keep-nagle",
        action="store_true",
        help="leave Nagle's algorithm on in the fake Hub (adds ~40 ms to most answers)",
    )
    args = parser.parse_args(argv)
    models = args.models if args.models is not None else (40 if args.quick else 200)
    ancestors = args.ancestors if args.ancestors is not None else (5 if args.quick else 20)
    models, ancestors = max(1, models), max(1, ancestors)

    from huggingface_hub import __version__ as hf_version
    from huggingface_hub import constants

    constants.HF_HUB_DISABLE_TELEMETRY = True
    constants.HF_HUB_DISABLE_IMPLICIT_TOKEN = True
    constants.HF_HUB_OFFLINE = False

    # The fake Hub writes headers and body in two sends; with Nagle's algorithm on, the body waits
    # for the client's delayed ACK (~40 ms on Linux), which would add to --latency on every answer
    # with a body. Off by default here, so --latency is the latency measured.
    fakehub._Handler.disable_nagle_algorithm = not args.keep_nagle

    if args.scale:
        return scale(args.scale, ancestors, args.latency, args.jobs, args.same_process)
    bases, repos, derived = build_world(models, ancestors)
    merges = sum(1 for r in repos if isinstance((r.card_data or {}).get("base_model"), list))
    print(
        f"Clearance {__version__}, huggingface_hub {hf_version}, Python "
        f"{platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"world: {len(repos)} models ({merges} merges of two ancestors) from "
        f"{len({r.repo_id.split('/')[0] for r in repos})} orgs; {len(bases)} ancestors "
        f"({derived} of them with a base of their own: lineage depth 2); "
        f"latency {args.latency * 1000:.0f} ms per request "
        f"(Nagle {'on' if args.keep_nagle else 'off'} in the fake Hub, served from "
        f"{'this process' if args.same_process else 'a process of its own'}); policy {POLICY}"
    )

    unpinned = [r.repo_id for r in repos]
    pinned = [f"{r.repo_id}@{r.sha}" for r in repos]
    runs: list[Run] = []
    world = FakeHub([*bases, *repos], latency=args.latency)
    temporary = tempfile.TemporaryDirectory(prefix="clearance-bench-hub-")
    with serving(world, args.same_process) as hub, temporary as tmp:
        root = Path(tmp)
        # Untimed warm-up: imports huggingface_hub and opens connections, off the clock.
        run_audit(hub, "warm-up", [bases[0].repo_id], root / "warmup", 1, "")
        # Each cache under its own parent: the metadata cache lives at <cache_dir>/../clearance.
        cold1 = run_audit(hub, "cold", unpinned, root / "c1", 1, "empty")
        runs.append(cold1)
        api1 = run_audit(hub, "cold", unpinned, root / "a1", 1, "empty", HubOptions().max_requests)
        runs.append(api1)
        cold = run_audit(hub, "cold", unpinned, root / "c8", args.jobs, "empty")
        runs.append(cold)
        warm = run_audit(hub, "warm", unpinned, root / "c8", args.jobs, "= cold")
        warm.cold = cold
        runs.append(warm)
        pcold = run_audit(hub, "cold, pinned", pinned, root / "p8", args.jobs, "empty")
        runs.append(pcold)
        pwarm = run_audit(hub, "warm, pinned", pinned, root / "p8", args.jobs, "= cold pinned")
        pwarm.cold = pcold
        runs.append(pwarm)

    kinds = ["info", "file HEAD", "file GET", "cdn"]
    others = sorted({k for r in runs for k in r.kinds} - set(kinds))
    headers = ["run", "jobs", "in flight", "cache", "wall s", "CPU s", "req", "req/model"]
    headers += [*kinds, *others]
    headers += ["repeated", "floor s", "vs cold"]
    rows = []
    for r in runs:
        k = r.kinds
        floor = len(r.requests) * args.latency / r.in_flight
        versus = f"{r.seconds / r.cold.seconds:.2f}x" if r.cold else ""
        rows.append(
            [
                r.name,
                str(r.jobs),
                str(r.in_flight),
                r.cache,
                f"{r.seconds:.2f}",
                f"{r.cpu:.2f}",
                str(len(r.requests)),
                f"{len(r.requests) / models:.2f}",
                *(str(k.get(name, 0)) for name in [*kinds, *others]),
                str(sum(v - 1 for v in r.repeated.values())),
                f"{floor:.2f}",
                versus,
            ]
        )
    print()
    print(table(headers, rows))

    speedup = cold1.seconds / cold.seconds
    print()
    print(
        f"cold --jobs 1 / cold --jobs {args.jobs}: {speedup:.2f}x "
        f"(target >= {TARGET_SPEEDUP:.0f}x: {'met' if speedup >= TARGET_SPEEDUP else 'NOT met'}; "
        f"ideal {args.jobs}x)"
    )
    print(
        f"cold jobs=1 with {api1.in_flight} in flight / cold --jobs {args.jobs}: "
        f"{api1.seconds / cold.seconds:.2f}x (a model's own requests already overlap at jobs=1)"
    )
    print(
        f"warm / cold (unpinned): {warm.seconds / cold.seconds:.2f}x wall, "
        f"{len(warm.requests)} vs {len(cold.requests)} requests"
    )
    print(
        f"warm / cold (pinned):   {pwarm.seconds / pcold.seconds:.2f}x wall, "
        f"{len(pwarm.requests)} vs {len(pcold.requests)} requests"
    )
    target_paths = {f"/api/models/{r.repo_id}" for r in repos}
    target_info = sum(
        1
        for q in pwarm.requests
        if q.path in target_paths or q.path.split("/revision/")[0] in target_paths
    )
    target_files = sum(1 for q in pwarm.requests if "/resolve/" in q.path or q.server == "cdn")
    base_paths = {f"/api/models/{b.repo_id}" for b in bases}
    base_info = sum(1 for q in pwarm.requests if q.path in base_paths)
    print(
        f"warm pinned run: {target_info} model_info request(s) for the targets, "
        f"{target_files} file request(s), {base_info} model_info request(s) for the "
        f"{len(bases)} (unpinned) ancestors"
    )

    print("\nrepeated requests within a run (same method, server, path and query):")
    for r in runs:
        rep = r.repeated
        title = f"  {r.name} (jobs={r.jobs})"
        if not rep:
            print(f"{title}: none")
            continue
        print(f"{title}: {len(rep)} distinct, {sum(v - 1 for v in rep.values())} extra requests")
        for key, count in rep.most_common(args.top):
            print(f"    {count}x {key[:150]}")

    signature = facts_signature(cold1.result)
    same = all(facts_signature(r.result) == signature for r in runs)
    print(f"\nsanity: {verdicts(cold1.result)}; ", end="")
    depth2 = sum(1 for m in cold1.result.models if any(a.depth >= 2 for a in m.facts.lineage))
    lineage_errors = sum(1 for m in cold1.result.models for a in m.facts.lineage if a.error)
    print(
        f"{depth2} models with a depth-2 ancestor, {lineage_errors} lineage errors; "
        f"ids, revisions, verdicts, lineage and rules identical in all {len(runs)} runs: "
        f"{'yes' if same else 'NO'}"
    )
    print(
        "\nnotes:\n"
        "  - wall s is audit() end to end (knowledge, policy, Hub, evaluation); floor s is\n"
        "    requests x latency / in flight: the requests alone, spread perfectly.\n"
        "  - info = GET /api/models/<id>[/revision/<rev>] (model_info); file HEAD/GET =\n"
        "    /<id>/resolve/<sha>/<file> (hf_hub_download checks metadata with HEAD, then GETs);\n"
        "    cdn = large-file downloads (none expected: Clearance never downloads weights).\n"
        "  - a cold run asks model_info once per model and per ancestor (memoised, threads\n"
        "    share it), downloads README.md at the resolved sha (HEAD + GET) and asks one\n"
        "    paths-info POST for the weights' sha256 (config.json is not downloaded:\n"
        "    model_info carries it).\n"
        "  - in flight = HubOptions.max_requests, the requests at once: --jobs N allows N, so\n"
        "    at --jobs 1 every request waits for the one before; the 8-in-flight jobs=1 run\n"
        "    overlaps a model's card with its paths-info (3 waits a model instead of 4).\n"
        "  - warm, unpinned: 'org/name' could point to a new commit since the last run, so every\n"
        "    target's model_info is asked again; its files are then read at the sha it returns,\n"
        "    and hf_hub_download answers a sha it has already cached without any request.\n"
        "  - warm, pinned: 'org/name@<sha>' is immutable, so model_info comes from Clearance's\n"
        "    metadata cache (<cache_dir>-clearance/hub-info; $HF_HOME/clearance/hub-info by\n"
        "    default) and files from the HF cache: no\n"
        "    request for the targets. Ancestors named by a card's base_model have no revision, so\n"
        "    they are asked again (once each per run): that is all the warm pinned run requests.\n"
        "  - repeated counts requests beyond the first with the same method, server, path and\n"
        "    query in one run (a HEAD and a GET of the same file are different methods).\n"
        "  - jobs=1 pays the per-request CPU (httpx, hf_hub_download's locks and symlinks, the\n"
        "    fake Hub itself: one process, one GIL) on top of every wait; 8 jobs overlap it with\n"
        "    waiting, so the ratio can pass 8. At lower --latency that shared CPU becomes the\n"
        "    limit and the ratio falls.\n"
        "  - the fake Hub's sockets get TCP_NODELAY (--keep-nagle to leave it off): it sends\n"
        "    headers and body separately, and Nagle + delayed ACK would add ~40 ms per answer."
    )
    return 0


def scale(models: int, ancestors: int, latency: float, jobs: int, same_process: bool) -> int:
    """A warm pinned audit of ``models`` models: what is left is CPU, and the ancestors' requests.

    The cache is filled by an untimed cold pinned audit without latency; then warm pinned audits
    alternate jobs=1 and ``jobs``, three rounds, each timed (wall and this process's CPU)."""
    bases, repos, _ = build_world(models, ancestors)
    pinned = [f"{r.repo_id}@{r.sha}" for r in repos]
    rows = []
    world = FakeHub([*bases, *repos], latency=0.0)
    temporary = tempfile.TemporaryDirectory(prefix="clearance-bench-hub-")
    with serving(world, same_process) as hub, temporary as tmp:
        root = Path(tmp)
        fill = run_audit(hub, "cold, pinned", pinned, root / "p", jobs, "empty")
        hub.latency = latency
        for _ in range(3):
            for j in (1, jobs):
                cpu = time.process_time()
                r = run_audit(hub, "warm, pinned", pinned, root / "p", j, "= cold pinned")
                cpu = time.process_time() - cpu
                floor = len(r.requests) * latency / r.in_flight
                per_model = f"{cpu / models * 1000:.2f}"
                cells = [f"{r.seconds:.2f}", f"{cpu:.2f}", per_model, str(len(r.requests))]
                rows.append([r.name, str(j), *cells, f"{floor:.2f}"])
    print(
        f"{models} models, {len(bases)} ancestors, latency {latency * 1000:.0f} ms; cache filled "
        f"by a cold pinned audit ({len(fill.requests)} requests, {fill.seconds:.1f} s, no latency)"
    )
    headers = ["run", "jobs", "wall s", "CPU s", "CPU ms/model", "req", "floor s"]
    print(table(headers, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
