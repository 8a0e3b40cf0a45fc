"""Auditing from the Hub: the real huggingface_hub client against the fake Hub on 127.0.0.1.

Lineage (two levels, merges, adapters, quantisations, cycles), gating with and without a token,
every fault the issue names, the per-run memo, the metadata cache, offline mode, --author and
--hf-cache. Retry sleeps are recorded, not slept; a guard fails any test that tries to open a
connection anywhere but 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, FIXED_NOW, REPO
from fakehub import FakeHub, FakeRepo, make_readme, serving

from checker.api import audit, audit_facts, gather
from checker.findings import Verdict
from checker.knowledge import load_knowledge
from checker.policy import load_policy
from checker.sources import HubOptions, Session
from checker.sources.targets import Target

TOKEN = "hf_approved_for_gated"
ST = b"\x10\x00\x00\x00\x00\x00\x00\x00" + b'{"__metadata__":{}}'[:16]


def repo(
    repo_id: str,
    card: dict[str, Any] | None,
    files: tuple[str, ...] = ("model.safetensors",),
    **kwargs: Any,
) -> FakeRepo:
    contents = {name: ST for name in files}
    if card is not None:
        contents["README.md"] = make_readme(card, "# A model card written for Clearance's tests\n")
    contents.update(kwargs.pop("extra_files", {}))
    return FakeRepo(repo_id, files=contents, card_data=card, **kwargs)


WORLD = [
    # a US fine-tune of a US fine-tune of a PRC base
    repo("Qwen/Qwen2.5-7B", {"license": "apache-2.0"}),
    repo("nvidia/qwen-mid", {"license": "apache-2.0", "base_model": "Qwen/Qwen2.5-7B"}),
    repo(
        "microsoft/phi-on-qwen",
        {"license": "mit", "base_model": "nvidia/qwen-mid"},
        branches={"release": "f" * 40},
        revision_files={
            "f" * 40: {
                "README.md": make_readme({"license": "mit", "base_model": "nvidia/qwen-mid"})
            }
        },
    ),
    # a merge of parents from two countries
    repo(
        "meta-llama/Llama-3.1-8B",
        {"license": "llama3.1", "extra_gated_prompt": "Agree."},
        gated="manual",
    ),
    repo("mistralai/Mistral-7B-v0.1", {"license": "apache-2.0"}),
    repo(
        "allenai/merged",
        {
            "license": "apache-2.0",
            "base_model": ["meta-llama/Llama-3.1-8B", "mistralai/Mistral-7B-v0.1"],
        },
    ),
    # an adapter and a GGUF quantisation
    repo(
        "google/lora-on-mistral",
        {
            "license": "apache-2.0",
            "base_model": "mistralai/Mistral-7B-v0.1",
            "base_model_relation": "adapter",
        },
        files=("adapter_model.safetensors",),
        extra_files={
            "adapter_config.json": b'{"base_model_name_or_path": "mistralai/Mistral-7B-v0.1"}'
        },
    ),
    repo(
        "bartowski/Llama-3.1-8B-GGUF",
        {"license": "llama3.1", "base_model": "meta-llama/Llama-3.1-8B"},
        files=("Llama-3.1-8B-Q4_K_M.gguf",),
    ),
    # a cycle
    repo("google/cycle-a", {"license": "mit", "base_model": "google/cycle-b"}),
    repo("google/cycle-b", {"license": "mit", "base_model": "google/cycle-a"}),
    # remote code, pickle, licence file, an unreachable ancestor
    repo(
        "microsoft/custom-code",
        {"license": "mit"},
        files=("pytorch_model.bin", "modeling_x.py"),
        config={"auto_map": {"AutoModel": "modeling_x.X"}},
        extra_files={"LICENSE": b"MIT License"},
    ),
    repo("google/orphan", {"license": "apache-2.0", "base_model": "google/deleted-base"}),
    repo("google/disabled", {"license": "mit"}, disabled=True),
    repo("google/healthy", {"license": "apache-2.0"}),
    # an adapter tagged apache-2.0 on a Llama 3.1 quantisation (a real pattern in the corpus)
    repo(
        "unsloth/Meta-Llama-3.1-8B-bnb-4bit",
        {"license": "llama3.1", "base_model": "meta-llama/Llama-3.1-8B"},
    ),
    repo(
        "someone/ros2-llama-lora",
        {"license": "apache-2.0", "base_model": "unsloth/Meta-Llama-3.1-8B-bnb-4bit"},
        files=("adapter_model.safetensors",),
        extra_files={
            "adapter_config.json": b'{"base_model_name_or_path": '
            b'"unsloth/Meta-Llama-3.1-8B-bnb-4bit"}'
        },
    ),
]
HUB = FakeHub(WORLD, token=TOKEN, page_size=3)


@pytest.fixture(scope="module", autouse=True)
def _hub() -> Iterator[None]:
    with serving(HUB):
        yield


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every connection attempt must go to 127.0.0.1; anything else fails the test."""
    attempts: list[Any] = []
    real = socket.create_connection

    def guarded(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        attempts.append(address)
        host = address[0]
        if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
            raise AssertionError(f"connection attempted to {address}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)
    HUB.clear_faults()
    HUB.clear_log()
    HUB.latency = 0.0
    yield attempts
    assert all(a[0] in ("127.0.0.1", "localhost") for a in attempts)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def options(tmp_path: Path, sleeps: list[float]) -> HubOptions:
    return HubOptions(
        endpoint=HUB.url,
        cache_dir=str(tmp_path / "hub"),
        timeout=2.0,
        retries=2,
        max_wait=5.0,
        sleep=sleeps.append,
    )


def run(targets: list[str], options: HubOptions, policy: str = "builtin:baseline", **kw: Any):  # type: ignore[no-untyped-def]
    return audit(targets, policy, hub=options, now=FIXED_NOW, **kw)


def model(result: Any, ident: str) -> Any:
    return next(m for m in result.models if m.facts.model.id == ident)


def rules(result: Any, ident: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in model(result, ident).findings:
        out.setdefault(f.rule, []).append(f.message)
    return out


ACME = str(EXAMPLES / "policies" / "acme.yaml")


def test_us_finetune_of_prc_base_two_levels_deep(options: HubOptions) -> None:
    result = run(["microsoft/phi-on-qwen"], options, ACME)
    m = model(result, "microsoft/phi-on-qwen")
    assert [(a.id, a.relation, a.depth, a.country) for a in m.facts.lineage] == [
        ("nvidia/qwen-mid", "finetune", 1, "US"),
        ("Qwen/Qwen2.5-7B", "finetune", 2, "CN"),
    ]
    assert m.facts.provenance.developer.country == "US"
    assert m.facts.provenance.jurisdictions == ("CN", "US")
    assert m.facts.lineage[1].license_ids == ("Apache-2.0",)
    found = rules(result, "microsoft/phi-on-qwen")["provenance/lineage-jurisdiction"]
    assert "Qwen/Qwen2.5-7B (finetune, depth 2)" in found[0]
    assert m.verdict is Verdict.FAIL
    assert m.facts.model.revision == WORLD[2].sha
    assert m.facts.model.source == "hub"


def test_policy_curations_apply_to_hub_models_and_walked_ancestors(
    options: HubOptions, tmp_path: Path
) -> None:
    """developers: reaches an ancestor the Hub walk found; clarify: pins a LICENSE the Hub
    served (its digest is of the downloaded bytes) and lapses when the pin is another file's."""
    import hashlib

    pin = hashlib.sha256(b"MIT License").hexdigest()
    policy = tmp_path / "curated.yaml"
    policy.write_text(
        "version: 1\nextends: [builtin:baseline]\ndevelopers:\n  qwen: {country: SG}\n"
        f"clarify:\n  - {{models: microsoft/custom-*, license: Apache-2.0, file: LICENSE, "
        f"sha256: {pin}}}\n"
    )
    result = run(["microsoft/phi-on-qwen", "microsoft/custom-code"], options, str(policy))
    base = model(result, "microsoft/phi-on-qwen").facts.lineage[1]
    assert (base.id, base.country) == ("Qwen/Qwen2.5-7B", "SG")
    assert (str(policy), 4) in [(e.source, e.line) for e in base.evidence]
    lic = model(result, "microsoft/custom-code").facts.license
    assert lic.declared_by == "clarified" and lic.ids == ("Apache-2.0",)
    policy.write_text(policy.read_text().replace(pin, "a" * 64))
    lapsed = rules(run(["microsoft/custom-code"], options, str(policy)), "microsoft/custom-code")
    assert "LICENSE has changed" in lapsed["license/clarification-lapsed"][0]


def test_branch_revision_is_reported_as_sha(options: HubOptions) -> None:
    result = run(["microsoft/phi-on-qwen@release"], options)
    assert model(result, "microsoft/phi-on-qwen").facts.model.revision == "f" * 40


def test_merge_of_parents_from_two_countries(options: HubOptions) -> None:
    result = run(["allenai/merged"], options)
    m = model(result, "allenai/merged")
    assert {(a.id, a.relation, a.country) for a in m.facts.lineage} == {
        ("meta-llama/Llama-3.1-8B", "merge", "US"),
        ("mistralai/Mistral-7B-v0.1", "merge", "FR"),
    }
    assert m.facts.provenance.jurisdictions == ("FR", "US")
    # the gated parent's licence still comes through its model_info card data
    llama = next(a for a in m.facts.lineage if a.id.startswith("meta-llama"))
    assert llama.license_ids == ("LicenseRef-scancode-llama-3.1-license-2024",)


def test_adapter_and_gguf_quantisation(options: HubOptions) -> None:
    result = run(["google/lora-on-mistral", "bartowski/Llama-3.1-8B-GGUF"], options)
    lora = model(result, "google/lora-on-mistral").facts
    assert [(a.id, a.relation) for a in lora.lineage] == [("mistralai/Mistral-7B-v0.1", "adapter")]
    gguf = model(result, "bartowski/Llama-3.1-8B-GGUF").facts
    assert [(a.id, a.relation) for a in gguf.lineage] == [("meta-llama/Llama-3.1-8B", "quantized")]
    assert gguf.weights.formats == ("gguf",)


def test_cycle_is_detected_and_reported(options: HubOptions) -> None:
    result = run(["google/cycle-a"], options)
    m = model(result, "google/cycle-a")
    errors = [a.error for a in m.facts.lineage if a.error]
    assert errors == ["lineage cycle: google/cycle-a -> google/cycle-b -> google/cycle-a"]
    assert any("cycle" in msg for msg in rules(result, "google/cycle-a")["card/invalid-metadata"])


def test_unreachable_ancestor_is_unknown_not_dropped(options: HubOptions) -> None:
    result = run(["google/orphan"], options)
    m = model(result, "google/orphan")
    (ancestor,) = m.facts.lineage
    assert ancestor.id == "google/deleted-base" and "repository not found" in (ancestor.error or "")
    assert ancestor.country == "US"  # still known from the owner
    assert m.verdict is Verdict.FAIL  # unknown is an error in builtin:baseline


def test_gated_model_without_and_with_token(tmp_path: Path, sleeps: list[float]) -> None:
    anonymous = HubOptions(endpoint=HUB.url, cache_dir=str(tmp_path / "a"), sleep=sleeps.append)
    result = run(["meta-llama/Llama-3.1-8B"], anonymous)
    m = model(result, "meta-llama/Llama-3.1-8B")
    assert m.verdict is not Verdict.ERROR
    assert m.facts.weights.availability == "gated-manual"
    assert m.facts.license.ids == ("LicenseRef-scancode-llama-3.1-license-2024",)
    assert m.facts.card.path and m.facts.card.path.endswith("(cardData)")
    assert any("gated" in str(e.value) for e in m.facts.weights.availability_evidence)
    HUB.clear_log()
    with_token = HubOptions(
        endpoint=HUB.url, cache_dir=str(tmp_path / "b"), token=TOKEN, sleep=sleeps.append
    )
    result = run(["meta-llama/Llama-3.1-8B"], with_token)
    m = model(result, "meta-llama/Llama-3.1-8B")
    assert m.facts.card.path == f"hf:meta-llama/Llama-3.1-8B@{WORLD[3].sha}/README.md"
    assert any(r.has_auth for r in HUB.requests)
    from checker.reporters.json_report import render_json
    from checker.reporters.markdown import render_markdown

    assert TOKEN not in render_json(result) + render_markdown(result)


def test_files_are_read_at_the_resolved_commit(options: HubOptions) -> None:
    result = run(["microsoft/custom-code"], options)
    facts = model(result, "microsoft/custom-code").facts
    sha = WORLD[10].sha
    assert facts.card.path == f"hf:microsoft/custom-code@{sha}/README.md"
    downloads = [r.path for r in HUB.requests if "/resolve/" in r.path]
    assert downloads and all(f"/resolve/{sha}/" in p for p in downloads)
    assert any(p.endswith("/LICENSE") for p in downloads)
    assert facts.weights.remote_code is True
    assert facts.weights.formats == ("pickle",)
    assert set(rules(result, "microsoft/custom-code")) >= {
        "weights/remote-code",
        "weights/unsafe-format",
    }


@pytest.mark.parametrize(
    ("target", "fault", "reason"),
    [
        ("google/nope", None, "repository not found"),
        ("google/healthy@v9", None, "revision not found"),
        ("meta-llama/Llama-3.1-8B@" + "e" * 40, None, "gated repository"),
        ("google/disabled", None, "disabled"),
        (
            "google/healthy",
            {"status": 429, "headers": {"Retry-After": "1"}, "times": None},
            "rate limited (HTTP 429)",
        ),
        ("google/healthy", {"status": 503, "times": None}, "Hub error (HTTP 503)"),
        (
            "google/healthy",
            {"status": 0, "mode": "truncate", "times": None},
            "cut off or malformed",
        ),
        ("google/healthy", {"status": 0, "mode": "non_json", "times": None}, "not JSON"),
        ("google/healthy", {"status": 0, "delay": 1.0, "times": None}, "did not answer in time"),
    ],
    ids=[
        "not-found",
        "bad-revision",
        "gated-no-access",
        "disabled",
        "429",
        "5xx",
        "truncated",
        "non-json",
        "timeout",
    ],
)
def test_faults_give_error_verdict_and_others_still_audited(
    fault: dict[str, Any] | None, target: str, reason: str, tmp_path: Path, sleeps: list[float]
) -> None:
    if fault is not None:
        HUB.fail(r"^/api/models/google/healthy", **fault)
    opts = HubOptions(
        endpoint=HUB.url,
        cache_dir=str(tmp_path / "c"),
        timeout=0.4,
        retries=2,
        max_wait=5.0,
        sleep=sleeps.append,
    )
    result = run([target, "mistralai/Mistral-7B-v0.1"], opts)
    bad = next(m for m in result.models if m.facts.target == target)
    assert bad.verdict is Verdict.ERROR
    assert reason in (bad.facts.error or ""), bad.facts.error
    assert "\n" not in (bad.facts.error or "")
    assert model(result, "mistralai/Mistral-7B-v0.1").verdict is not Verdict.ERROR
    assert result.exit_code == 2
    if fault is not None and fault.get("status") in (429, 503):
        assert len(HUB.requests_to(r"^/api/models/google/healthy")) == 3  # 1 + 2 retries
        assert sleeps == ([1.0, 1.0] if fault["status"] == 429 else [0.5, 1.0])


def test_transient_fault_then_success(options: HubOptions, sleeps: list[float]) -> None:
    HUB.fail(r"^/api/models/google/healthy", status=429, headers={"Retry-After": "2"}, times=1)
    result = run(["google/healthy"], options)
    assert model(result, "google/healthy").verdict is Verdict.PASS
    assert sleeps == [2.0]


def test_retry_after_longer_than_allowed_is_not_waited(tmp_path: Path, sleeps: list[float]) -> None:
    HUB.fail(r"^/api/models/google/healthy", status=429, headers={"Retry-After": "3600"})
    opts = HubOptions(endpoint=HUB.url, cache_dir=str(tmp_path), max_wait=30, sleep=sleeps.append)
    result = run(["google/healthy"], opts)
    assert model(result, "google/healthy").verdict is Verdict.ERROR and sleeps == []


def test_connection_refused(tmp_path: Path, sleeps: list[float]) -> None:
    dead = FakeHub()
    dead.start()
    url = dead.url
    dead.stop()
    opts = HubOptions(endpoint=url, cache_dir=str(tmp_path), retries=1, sleep=sleeps.append)
    result = run(["google/healthy"], opts)
    assert "cannot connect to" in (result.models[0].facts.error or "")
    assert result.exit_code == 2


def test_shared_ancestors_are_fetched_once(options: HubOptions) -> None:
    result = run(
        ["allenai/merged", "bartowski/Llama-3.1-8B-GGUF", "google/lora-on-mistral"], options, jobs=4
    )
    assert len(result.models) == 3
    info = [r.path for r in HUB.requests if r.path.startswith("/api/models/")]
    assert len(info) == len(set(info))
    assert info.count("/api/models/meta-llama/Llama-3.1-8B") == 1


def test_warm_cache_makes_no_metadata_or_file_requests_for_pinned_revisions(
    options: HubOptions,
) -> None:
    sha = WORLD[13].sha
    first = run([f"google/healthy@{sha}"], options)
    cold = len(HUB.requests)
    HUB.clear_log()
    second = run([f"google/healthy@{sha}"], options)
    assert cold > 0 and HUB.requests == []
    assert first.models[0].facts == second.models[0].facts


def test_no_thread_per_model_and_none_left_after_the_run(
    options: HubOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from checker.sources.hub.fanout import Fanout

    sha = WORLD[13].sha
    run(["allenai/merged", f"google/healthy@{sha}"], options, jobs=4)  # cold: files fetched
    assert not [t for t in threading.enumerate() if t.name.startswith("clearance")]
    submitted: list[object] = []
    real = Fanout.submit
    monkeypatch.setattr(
        Fanout, "submit", lambda self, fn, *a: submitted.append(fn) or real(self, fn, *a)
    )
    run([f"google/healthy@{sha}"], options, jobs=1)  # warm, pinned: everything is cached
    assert submitted == []


def test_ready_says_which_reads_need_no_request(options: HubOptions) -> None:
    """Pinned, cached and with every ancestor known to the run: ready; a branch, an uncached
    commit or an ancestor not yet asked for: not ready (read on a thread)."""
    from checker.sources.hub.ready import ready

    qwen = WORLD[0]
    merged = next(r for r in WORLD if r.repo_id == "nvidia/qwen-mid")
    assert merged.sha is not None and qwen.sha is not None
    pinned = Target("hub", merged.repo_id, merged.repo_id, merged.repo_id, merged.sha)
    branch = Target("hub", merged.repo_id, merged.repo_id, merged.repo_id, None)
    cold = Session(options)
    assert not ready(cold.hub, pinned)  # nothing cached yet
    run([f"nvidia/qwen-mid@{merged.sha}"], options)  # fills the metadata cache
    warm = Session(options)
    assert not ready(warm.hub, branch)
    assert not ready(warm.hub, pinned)  # its base, Qwen/Qwen2.5-7B, is not known to this run
    HUB.clear_log()
    warm.hub.info("Qwen/Qwen2.5-7B", None)  # now it is (one request)
    assert ready(warm.hub, pinned)
    assert [r.path for r in HUB.requests if "nvidia" in r.path] == []  # read from the cache
    offline = Session(HubOptions(endpoint=HUB.url, cache_dir=options.cache_dir, offline=True))
    assert ready(offline.hub, branch)  # offline: never a request
    for session in (cold, warm, offline):
        session.close()


def test_warm_pinned_reads_stay_in_the_calling_thread(
    options: HubOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bulk audit reads the targets that need no request where it runs, the rest on threads,
    and keeps the order and the facts of a serial read."""
    import threading

    from checker import pool

    sha = WORLD[13].sha
    targets = [f"google/healthy@{sha}", "allenai/merged", "nvidia/qwen-mid"]
    serial = run(targets, options, jobs=1)
    where: list[tuple[str, bool]] = []
    real = pool.read_raw

    def spy(target: Target, session: Session) -> Any:
        where.append((target.ref, threading.current_thread() is threading.main_thread()))
        return real(target, session)

    monkeypatch.setattr("checker.api.read_raw", spy)
    threaded = run(targets, options, jobs=4)
    assert ("google/healthy", True) in where  # pinned and cached: no thread
    assert ("allenai/merged", False) in where  # a branch: resolved on a thread
    assert [m.facts for m in threaded.models] == [m.facts for m in serial.models]


def test_offline_audits_from_the_cache_and_names_what_is_missing(options: HubOptions) -> None:
    run(["google/healthy"], options)
    HUB.clear_log()
    offline = HubOptions(endpoint=HUB.url, cache_dir=options.cache_dir, offline=True)
    result = run(["google/healthy", "google/never-fetched"], offline)
    assert HUB.requests == []
    assert model(result, "google/healthy").verdict is Verdict.PASS
    missing = model(result, "google/never-fetched")
    assert missing.verdict is Verdict.ERROR and "not in the local cache (offline)" in (
        missing.facts.error or ""
    )


def test_hf_cache_lists_every_cached_model(options: HubOptions, tmp_path: Path) -> None:
    run(["google/healthy", "microsoft/custom-code"], options)
    # a snapshot some other tool downloaded, without Clearance's metadata
    snap = (
        Path(options.cache_dir or "")
        / "models--deepseek-ai--DeepSeek-V3"
        / "snapshots"
        / ("d" * 40)
    )
    snap.mkdir(parents=True)
    (snap / "README.md").write_text("---\nlicense: mit\n---\n")
    HUB.clear_log()
    result = run([], HubOptions(endpoint=HUB.url, cache_dir=options.cache_dir), hf_cache=True)
    assert HUB.requests == []
    ids = {m.facts.model.id: m for m in result.models}
    assert set(ids) == {"google/healthy", "microsoft/custom-code", "deepseek-ai/DeepSeek-V3"}
    deepseek = ids["deepseek-ai/DeepSeek-V3"].facts
    assert deepseek.model.revision == "d" * 40 and deepseek.license.ids == ("MIT",)
    assert deepseek.provenance.developer.country == "CN"


def test_author_lists_every_model_across_pages(options: HubOptions) -> None:
    result = run([], options, authors=["google"])
    assert {m.facts.model.id for m in result.models} >= {
        "google/healthy",
        "google/orphan",
        "google/cycle-a",
        "google/lora-on-mistral",
    }
    assert len(HUB.requests_to(r"^/api/models$")) >= 2  # page_size=3: paginated


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``clearance check ARGS --format json --policy builtin:baseline`` against the fake Hub."""
    env = {
        **os.environ,
        "HF_ENDPOINT": HUB.url,
        "HF_HOME": str(home),
        "CI": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
        "HF_TOKEN": TOKEN,
    }
    env.pop("HF_HUB_OFFLINE", None)
    command = [sys.executable, "-m", "checker", "check", *args]
    command += ["--format", "json", "--policy", "builtin:baseline"]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, timeout=120)


def test_cli_against_the_fake_hub(tmp_path: Path) -> None:
    out = _cli(tmp_path, "google/healthy", "google/nope", "meta-llama/Llama-3.1-8B")
    assert out.returncode == 2, out.stderr
    assert TOKEN not in out.stdout + out.stderr
    doc = json.loads(out.stdout)
    verdicts = {m["id"]: m["verdict"] for m in doc["models"]}
    assert verdicts["google/healthy"] == "pass" and verdicts["google/nope"] == "error"
    assert all(len(m["revision"] or "x" * 40) == 40 for m in doc["models"])


@pytest.mark.parametrize("jobs", [1, 3])
def test_cli_jobs_bounds_the_requests_in_flight(tmp_path: Path, jobs: int) -> None:
    """``--jobs N`` asks the Hub at most N things at once (``requests_in_flight``): with
    ``--jobs 1`` a model's card and its weights' paths-info are asked one after the other."""
    HUB.latency = 0.03  # long enough for requests that may overlap to do so
    targets = ["google/healthy", "allenai/merged", "microsoft/custom-code", "google/cycle-a"]
    out = _cli(tmp_path, *targets, "--jobs", str(jobs))
    assert out.returncode in (0, 1), out.stderr
    assert len(json.loads(out.stdout)["models"]) == len(targets)
    assert HUB.peak_in_flight == 1 if jobs == 1 else 2 <= HUB.peak_in_flight <= jobs


def test_gather_with_one_job_matches_many(options: HubOptions) -> None:
    kb = load_knowledge()
    targets = [
        Target("hub", i, i, i) for i in ("allenai/merged", "google/cycle-a", "google/healthy")
    ]
    one = gather(targets, kb, session=Session(options), jobs=1)
    many = gather(targets, kb, session=Session(options), jobs=8)
    policy = load_policy("builtin:baseline", kb)
    assert audit_facts(one, policy, kb, FIXED_NOW) == audit_facts(many, policy, kb, FIXED_NOW)


def test_every_connection_went_to_loopback(options: HubOptions, _loopback_only: list[Any]) -> None:
    from huggingface_hub.utils import close_session

    close_session()  # no kept-alive connection from an earlier test: every one is seen anew
    run(["allenai/merged", "microsoft/custom-code"], options)
    assert _loopback_only, "the guard saw the client's connections"
    ports = {HUB.port, int(HUB.cdn_url.rsplit(":", 1)[1])}
    assert all(a[0] == "127.0.0.1" and a[1] in ports for a in _loopback_only)
    assert all(r.server in ("hub", "cdn") for r in HUB.requests)


def test_no_progress_bar_when_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from checker.cli_output import progress_bar as _progress

    with _progress() as (progress, on_targets, on_bytes):
        assert progress is None and on_targets is None and on_bytes is None


def test_lineage_conflict_through_the_hub(options: HubOptions) -> None:
    result = run(["someone/ros2-llama-lora"], options)
    m = model(result, "someone/ros2-llama-lora")
    assert [(a.id, a.relation, a.depth) for a in m.facts.lineage] == [
        ("unsloth/Meta-Llama-3.1-8B-bnb-4bit", "adapter", 1),
        ("meta-llama/Llama-3.1-8B", "finetune", 2),
    ]
    (conflict,) = rules(result, "someone/ros2-llama-lora")["license/lineage-conflict"]
    assert "Llama 3.1" in conflict
    # Hub tags (license:apache-2.0) agree with the card: no inconsistency
    assert "license/inconsistent" not in rules(result, "someone/ros2-llama-lora")
    assert [s.declared_by for s in m.facts.license.places] == ["card", "tags"]


def test_nothing_to_audit_is_not_a_pass(options: HubOptions, tmp_path: Path) -> None:
    """An empty HF cache, or an author without models, is exit 2 with the reason, never 0."""
    from checker.errors import InputError

    empty = HubOptions(endpoint=HUB.url, cache_dir=str(tmp_path / "empty-cache"))
    with pytest.raises(InputError, match="--hf-cache found no model snapshot"):
        run([], empty, hf_cache=True)
    with pytest.raises(InputError, match="--author nobody-at-all has no models"):
        run([], options, authors=["nobody-at-all"])
