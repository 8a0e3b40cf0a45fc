"""The compiled knowledge cache: equal to a fresh parse, never stale, never fatal.

Every test points ``CLEARANCE_CACHE_DIR`` at its own temporary folder, and the ones that edit
rules/ edit a temporary copy of it.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from checker import knowledge_compile
from checker.errors import KnowledgeError
from checker.knowledge import Knowledge, load_knowledge, load_knowledge_from
from checker.knowledge_cache import KEEP, cache_dir, read_compiled, write_compiled
from checker.knowledge_compile import compile_rules
from checker.knowledge_files import read_rules
from checker.resources import data_dir

LICENCE = "licenses/mit.yaml"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CLEARANCE_CACHE_DIR", str(folder))
    return folder


KEPT_LICENCES = {"mit.yaml", "apache-2.0.yaml", "llama3.1.yaml", "FORMAT.md"}
KEPT_DOCUMENTS = {"llama3.1-aup.yaml"}


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    """A copy of the shipped rules/ folder that a test may edit, with three of its licences and
    one document (so that the many compilations here stay quick)."""
    copy = tmp_path / "rules"
    shutil.copytree(REPO / "rules", copy)
    for folder, kept in (("licenses", KEPT_LICENCES), ("documents", KEPT_DOCUMENTS)):
        for path in (copy / folder).iterdir():
            if path.name not in kept:
                path.unlink()
    return copy


def _no_compiling(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("the knowledge base was compiled, not read from the cache")

    monkeypatch.setattr(knowledge_compile, "compile_rules", refuse)


def _cached_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("knowledge-*.marshal"))


def test_shipped_rules_validate_against_their_schemas() -> None:
    # user runs with a warm cache validate nothing; the tests validate the shipped rules
    compiled = compile_rules(read_rules(data_dir("rules")))
    assert len(compiled["licenses"]) == len(list((REPO / "rules" / "licenses").glob("*.yaml")))


def test_compiled_knowledge_equals_a_fresh_parse(cache: Path, rules: Path) -> None:
    fresh = load_knowledge_from(rules, use_cache=False)
    assert _cached_files(cache) == []
    first = load_knowledge_from(rules)  # compiles and stores
    (stored,) = _cached_files(cache)
    second = load_knowledge_from(rules)  # reads the stored file
    assert fresh == first == second
    assert second.licenses == fresh.licenses and second.documents == fresh.documents
    assert dict(second.developers) == dict(fresh.developers)
    assert dict(second.groups) == dict(fresh.groups)
    assert second.license("LLAMA3.1") == fresh.license("llama3.1")
    assert stored.stat().st_size > 0


def test_a_warm_cache_is_read_not_compiled(
    cache: Path, rules: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = load_knowledge_from(rules)
    _no_compiling(monkeypatch)
    assert load_knowledge_from(rules) == expected


def test_the_shipped_knowledge_is_the_same_through_the_cache(cache: Path) -> None:
    assert load_knowledge_from(data_dir("rules")) == load_knowledge()
    assert load_knowledge_from(data_dir("rules")) == load_knowledge()  # now from the cache


def test_digest_is_the_reports_digest_of_the_files() -> None:
    # the digest printed in reports: licences, documents, developers, jurisdictions, families,
    # the base-model catalogue, in order
    root = REPO / "rules"
    digest = hashlib.sha256()
    for folder in ("licenses", "documents"):
        for path in sorted((root / folder).glob("*.yaml"), key=lambda p: p.name):
            digest.update(path.read_bytes())
    for name in ("developers.yaml", "jurisdictions.yaml", "families.yaml", "base-models.yaml"):
        digest.update((root / name).read_bytes())
    assert load_knowledge().digest == digest.hexdigest()


def _edit_keeping_size_and_times(path: Path, old: str, new: str) -> None:
    assert len(old) == len(new)
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size


def test_an_edited_licence_is_seen_even_with_the_same_size_and_mtime(
    cache: Path, rules: Path
) -> None:
    before = load_knowledge_from(rules)
    mit = before.license("mit")
    assert mit is not None and mit.name == "MIT License"
    _edit_keeping_size_and_times(rules / LICENCE, "name: MIT License", "name: XYZ License")
    after = load_knowledge_from(rules)
    edited = after.license("mit")
    assert edited is not None and edited.name == "XYZ License"
    assert after.digest != before.digest
    assert after == load_knowledge_from(rules, use_cache=False)
    assert len(_cached_files(cache)) == 2


def test_an_edited_schema_is_seen(cache: Path, rules: Path) -> None:
    load_knowledge_from(rules)
    schema = rules / "schema" / "license.schema.json"
    text = schema.read_text(encoding="utf-8")
    schema.write_text(text.replace('"minLength": 3', '"minLength": 300', 1), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="is too short"):
        load_knowledge_from(rules)


def test_an_invalid_edit_is_rejected_not_served_from_the_cache(cache: Path, rules: Path) -> None:
    load_knowledge_from(rules)
    path = rules / LICENCE
    path.write_text(path.read_text(encoding="utf-8") + "\nnot_a_field: 1\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"rules/licenses/mit\.yaml: \(top\): Additional"):
        load_knowledge_from(rules)


def test_a_licence_added_or_removed_is_seen(cache: Path, rules: Path) -> None:
    assert len(load_knowledge_from(rules).licenses) == 3
    (rules / LICENCE).unlink()
    assert [e.key for e in load_knowledge_from(rules).licenses] == ["apache-2.0", "llama3.1"]
    shutil.copy(REPO / "rules" / "licenses" / "gemma.yaml", rules / "licenses")
    assert load_knowledge_from(rules).license("gemma") is not None


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"not json at all",
        b'{"format": 1}\n{}',
        b"\xff\xfe\x00garbage\n\x00",
        "truncate",
        "flip",
        "wrong-structure",
        "group-writable",
        "symlink",
        "other-python",
    ],
)
def test_a_corrupt_cache_file_is_rebuilt(cache: Path, rules: Path, damage: bytes | str) -> None:
    expected = load_knowledge_from(rules, use_cache=False)
    load_knowledge_from(rules)
    (stored,) = _cached_files(cache)
    good = stored.read_bytes()
    if damage == "truncate":
        stored.write_bytes(good[: len(good) // 2])
    elif damage == "flip":  # one byte changed inside the body: the checksum catches it
        at = good.index(b"MIT License")
        stored.write_bytes(good[:at] + b"X" + good[at + 1 :])
    elif damage == "wrong-structure":  # a well-formed file whose body does not build
        body = marshal.dumps({"licenses": 42})
        header = good.partition(b"\n")[0].decode()
        old_sha = header.split('"sha256":"')[1].split('"')[0]
        header = header.replace(old_sha, hashlib.sha256(body).hexdigest())
        stored.write_bytes(header.encode() + b"\n" + body)
    elif damage == "group-writable":  # marshal trusts its input: so must the file be
        stored.chmod(0o664)
    elif damage == "symlink":
        planted = stored.with_name("planted")
        stored.rename(planted)
        stored.symlink_to(planted)
    elif damage == "other-python":  # marshal's format follows the interpreter's version
        stored.write_bytes(good.replace(b'"python":"cpython-', b'"python":"pypy-', 1))
    else:
        assert isinstance(damage, bytes)
        stored.write_bytes(damage)
    assert load_knowledge_from(rules) == expected
    assert stored.read_bytes() == good  # rewritten
    assert not stored.is_symlink() and stored.stat().st_mode & 0o077 == 0


def test_an_unwritable_cache_folder_is_not_fatal(
    tmp_path: Path, rules: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CLEARANCE_CACHE_DIR", str(blocker / "cache"))
    expected = load_knowledge_from(rules, use_cache=False)
    assert load_knowledge_from(rules) == expected
    assert load_knowledge_from(rules) == expected


def test_a_cache_path_that_is_a_folder_is_not_fatal(cache: Path, rules: Path) -> None:
    expected = load_knowledge_from(rules)
    (stored,) = _cached_files(cache)
    stored.unlink()
    stored.mkdir()
    assert load_knowledge_from(rules) == expected


def test_a_foreign_key_is_never_served(cache: Path) -> None:
    assert write_compiled("a" * 64, {"anything": [1, 2]})
    assert read_compiled("a" * 64) == {"anything": [1, 2]}
    (stored,) = _cached_files(cache)
    stored.rename(stored.with_name(f"knowledge-{'b' * 64}.marshal"))
    assert read_compiled("b" * 64) is None  # the header names the key it was written for


def test_data_that_json_would_change_is_not_stored(cache: Path) -> None:
    import datetime as dt

    for data in ({1: "int key"}, {"d": dt.date(2026, 1, 1)}, ("tuple",), float("nan")):
        assert not write_compiled("c" * 64, data)
    assert _cached_files(cache) == []


def test_old_compiled_files_are_pruned(cache: Path) -> None:
    for n in range(KEEP + 3):
        assert write_compiled(f"{n:064x}", [n])
    assert len(_cached_files(cache)) == KEEP
    assert read_compiled(f"{KEEP + 2:064x}") == [KEEP + 2]


def test_cache_folder_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLEARANCE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "clearance"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "clearance"
    monkeypatch.setenv("CLEARANCE_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"


def _imports_after_loading(cache: Path) -> set[str]:
    code = (
        "import sys\n"
        "from checker.knowledge import load_knowledge\n"
        "kb = load_knowledge()\n"
        "print(len(kb.licenses), ' '.join(sorted(sys.modules)))\n"
    )
    env = {**os.environ, "CLEARANCE_CACHE_DIR": str(cache), "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert int(out[0]) > 100
    return {m.split(".")[0] for m in out[1:]}


def test_a_warm_run_neither_parses_yaml_nor_validates(cache: Path) -> None:
    cold = _imports_after_loading(cache)
    assert {"ruamel", "jsonschema"} <= cold  # compiled (and validated) on the first run
    warm = _imports_after_loading(cache)
    assert not warm & {"ruamel", "jsonschema", "referencing", "orjson"}


def test_knowledge_type_is_unchanged(kb: Knowledge) -> None:
    # the dataclasses other modules use keep their fields (loading is all that changed)
    import dataclasses

    assert [f.name for f in dataclasses.fields(Knowledge)] == [
        "version",
        "digest",
        "licenses",
        "developers",
        "groups",
        "_license_index",
        "documents",
        "families",
        "base_models",
    ]
