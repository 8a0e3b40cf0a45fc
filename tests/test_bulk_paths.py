"""The pieces a bulk audit of local folders leans on: bounded reads that ask the file its size,
paths shown without pathlib, the collector paused in bulk loops, per-process memos."""

from __future__ import annotations

import dataclasses
import gc
import os
import weakref
from pathlib import Path

import pytest

from checker import collector, yaml_fast, yamlio
from checker.facts.license import _sharing
from checker.knowledge import Knowledge
from checker.knowledge_cache import cache_dir
from checker.paths import display_path, real, shown
from checker.sources.local import NotRegular, read_regular
from checker.sources.targets import Target, local_model_id, model_id_of

# -- read_regular ----------------------------------------------------------------------------


def test_read_regular_reads_at_most_count_bytes(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 100_000)
    assert read_regular(path, 10) == b"x" * 10
    assert read_regular(path, 100_001) == b"x" * 100_000
    assert read_regular(path, 100_000) == b"x" * 100_000
    (tmp_path / "empty").write_bytes(b"")
    assert read_regular(tmp_path / "empty", 5) == b""


def test_read_regular_goes_past_a_size_of_zero() -> None:
    """A /proc file says its size is 0 and still has bytes: they are read, up to the bound."""
    proc = Path("/proc/self/status")
    if not proc.is_file() or proc.stat().st_size != 0:
        pytest.skip("no /proc file that reports a size of 0 here")
    data = read_regular(proc, 1 << 20)
    assert data.startswith(b"Name:")
    assert len(read_regular(proc, 7)) == 7


def test_read_regular_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    with pytest.raises(NotRegular, match="a folder"):
        read_regular(tmp_path, 10)
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe"
        os.mkfifo(fifo)
        with pytest.raises(NotRegular, match="named pipe"):
            read_regular(fifo, 10)  # never blocks waiting for a writer
    with pytest.raises(FileNotFoundError):
        read_regular(tmp_path / "missing", 10)


# -- paths -----------------------------------------------------------------------------------


def test_a_loop_of_links_is_shown_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``Path.resolve`` raises RuntimeError on a loop of links; showing such a path must not."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    assert display_path("a") == "a"
    assert display_path("a/x") == "a/x"
    assert local_model_id(Path("a/x")) == ("local/x", None)


def test_paths_are_shown_relative_to_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "m")
    monkeypatch.chdir(tmp_path)
    assert display_path(".") == "."
    assert display_path("m/") == "m"
    assert display_path("./m/../m/f") == "m/f"
    assert display_path("link") == "m"  # a link is resolved
    assert display_path(tmp_path.parent) == Path(os.path.realpath(tmp_path.parent)).as_posix()
    monkeypatch.chdir("/")
    assert shown("/") == "."
    assert shown(real(tmp_path)) == os.path.realpath(tmp_path).lstrip("/")


def test_model_id_of_a_real_path() -> None:
    sha = "c" * 40
    assert model_id_of(f"/x/models--org--name/snapshots/{sha}") == ("org/name", sha)
    assert model_id_of("/x/models--org--name/snapshots/abc") == ("local/abc", None)
    assert model_id_of("/") == ("local/model", None)


def test_a_manifest_folder_is_shown_from_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checker.sources.targets import parse_target

    (tmp_path / "sub" / "m1").mkdir(parents=True)
    manifest = tmp_path / "sub" / "models.yaml"
    manifest.write_text("models:\n  - id: org/one\n    path: m1\n  - path: ./m1/../m1\n")
    monkeypatch.chdir(tmp_path)
    targets = parse_target("sub/models.yaml")
    assert [(t.ref, t.model_id) for t in targets] == [("sub/m1", "org/one"), ("sub/m1", None)]
    assert isinstance(targets[0], Target)


# -- the collector ---------------------------------------------------------------------------


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: reference counting alone never frees it


def test_bulk_pauses_the_collector_and_frees_young_cycles() -> None:
    assert gc.isenabled()
    with collector.bulk(every=4) as tick:
        assert not gc.isenabled()
        node = _Node()
        ref = weakref.ref(node)
        del node
        for _ in range(3):
            tick()
        assert ref() is not None  # paused: nothing collected yet
        tick()  # the fourth: a young collection
        assert ref() is None
    assert gc.isenabled()


def test_nested_pauses_leave_the_collector_as_they_found_it() -> None:
    with collector.paused():
        with collector.bulk() as tick:
            tick()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), collector.bulk():
        raise ValueError("the collector is running again after an error")
    assert gc.isenabled()


# -- memos -----------------------------------------------------------------------------------


def test_scalar_memo_gives_the_loader_values_and_stays_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not yaml_fast.available():
        pytest.skip("no libyaml")
    text = "a: 1\nb: true\nc: '1'\nd: 1.5\ne: null\nf: 2026-01-01\ng: 0x1F\nh: text\n"
    first = yamlio.to_plain(yamlio.load(text))
    again = yamlio.to_plain(yamlio.load(text))  # from the memo
    rt = yamlio.to_plain(yamlio.load_round_trip(text))
    assert first == again == rt
    assert [type(v) for v in first.values()] == [type(v) for v in rt.values()]
    yaml_fast._MEMO.clear()
    long = "x" * (yaml_fast.MEMO_TEXT + 1)
    assert yamlio.to_plain(yamlio.load(f"a: {long}\nb: short\n")) == {"a": long, "b": "short"}
    assert all(len(text) <= yaml_fast.MEMO_TEXT for text, _ in yaml_fast._MEMO)  # long: not kept
    monkeypatch.setattr(yaml_fast, "MEMO_LIMIT", 3)
    yaml_fast._MEMO.clear()
    yamlio.load(text)
    assert len(yaml_fast._MEMO) <= 4


def test_licences_sharing_a_prefix_follow_the_knowledge_base(kb: Knowledge) -> None:
    prefix = "tencent-hunyuan-"
    shared = _sharing(kb, prefix)
    assert shared and all(e.key.startswith(prefix) for e in shared)
    fewer = dataclasses.replace(kb, licenses=tuple(e for e in kb.licenses if e not in shared[1:]))
    assert _sharing(fewer, prefix) == shared[:1]  # another list: not the memo of the first
    assert _sharing(kb, prefix) == shared


def test_cache_folder_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLEARANCE_CACHE_DIR", str(tmp_path / "one"))
    assert cache_dir() == tmp_path / "one"
    monkeypatch.setenv("CLEARANCE_CACHE_DIR", str(tmp_path / "two"))
    assert cache_dir() == tmp_path / "two"
    monkeypatch.delenv("CLEARANCE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "clearance"
