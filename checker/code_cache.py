"""Keep the code ``dataclasses`` generates between runs, so start-up does not compile it again.

On Python 3.11 the ``@dataclass`` decorator writes the source of each method it adds
(``__init__``, ``__repr__``, ``__eq__``, ``__hash__``, the frozen ``__setattr__`` and
``__delattr__``) and compiles it with ``exec``: about six compilations per class, and a check
run creates some eighty classes, so compiling generated source is the largest single cost of
``clearance check`` after the interpreter itself (measured in benchmarks/bench_start.py).

``install()`` gives the ``dataclasses`` module its own ``exec`` (a module global shadows the
builtin): a source text seen before runs from the code object compiled for it then, a new one
is compiled exactly as ``exec`` would (``dont_inherit=True``: ``dataclasses`` has no
``__future__`` imports) and remembered. A code object is a pure function of its source text,
so the classes are the same; only the compilation is skipped. What is new is written at exit.

The cache is one file in the user's cache folder (the knowledge cache's folder), named for the
interpreter's version (marshal's format and the bytecode change between versions). It holds
bytecode, as ``__pycache__`` does, so it is trusted only as ``__pycache__`` is: a file that is
not a regular file owned by this user, or that others may write, or whose checksum, version tag
or content does not match, is ignored (the run compiles as usual). Nothing here raises.
"""

from __future__ import annotations

import builtins
import marshal
import os
import sys
import zlib
from collections.abc import Callable
from types import CodeType, ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec

_MAGIC = b"clearance-code-cache 1\n"
MAX_ENTRIES = 4096  # generated methods kept; far above the few hundred a run creates
MAX_SOURCE = 16_384  # characters: a generated method larger than this is not kept
MAX_FILE = 8 << 20  # bytes read back at most


class CodeCache:
    """Code objects by source text, read lazily from the file ``locate()`` names (located on
    first use, so a command that creates no dataclass pays nothing) and written back when a run
    compiled something new."""

    def __init__(self, locate: Callable[[], str | None]) -> None:
        self._locate = locate
        self.path: str | None = None
        self._codes: dict[str, CodeType] | None = None
        self._used: set[str] = set()
        self.compiled = 0  # sources compiled in this process (tests read these)
        self.reused = 0

    def codes(self) -> dict[str, CodeType]:
        if self._codes is None:
            self.path = self._locate()
            self._codes = _read(self.path) if self.path else {}
        return self._codes

    def code_for(self, source: str) -> CodeType:
        codes = self.codes()
        code = codes.get(source)
        if code is not None:
            self.reused += 1
        else:
            code = compile(source, "<string>", "exec", dont_inherit=True)
            self.compiled += 1
            if len(source) > MAX_SOURCE:
                return code
            codes[source] = code
        self._used.add(source)
        return code

    def exec(self, source: Any, globals: Any = None, locals: Any = None) -> None:
        """``exec`` for the ``dataclasses`` module."""
        if type(source) is str:
            source = self.code_for(source)
        builtins.exec(source, globals, locals)

    def save(self) -> bool:
        """Write the cache when this run compiled something new; False when not written."""
        if not self.compiled or self._codes is None or not self.path:
            return False
        codes = self._codes
        if len(codes) > MAX_ENTRIES:  # this run's entries first, then older ones while room
            kept = {s: codes[s] for s in self._used}
            for source, code in codes.items():
                if len(kept) >= MAX_ENTRIES:
                    break
                kept.setdefault(source, code)
            codes = kept
        return _write(self.path, codes)


def _tag() -> str:
    return f"{sys.implementation.cache_tag}-{sys.hexversion:x}"


def cache_path() -> str | None:
    """The cache file for this interpreter, or None when no cache folder can be named."""
    from checker.knowledge_cache import cache_dir

    folder = cache_dir()
    return None if folder is None else os.path.join(folder, f"code-{_tag()}.marshal")


def _trusted(fd: int, limit: int) -> bool:
    import stat

    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
        return False
    others_may_write = info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    return not (hasattr(os, "getuid") and (info.st_uid != os.getuid() or others_may_write))


def read_trusted(path: str, limit: int) -> bytes | None:
    """The bytes of ``path`` when it is a regular file (not a symbolic link) of at most
    ``limit`` bytes, owned by this user and writable by no one else; else None. For files whose
    contents are loaded with ``marshal``, which trusts its input as ``__pycache__`` does."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        if not _trusted(fd, limit):
            return None
        with os.fdopen(fd, "rb", closefd=False) as stream:
            return stream.read(limit + 1)
    except OSError:
        return None
    finally:
        os.close(fd)


def _read(path: str) -> dict[str, CodeType]:
    raw = read_trusted(path, MAX_FILE)
    if raw is None:
        return {}
    head = _MAGIC + _tag().encode() + b"\n"
    if not raw.startswith(head) or len(raw) < len(head) + 4:
        return {}
    checksum, body = raw[len(head) : len(head) + 4], raw[len(head) + 4 :]
    if int.from_bytes(checksum, "big") != zlib.crc32(body):
        return {}
    try:
        loaded = marshal.loads(body)
    except (EOFError, ValueError, TypeError):
        return {}
    if type(loaded) is not dict or not all(
        type(k) is str and type(v) is CodeType for k, v in loaded.items()
    ):
        return {}
    return loaded


def _write(path: str, codes: dict[str, CodeType]) -> bool:
    import contextlib
    import tempfile

    try:
        body = marshal.dumps(codes)
        data = _MAGIC + _tag().encode() + b"\n" + zlib.crc32(body).to_bytes(4, "big") + body
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".code-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except (OSError, ValueError):
        return False
    return True


_installed: CodeCache | None = None


def install(path: str | None = None, module: ModuleType | None = None) -> CodeCache | None:
    """Route the compilations of ``dataclasses`` (``module``, by default imported here) through
    a cache kept in ``path`` (by default the user's cache folder); once per process. None when
    ``CLEARANCE_NO_CODE_CACHE`` is set or the module already has an ``exec`` of its own (another
    Python): nothing is changed then."""
    global _installed
    if _installed is not None:
        return _installed
    if module is None:
        import dataclasses

        module = dataclasses
    if os.environ.get("CLEARANCE_NO_CODE_CACHE") or "exec" in vars(module):
        return None
    import atexit

    cache = CodeCache(cache_path if path is None else lambda: path)
    setattr(module, "exec", cache.exec)  # a module global shadows the builtin  # noqa: B010
    atexit.register(cache.save)
    _installed = cache
    return cache


class _Loader:
    """The loader of ``dataclasses``, which installs the cache once the module has run."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        created: ModuleType | None = self._inner.create_module(spec)
        return created

    def exec_module(self, module: ModuleType) -> None:
        self._inner.exec_module(module)
        install(module=module)

    def __getattr__(self, name: str) -> Any:  # get_source, get_code, ... for inspect and pdb
        return getattr(self._inner, name)


class _InstallOnImport:
    """A meta-path finder for ``dataclasses`` alone: it hands the import system the module's
    usual spec with a loader that installs the cache right after the module runs, then removes
    itself. So a command that never creates a dataclass (``clearance --help``) need not import
    ``dataclasses`` at all, and every class the package defines is created with the cache."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if name != "dataclasses":
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)  # type: ignore[assignment]
        return spec


def install_when_imported() -> None:
    """``install()`` now if ``dataclasses`` is loaded, else on its first import."""
    if "dataclasses" in sys.modules:
        install(module=sys.modules["dataclasses"])
    elif not any(isinstance(f, _InstallOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _InstallOnImport())
