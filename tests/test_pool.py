"""The process pool for local folders (checker/pool.py): the same report as a serial read, byte
for byte, in the same order; progress for every folder; a worker's error is the serial error;
Ctrl-C leaves no worker behind; facts cross the process boundary intact (checker/transfer.py)."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, FIXED_NOW, safetensors_bytes

from checker import pool, transfer
from checker.api import audit, gather
from checker.cli import main
from checker.facts.curations import NO_CURATIONS
from checker.knowledge import Knowledge
from checker.reporters.json_report import render_json
from checker.sources.targets import Target, parse_target

FOLDERS = pool.POOL_MIN + 40  # enough for the pool, and more than a few chunks each way
LICENSES = ["apache-2.0", "mit", "llama3.1", "cc-by-nc-4.0", "gemma", "other", "openrail", ""]
BASES = ["", "meta-llama/Llama-3.1-8B", "Qwen/Qwen2.5-7B", "mistralai/Mistral-7B-v0.1"]
OWNERS = ("acme-labs", "meta-llama", "someone", "Qwen")
IN_RUN_BASE = 10  # every tenth folder (from the eleventh) is a fine-tune of the one before it
POLICY = """\
version: 1
name: pool-test
extends: [{acme}]
developers:
  acme-labs:
    country: DE
    name: Acme Labs GmbH
    source: https://acme.example/imprint
clarify:
  - models: ["acme-labs/*"]
    license: Apache-2.0
    reason: reviewed
"""


def _folder(folder: Path, i: int) -> None:
    """A small model folder; every few a broken one (bad YAML, bad UTF-8, bad JSON, no card)."""
    folder.mkdir(parents=True)
    lic, base = LICENSES[i % len(LICENSES)], BASES[i % len(BASES)]
    if i % IN_RUN_BASE == 1 and i > 1:  # its base is in the same audit: linking changes it
        base = f"{OWNERS[(i - 1) % 4]}/m{i - 1:04d}"
    front = [f"license: {lic}" if lic else "pipeline_tag: text-generation", f"tags: [m-{i}]"]
    if base:
        front.append(f"base_model: {base}")
    kind = i % 11
    if kind == 3:
        (folder / "README.md").write_text("---\nlicense: [mit\n---\n# broken\n")
    elif kind == 5:
        (folder / "README.md").write_bytes(b"---\nlicense: mit\n---\n\xff\xfe bad\n")
    elif kind != 7:
        body = f"# Model {i}\n\nReleased under the MIT licence.\n" if i % 4 == 0 else "# M\n"
        (folder / "README.md").write_text("---\n" + "\n".join(front) + "\n---\n" + body)
    (folder / "config.json").write_text("{not json" if kind == 9 else json.dumps({"n": i}))
    (folder / "LICENSE").write_text(f"Licence text {i % 13}.\n")
    (folder / ("model.bin" if i % 6 == 0 else "model.safetensors")).write_bytes(safetensors_bytes())


def _tree(root: Path, count: int = FOLDERS) -> Path:
    """``count`` folders (some copies of the examples), a missing one, and a manifest."""
    lines = ["models:"]
    examples = sorted(p for p in (EXAMPLES / "models").iterdir() if p.is_dir())
    for i in range(count):
        folder = root / "models" / f"m{i:04d}"
        if i % 17 == 0:
            shutil.copytree(examples[i % len(examples)], folder)
        else:
            _folder(folder, i)
        owner = OWNERS[i % 4]
        lines += [f"  - id: {owner}/m{i:04d}", f"    path: models/m{i:04d}"]
    lines += ["  - id: acme/gone", "    path: models/not-there"]
    manifest = root / "models.yaml"
    manifest.write_text("\n".join(lines) + "\n")
    (root / "policy.yaml").write_text(POLICY.format(acme=EXAMPLES / "policies" / "acme.yaml"))
    return manifest


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _tree(tmp_path_factory.mktemp("pool"))


def _report(
    manifest: Path, jobs: int, seen: list[Target] | None = None, *, hash_weights: bool = False
) -> str:
    result = audit(
        [str(manifest)],
        str(manifest.parent / "policy.yaml"),
        jobs=jobs,
        now=FIXED_NOW,
        progress=None if seen is None else seen.append,
        hash_weights=hash_weights,
    )
    return render_json(result)


def test_pool_report_is_byte_identical_to_the_serial_one(tree: Path) -> None:
    serial_seen: list[Target] = []
    pooled_seen: list[Target] = []
    serial = _report(tree, 1, serial_seen)
    pooled = _report(tree, 2, pooled_seen)
    assert pooled == serial
    doc = json.loads(serial)
    assert doc["summary"]["models"] == FOLDERS + 1
    assert {m["verdict"] for m in doc["models"]} >= {"pass", "fail", "error"}
    assert len(pooled_seen) == len(serial_seen) == FOLDERS + 1  # the bar advances for each
    assert sorted(t.ref for t in pooled_seen) == sorted(t.ref for t in serial_seen)
    assert _report(tree, 3) == serial  # two workers and the caller


def test_the_tree_links_lineage_through_the_run(tree: Path) -> None:
    """Some folders are fine-tunes of others in the same manifest, so the byte-identical report
    above covers facts that linking replaces after the pool has read them."""
    result = audit([str(tree)], str(tree.parent / "policy.yaml"), jobs=2, now=FIXED_NOW)
    ids = {m.facts.model.id for m in result.models}
    linked = [m for m in result.models if any(a.id in ids for a in m.facts.lineage)]
    assert len(linked) >= FOLDERS // IN_RUN_BASE // 2  # broken folders and copies name none
    assert any(a.depth == 2 for m in linked for a in m.facts.lineage)  # the base's own base


def test_workers_hash_weights_when_asked(tree: Path) -> None:
    serial = _report(tree, 1, hash_weights=True)
    assert _report(tree, 2, hash_weights=True) == serial
    hashed = [
        f
        for m in json.loads(serial)["models"]
        for f in m.get("files", [])
        if f.get("digest_origin") == "hashed"
    ]
    assert len(hashed) >= FOLDERS  # every folder's weight file, hashed in workers too


def test_cli_jobs_gives_the_same_report_and_exit_code(tree: Path, tmp_path: Path) -> None:
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"report-{jobs}.json"
        result = CliRunner().invoke(
            main,
            ["check", str(tree), "--policy", str(tree.parent / "policy.yaml"), "--jobs", jobs,
             "--format", "json", "--output", str(out)],
        )  # fmt: skip
        assert "Traceback" not in result.output
        assert result.exit_code == 2  # the missing folder could not be read
        outs.append(json.loads(out.read_text()))
    for doc in outs:
        doc.pop("generated_at")
    assert outs[0] == outs[1]


def test_few_folders_or_one_job_stay_in_process() -> None:
    assert not pool.use_pool(1, 10_000)
    assert not pool.use_pool(8, pool.POOL_MIN - 1)
    assert pool.use_pool(2, pool.POOL_MIN)
    assert pool.default_jobs() >= 1


def _targets(tree: Path) -> list[Target]:
    return parse_target(str(tree))


def _fail_in(
    monkeypatch: pytest.MonkeyPatch, where: Callable[[], bool], how: Callable[[], None]
) -> None:
    """Make reading the folder m0042 fail (``how``) where ``where()`` holds (forked workers
    inherit the patch)."""
    real = pool.build_facts

    def build(raw, kb, curations=NO_CURATIONS):  # type: ignore[no-untyped-def]
        if raw.model_id.endswith("/m0042") and where():
            how()
        return real(raw, kb, curations)

    monkeypatch.setattr(pool, "build_facts", build)


def _boom() -> None:
    raise RuntimeError("boom in m0042")


def test_a_read_that_raises_raises_as_it_does_serially(
    tree: Path, kb: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_in(monkeypatch, lambda: True, _boom)
    targets = _targets(tree)
    with pytest.raises(RuntimeError, match="boom in m0042"):
        gather(targets, kb, jobs=1)
    with pytest.raises(RuntimeError, match="boom in m0042") as raised:
        gather(targets, kb, jobs=2)
    assert "RemoteTraceback" not in repr(raised.value.__cause__)  # the caller's own error
    assert not multiprocessing.active_children()


def test_a_worker_error_or_death_is_read_again_by_the_caller(
    tree: Path, kb: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    targets = _targets(tree)
    serial = gather(targets, kb, jobs=1)
    caller = os.getpid()
    _fail_in(monkeypatch, lambda: os.getpid() != caller, _boom)
    assert gather(targets, kb, jobs=2) == serial
    _fail_in(monkeypatch, lambda: os.getpid() != caller, lambda: os._exit(3))
    assert gather(targets, kb, jobs=2) == serial  # the pool broke: the caller read the rest
    assert not multiprocessing.active_children()


def test_ctrl_c_leaves_no_worker(
    tree: Path, kb: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    import checker.api

    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt  # in the caller, on its first folder, with the workers busy

    monkeypatch.setattr(checker.api, "read_target", interrupt)
    with pytest.raises(KeyboardInterrupt):
        gather(_targets(tree), kb, jobs=3)
    assert not multiprocessing.active_children()


def test_a_worker_without_the_callers_knowledge_leaves_every_folder_to_it(
    tree: Path, kb: Knowledge
) -> None:
    """What a spawned worker does when its knowledge base is not the caller's (run here)."""
    chunk = _targets(tree)[:3]
    pool._start(None, "not-the-digest", transfer.dumps(NO_CURATIONS), False)
    try:
        assert transfer.loads(pool._work(transfer.dumps(chunk))) == [None, None, None]
        pool._start(kb, kb.digest, transfer.dumps(NO_CURATIONS), False)
        facts = transfer.loads(pool._work(transfer.dumps(chunk)), kb)
    finally:
        pool._worker = (None, NO_CURATIONS)
        import signal

        signal.signal(signal.SIGINT, signal.default_int_handler)
    assert [f.model.id for f in facts] == [t.model_id for t in chunk]


def test_transfer_keeps_facts_equal_and_entries_shared(tree: Path, kb: Knowledge) -> None:
    facts = gather(_targets(tree)[:60], kb, jobs=1)
    back = transfer.loads(transfer.dumps(facts, kb), kb)
    assert back == facts
    pairs = [(a, b) for x, y in zip(facts, back, strict=True)
             for a, b in zip(x.license.entries, y.license.entries, strict=True)]  # fmt: skip
    assert pairs and all(a is b for a, b in pairs)  # the caller's own entries, not copies
    cards = zip(facts, back, strict=True)
    assert all(type(y.card.metadata) is type(x.card.metadata) for x, y in cards)
    alone = transfer.loads(transfer.dumps(facts))  # without a knowledge base: by value
    assert alone == facts
    copies = zip(facts[0].license.entries, alone[0].license.entries, strict=True)
    assert all(a is not b for a, b in copies)
    # what binding derives is derived again, so models bound alike share it as in a serial
    # read, across separate transfers (a worker's chunks) too
    halves = [transfer.loads(transfer.dumps(part, kb), kb) for part in (facts[:30], facts[30:])]
    again = halves[0] + halves[1]
    assert again == facts and any(f.terms for f in facts) and any(f.obligations for f in facts)
    for x, y in zip(facts, again, strict=True):
        assert y.terms is x.terms and y.obligations is x.obligations
    unbound = [replace(f, binding=None, terms=None, obligations=()) for f in facts[:5]]
    assert transfer.loads(transfer.dumps(unbound, kb), kb) == unbound  # left as they are


def test_transfer_refuses_an_entry_the_knowledge_base_lacks(kb: Knowledge) -> None:
    import dataclasses
    import pickle

    entry = kb.licenses[0]
    data = transfer.dumps([entry], kb)
    other = dataclasses.replace(kb, licenses=(), _license_index={})
    with pytest.raises(pickle.UnpicklingError, match="not in this knowledge base"):
        transfer.loads(data, other)
    assert transfer.loads(data, kb)[0] is entry


def test_mixed_targets_keep_their_order(
    tree: Path, kb: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Local folders go to the pool, the others to threads; the facts stay in target order."""
    from checker.sources import SOURCES
    from checker.sources.raw import RawModel

    class Elsewhere:
        name = "elsewhere"

        def read(self, target: Target, session: object) -> RawModel:
            return RawModel(target.display, target.ref, "elsewhere", target.ref, error="away")

    monkeypatch.setitem(SOURCES, "elsewhere", Elsewhere())
    local = _targets(tree)
    mixed = list(local)
    for at in (0, 50, len(mixed)):
        mixed.insert(at, Target("elsewhere", f"far/m{at}", f"far/m{at}"))
    serial = gather(mixed, kb, jobs=1)
    pooled = gather(mixed, kb, jobs=2)
    assert pooled == serial
    assert [f.model.id for f in pooled] == [t.model_id or t.ref for t in mixed]


def test_workers_collect_their_garbage_and_never_walk_the_inherited_heap(
    tree: Path, kb: Knowledge, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The caller reads with the collector paused and the workers are forked from it: each
    worker turns its collector on (the cycles a model leaves were otherwise never freed, and a
    worker grew by 34 KiB a model), with what it inherited frozen, never walked; the caller is
    left as it was (nothing frozen, the collector on again after ``gather``)."""
    import gc

    log = tmp_path / "gc.log"
    caller = os.getpid()
    real = pool.build_facts

    def build(raw, kb, curations=NO_CURATIONS):  # type: ignore[no-untyped-def]
        if os.getpid() != caller:
            with log.open("a") as out:
                out.write(f"{gc.isenabled()} {gc.get_freeze_count() > 0}\n")
        return real(raw, kb, curations)

    monkeypatch.setattr(pool, "build_facts", build)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    pooled = gather(_targets(tree), kb, jobs=2)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    states = set(log.read_text().split("\n")) - {""}
    assert states == {"True True"}  # every model a worker read
    monkeypatch.setattr(pool, "build_facts", real)
    assert pooled == gather(_targets(tree), kb, jobs=1)
    gc.freeze()  # an embedding program's own freeze is left to it
    try:
        frozen = gc.get_freeze_count()
        gather(_targets(tree), kb, jobs=2)
        assert gc.get_freeze_count() > frozen // 2  # not unfrozen (a few frozen objects died)
    finally:
        gc.unfreeze()
