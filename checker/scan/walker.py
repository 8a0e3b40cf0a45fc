"""Walk the trees a scan was given and read the files a scanner reads: the only I/O of a scan
besides the manifest.

Skipped: ``.git`` and other VCS folders, virtual environments (a folder with ``pyvenv.cfg`` or
``conda-meta/``, ``.venv``, ``venv``, ``site-packages``), ``node_modules``, tool caches, and every
path the tree's ``.gitignore`` files ignore, read with ``pathspec``'s git semantics (nested
files, negation, a folder's own rules winning over its parents', the ``.gitignore`` files from the
enclosing repository's root down). Only the committed ``.gitignore`` files count, never a user's
global excludes or ``.git/info/exclude``, so a scan gives the same answer on every machine and in
CI, inside a repository or not, and without running git. Symbolic links are not followed: one
pointing out of the tree is a note, one that loops is a note, one inside the tree is read where
it points. Files over the size limit and binary files are notes; every note names the file.
"""

from __future__ import annotations

import errno
import os
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.paths import display_path, printable
from checker.scan.model import Note


def _names(text: str) -> frozenset[str]:
    """A set of names written as one string of words."""
    return frozenset(text.split())


MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_NOTEBOOK_BYTES = 32 * 1024 * 1024  # notebooks carry their outputs (images) too
SKIP_DIRS = _names(
    ".git .hg .svn .bzr node_modules __pycache__ .venv venv .tox .nox .eggs site-packages "
    ".mypy_cache .ruff_cache .pytest_cache .ipynb_checkpoints"
)
CONFIG_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml"}


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file to scan: where it is, how it is shown, its kind and sub-format, and its text."""

    path: str
    display: str
    kind: str
    form: str  # the reader within the kind: yaml | json | toml for configs, else the kind
    text: str


_BY_SUFFIX = {
    "py": ("python", "python"),
    "ipynb": ("notebook", "notebook"),
    "yaml": ("config", "yaml"),
    "yml": ("config", "yaml"),
    "json": ("config", "json"),
    "toml": ("config", "toml"),
    "sh": ("shell", "shell"),
    "bash": ("shell", "shell"),
    "zsh": ("shell", "shell"),
    "dockerfile": ("dockerfile", "dockerfile"),
    "containerfile": ("dockerfile", "dockerfile"),
    "modelfile": ("modelfile", "modelfile"),
    "env": ("env", "env"),
}
_BY_PREFIX = {
    "dockerfile": ("dockerfile", "dockerfile"),
    "containerfile": ("dockerfile", "dockerfile"),
    "modelfile": ("modelfile", "modelfile"),
    "": ("env", "env"),  # .env, .env.local
}


def kind_of(name: str) -> tuple[str, str] | None:
    """(kind, form) of a file from its name, or None when no scanner reads it: ``*.py``,
    ``*.ipynb``, ``*.yaml``/``*.yml``/``*.json``/``*.toml``, ``*.sh``/``*.bash``/``*.zsh``,
    ``Dockerfile``/``Dockerfile.*``/``*.dockerfile`` (and Containerfile), ``Modelfile``,
    ``Modelfile.*``, ``*.modelfile``, ``.env``, ``.env.*``, ``*.env``."""
    lowered = name.lower()
    head, dot, suffix = lowered.partition(".")
    if not dot:
        return _BY_PREFIX.get(lowered) if lowered else None
    found = _BY_SUFFIX.get(lowered.rpartition(".")[2])
    if found is not None and head:
        return found
    if head in _BY_PREFIX:  # Dockerfile.dev, Modelfile.q4, .env and .env.example
        return _BY_PREFIX[head] if head or suffix == "env" or suffix.startswith("env.") else None
    return None


class _Ignores:
    """The ``.gitignore`` files in force: (folder, spec), the deepest last."""

    def __init__(self, specs: list[tuple[str, Any]]) -> None:
        self.specs = specs

    def with_folder(self, folder: str, notes: list[Note], shown: str) -> _Ignores:
        spec = _load(os.path.join(folder, ".gitignore"), notes, shown)
        return self if spec is None else _Ignores([*self.specs, (folder, spec)])

    def ignored(self, path: str, is_dir: bool) -> bool:
        for base, spec in reversed(self.specs):
            rel = os.path.relpath(path, base).replace(os.sep, "/")
            result = spec.check_file(rel + "/" if is_dir else rel)
            if result.include is not None:
                return bool(result.include)
        return False


def _load(path: str, notes: list[Note], shown: str) -> Any:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES)
    except FileNotFoundError:
        return None
    except OSError as exc:
        notes.append(Note(shown, None, f"cannot read .gitignore ({exc.strerror or exc})"))
        return None
    import pathspec

    lines = data.decode("utf-8", "replace").splitlines()
    return pathspec.GitIgnoreSpec.from_lines(lines)


def _repo_ignores(root: str, notes: list[Note]) -> _Ignores:
    """The ``.gitignore`` files of the folders above ``root`` up to the repository's root."""
    chain: list[str] = []
    folder = os.path.dirname(root)
    here = root
    while not os.path.exists(os.path.join(here, ".git")) and folder != here:
        chain.append(folder)
        here, folder = folder, os.path.dirname(folder)
    if not os.path.exists(os.path.join(here, ".git")):
        return _Ignores([])  # not in a repository: only the tree's own files count
    ignores = _Ignores([])
    for above in reversed(chain):
        ignores = ignores.with_folder(above, notes, display_path(above))
    return ignores


def walk(roots: list[str], notes: list[Note]) -> Iterator[SourceFile]:
    """Every file of the roots that a scanner reads, once each, in sorted order."""
    seen: set[str] = set()
    for root in roots:
        real_root = os.path.realpath(root)
        shown_root = display_path(root)
        if os.path.isfile(real_root):
            yield from _file(real_root, shown_root, seen, notes, explicit=True)
            continue
        ignores = _repo_ignores(real_root, notes)
        yield from _tree(real_root, shown_root, ignores, seen, notes)


def _join(shown: str, name: str) -> str:
    return printable(name) if shown == "." else f"{shown}/{printable(name)}"


def _tree(
    root: str, shown_root: str, ignores: _Ignores, seen: set[str], notes: list[Note]
) -> Iterator[SourceFile]:
    stack: list[tuple[str, str, _Ignores]] = [(root, shown_root, ignores)]
    while stack:
        folder, shown, rules = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            notes.append(Note(shown, None, f"cannot list folder ({exc.strerror or exc})"))
            continue
        names = {e.name for e in entries}
        if folder != root and ("pyvenv.cfg" in names or "conda-meta" in names):
            continue  # a virtual environment
        rules = rules.with_folder(folder, notes, _join(shown, ".gitignore"))
        folders: list[tuple[str, str, _Ignores]] = []
        for entry in entries:
            if entry.is_symlink():
                _symlink(entry.path, _join(shown, entry.name), root, notes)
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if entry.name not in SKIP_DIRS and not rules.ignored(entry.path, True):
                    folders.append((entry.path, _join(shown, entry.name), rules))
            elif kind_of(entry.name) is not None and not rules.ignored(entry.path, False):
                yield from _file(entry.path, _join(shown, entry.name), seen, notes, explicit=False)
        stack.extend(reversed(folders))


def _symlink(path: str, shown: str, root: str, notes: list[Note]) -> None:
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            notes.append(Note(shown, None, "symbolic link loop; not followed"))
        else:
            notes.append(Note(shown, None, "symbolic link to nothing; skipped"))
        return
    target = os.path.realpath(path)
    if os.path.commonpath([target, root]) != root:
        notes.append(Note(shown, None, "symbolic link out of the tree; not followed"))
    # a link inside the tree: its target is scanned where it is


def _file(
    path: str, shown: str, seen: set[str], notes: list[Note], *, explicit: bool
) -> Iterator[SourceFile]:
    kind = kind_of(os.path.basename(path))
    if kind is None:
        if explicit:
            notes.append(Note(shown, None, "not a kind of file clearance scan reads; skipped"))
        return
    real = os.path.realpath(path) if explicit else path
    if real in seen:
        return
    seen.add(real)
    limit = MAX_NOTEBOOK_BYTES if kind[0] == "notebook" else MAX_FILE_BYTES
    try:
        size = os.stat(path).st_size
        if size > limit:
            notes.append(Note(shown, None, f"{_mb(size)}, over the {_mb(limit)} limit; skipped"))
            return
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        notes.append(Note(shown, None, f"cannot read ({exc.strerror or exc}); skipped"))
        return
    if b"\0" in data[:8192]:
        notes.append(Note(shown, None, "binary file; skipped"))
        return
    text = _decode(data, kind[0])
    if isinstance(text, Note):
        notes.append(Note(shown, None, text.message))
        return
    yield SourceFile(path, shown, kind[0], kind[1], text)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


def _decode(data: bytes, kind: str) -> str | Note:
    encoding = "utf-8-sig"
    if kind == "python":  # PEP 263: a coding cookie names the encoding
        lines = iter(data.splitlines(True)[:2])
        try:
            encoding, _ = tokenize.detect_encoding(lambda: next(lines, b""))
        except (SyntaxError, LookupError):
            encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        return Note("", None, f"not valid {exc.encoding.upper()} (byte {exc.start}); skipped")
    except LookupError:
        return Note("", None, f"unknown encoding {encoding!r}; skipped")


def exists_near(value: str, folder: Path, roots: list[Path], cache: dict[Path, bool]) -> bool:
    """Whether ``value`` names an existing path beside the file or under a scanned root (the
    owner's folder is looked up once per base: most ids have none)."""
    owner = value.split("/", 1)[0]
    for base in (folder, *roots):
        first = base / owner
        if first not in cache:
            cache[first] = first.is_dir()
        if cache[first] and (base / value).exists():
            return True
    return False
