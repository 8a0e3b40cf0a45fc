"""Read a policy file and its ``extends`` chain: bytes (size-limited), UTF-8, YAML with lines.

Every problem is collected as a PolicyIssue (``file:line:column``); a file that cannot be read
or parsed is left out of the chain, and the others are still read, so that all errors come out in
one pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from checker import yaml_cache, yamlio
from checker.errors import PolicyIssue
from checker.paths import display_path
from checker.resources import rules_file

MAX_POLICY_BYTES = 1024 * 1024
MAX_POLICY_LINES = 10_000  # YAML parsing costs about 0.3 ms a line
MAX_EXTENDS_DEPTH = 16
MAX_POLICY_FILES = 64  # files in one extends tree, however wide
BUILTIN_PREFIX = "builtin:"


class PolicyFile(NamedTuple):
    """One file of an extends chain: its name, raw bytes and parsed nodes."""

    name: str
    data: bytes
    node: Any
    plain: dict[str, Any]


def builtin_names() -> list[str]:
    """Names of the built-in policies (``builtin:<name>``)."""
    folder = rules_file("policies")
    return sorted(n.name[:-5] for n in folder.iterdir() if n.name.endswith(".yaml"))


def _read(ref: str, base: Path) -> tuple[str, bytes, Path | None]:
    if ref.startswith(BUILTIN_PREFIX):
        name = ref[len(BUILTIN_PREFIX) :]
        node = rules_file("policies", f"{name}.yaml")
        if not re.fullmatch(r"[a-z0-9-]+", name) or not node.is_file():
            known = ", ".join(f"builtin:{n}" for n in builtin_names())
            raise FileNotFoundError(f"no built-in policy {ref!r} (known: {known})")
        return ref, node.read_bytes(), None
    path = (base / ref) if not Path(ref).is_absolute() else Path(ref)
    if not path.is_file():
        if path.exists():
            raise ValueError("not a regular file")
        raise FileNotFoundError(2, "No such file")
    with open(path, "rb") as handle:
        data = handle.read(MAX_POLICY_BYTES + 1)
    if len(data) > MAX_POLICY_BYTES:
        raise ValueError(f"larger than {MAX_POLICY_BYTES:,} bytes")
    return display_path(path), data, path.resolve()


class _Extends(NamedTuple):
    """Where an ``extends`` entry names the file being read (for error positions)."""

    file: str
    line: int
    column: int
    key_path: str
    written: str


def read_chain(
    ref: str,
    base: Path,
    seen: list[str],
    issues: list[PolicyIssue],
    origin: _Extends | None = None,
    read: list[str] | None = None,
) -> Iterator[PolicyFile]:
    """The files of the chain, parents first (each ``extends`` entry in order), then ``ref``;
    ``read`` collects every file of the tree (at most ``MAX_POLICY_FILES``)."""
    read = [] if read is None else read

    def report(message: str) -> None:
        if origin is None:
            issues.append(PolicyIssue(ref, 1, 1, "", message))
        else:
            issues.append(
                PolicyIssue(origin.file, origin.line, origin.column, origin.key_path, message)
            )

    shown = origin.written if origin else ref
    try:
        name, data, resolved = _read(ref, base)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        if isinstance(exc, FileNotFoundError) and not ref.startswith(BUILTIN_PREFIX):
            reason = "no such file"
        report(f"cannot read {shown}: {reason}")
        return
    key = str(resolved) if resolved else name
    if key in seen:
        report(f"{shown} is already being extended (a cycle)")
        return
    if len(seen) >= MAX_EXTENDS_DEPTH:
        report(f"extends chain is deeper than {MAX_EXTENDS_DEPTH} files")
        return
    if len(read) >= MAX_POLICY_FILES:
        if len(read) == MAX_POLICY_FILES:  # said once, at the first file over the bound
            report(f"extends names more than {MAX_POLICY_FILES} files in all; the rest not read")
            read.append(key)
        return
    read.append(key)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        issues.append(PolicyIssue(name, line, 1, "", f"not valid UTF-8 (byte {exc.start})"))
        return
    lines = text.count("\n") + 1
    if lines > MAX_POLICY_LINES:
        message = f"the file is {lines:,} lines long, over the {MAX_POLICY_LINES:,} read"
        issues.append(PolicyIssue(name, MAX_POLICY_LINES + 1, 1, "", message))
        return
    try:
        node = yaml_cache.load(data, text)
    except yamlio.YamlProblem as exc:
        issues.append(PolicyIssue(name, exc.line, exc.column, "", exc.message))
        return
    if not isinstance(node, dict):
        issues.append(PolicyIssue(name, 1, 1, "", "a policy is a YAML mapping (version: 1, ...)"))
        return
    plain = yamlio.to_plain(node)
    extends = node.get("extends")
    if isinstance(extends, list):
        folder = resolved.parent if resolved else Path.cwd()
        for index, parent in enumerate(extends):
            if not isinstance(parent, str):
                continue
            line, col = yamlio.item_position(extends, index) or (0, 0)
            parent_ref = parent if parent.startswith(BUILTIN_PREFIX) else str(folder / parent)
            where = _Extends(name, line + 1, col + 1, f"extends[{index}]", parent)
            yield from read_chain(parent_ref, folder, [*seen, key], issues, where, read)
    yield PolicyFile(name, data, node, plain)


def position(root: Any, path: list[Any]) -> tuple[int, int]:
    """1-based (line, column) of a key path in a parsed file: the deepest part that exists."""
    node, pos = root, (0, 0)
    for part in path:
        if isinstance(node, dict) and part in node:
            pos = yamlio.key_position(node, part) or pos
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            pos = yamlio.item_position(node, part) or pos
            node = node[part]
        else:
            break
    return pos[0] + 1, pos[1] + 1


def key_path(path: list[Any]) -> str:
    """A key path as errors show it: ``waivers[0].rule``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def mappings(value: Any) -> list[tuple[int, dict[str, Any]]]:
    """The mapping items of a list, with their indexes (nothing when it is not a list)."""
    return (
        [(i, v) for i, v in enumerate(value) if isinstance(v, dict)]
        if isinstance(value, list)
        else []
    )
