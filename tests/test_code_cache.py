"""The cache of code that ``dataclasses`` generates (checker/code_cache.py): the classes it
gives are the classes ``dataclasses`` gives without it, a warm run compiles nothing, and no file
in the cache folder, damaged or planted, is ever fatal or trusted beyond its checks.

Most tests run a fresh interpreter, since the cache is installed once per process when the
package is imported.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import REPO

from checker import code_cache

# Prints, as JSON: what the cache did, and a fingerprint of every method ``dataclasses``
# generated for the package's classes (their bytecode, constants and names).
PROBE = textwrap.dedent(
    """
    import dataclasses, hashlib, importlib, json, pkgutil, sys
    import checker
    from checker import code_cache
    for info in pkgutil.walk_packages(checker.__path__, "checker."):
        importlib.import_module(info.name)
    def shape(code):
        consts = [shape(c) if hasattr(c, "co_code") else repr(c) for c in code.co_consts]
        return [code.co_code.hex(), consts, list(code.co_names), list(code.co_varnames)]
    prints = {}
    for name, module in sorted(sys.modules.items()):
        if not name.startswith("checker"):
            continue
        for value in list(vars(module).values()):
            if isinstance(value, type) and dataclasses.is_dataclass(value):
                if value.__module__ != name:
                    continue
                for method in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__"):
                    fn = value.__dict__.get(method)
                    if fn is not None and hasattr(fn, "__code__"):
                        key = f"{value.__qualname__}.{method}"
                        text = json.dumps(shape(fn.__code__))
                        prints[key] = hashlib.sha256(text.encode()).hexdigest()
    cache = code_cache._installed
    print(json.dumps({
        "installed": cache is not None,
        "compiled": cache.compiled if cache else None,
        "reused": cache.reused if cache else None,
        "prints": prints,
    }))
    """
)


def _probe(cache: Path, *, no_cache: bool = False) -> dict[str, object]:
    env = {**os.environ, "CLEARANCE_CACHE_DIR": str(cache), "PYTHONPATH": str(REPO)}
    env.pop("CLEARANCE_NO_CODE_CACHE", None)
    if no_cache:
        env["CLEARANCE_NO_CODE_CACHE"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def _cache_file(folder: Path) -> Path:
    (found,) = folder.glob("code-*.marshal")
    return found


def test_cold_then_warm_run_and_the_same_code_as_without_the_cache(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    plain = _probe(folder, no_cache=True)
    assert plain["installed"] is False and not list(folder.glob("code-*"))
    cold = _probe(folder)
    warm = _probe(folder)
    assert cold["installed"] is True
    assert isinstance(cold["compiled"], int) and cold["compiled"] > 100  # every method once
    assert isinstance(cold["reused"], int)  # classes whose methods have the same source text
    assert warm["compiled"] == 0 and warm["reused"] == cold["compiled"] + cold["reused"]
    prints = plain["prints"]
    assert isinstance(prints, dict) and len(prints) > 100
    assert cold["prints"] == prints and warm["prints"] == prints


@pytest.mark.parametrize(
    "damage",
    ["truncated", "flipped", "foreign-version", "not-marshal", "group-writable", "symlink", "dir"],
)
def test_a_damaged_or_untrusted_cache_file_is_ignored(tmp_path: Path, damage: str) -> None:
    folder = tmp_path / "cache"
    cold = _probe(folder)
    path = _cache_file(folder)
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "flipped":
        path.write_bytes(data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:])
    elif damage == "foreign-version":
        path.write_bytes(data.replace(b"cpython-", b"pypy-", 1))
    elif damage == "not-marshal":
        head = data[: data.index(b"\n", len(b"clearance-code-cache 1\n")) + 1]
        body = b"\x00not marshal"
        import zlib

        path.write_bytes(head + zlib.crc32(body).to_bytes(4, "big") + body)
    elif damage == "group-writable":
        path.chmod(0o664)
    elif damage == "symlink":
        elsewhere = tmp_path / "planted.marshal"
        path.rename(elsewhere)
        path.symlink_to(elsewhere)
    else:
        path.unlink()
        path.mkdir()
    again = _probe(folder)
    assert again["compiled"] == cold["compiled"]  # nothing taken from the file
    assert again["prints"] == cold["prints"]


def test_an_unwritable_cache_folder_is_not_fatal(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    first = _probe(blocker / "cache")
    assert first["installed"] is True and first["compiled"]


def test_help_does_not_import_dataclasses(tmp_path: Path) -> None:
    code = (
        "import sys\nsys.argv = ['clearance', '--help']\nfrom checker.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('dataclasses' in sys.modules, file=sys.stderr)\n"
    )
    env = {**os.environ, "CLEARANCE_CACHE_DIR": str(tmp_path), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=REPO
    )
    assert done.stderr.strip().splitlines()[-1] == "False"


def test_a_class_made_through_the_cache_behaves_as_a_dataclass(tmp_path: Path) -> None:
    cache = code_cache.CodeCache(lambda: str(tmp_path / "c.marshal"))
    namespace: dict[str, object] = {}
    source = "def f(a, b=2):\n    return a + b\n"
    cache.exec(source, namespace)
    cache.exec(source, namespace)
    assert cache.compiled == 1 and cache.reused == 1
    assert cache.save() and code_cache._read(str(tmp_path / "c.marshal")).keys() == {source}

    @dataclasses.dataclass(frozen=True, slots=True)
    class Point:
        x: int
        y: tuple[int, ...] = dataclasses.field(default_factory=tuple)

    assert Point(1) == Point(1, ()) and hash(Point(1)) == hash(Point(1, ()))
    assert (
        repr(Point(1, (2,)))
        == "test_a_class_made_through_the_cache_behaves_as_a_dataclass.<locals>.Point(x=1, y=(2,))"
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        Point(1).x = 2  # type: ignore[misc]


def test_a_full_cache_keeps_this_runs_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.marshal"
    monkeypatch.setattr(code_cache, "MAX_ENTRIES", 3)
    old = code_cache.CodeCache(lambda: str(path))
    for n in range(3):
        old.exec(f"x = {n}\n", {})
    assert old.save()
    new = code_cache.CodeCache(lambda: str(path))
    new.exec("x = 1\n", {})
    new.exec("y = 9\n", {})
    assert new.save()
    kept = code_cache._read(str(path))
    assert len(kept) == 3 and {"x = 1\n", "y = 9\n"} <= kept.keys()


def test_exec_of_code_objects_and_other_values_is_passed_through(tmp_path: Path) -> None:
    cache = code_cache.CodeCache(lambda: None)
    namespace: dict[str, object] = {}
    cache.exec(compile("z = 5", "<test>", "exec"), namespace)
    assert namespace["z"] == 5 and cache.compiled == 0
    assert not cache.save()  # nothing new, and no file to write to
