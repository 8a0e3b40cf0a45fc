"""Python sources, read with ``ast`` (never executed): the calls of calls.py, model-named
constants, ``argparse`` defaults, dataclass ``field(default=...)`` and ``{"model": ...}`` dicts.

String constants are resolved within the module: ``MODEL = "org/name"`` then
``from_pretrained(MODEL)`` (also ``revision=REV``, ``os.environ.get("X", "org/name")``,
``args.model or "org/name"``). A model-named constant (``EMBEDDING_MODEL = "org/name"``) that no
call uses is a reference where it is assigned. Comments and docstrings are never read.
"""

from __future__ import annotations

import ast
import bisect
import re
from collections import defaultdict
from collections.abc import Callable, Iterable

from checker.scan.calls import CALLS, TRIGGERS, ArgSpec
from checker.scan.hubid import HubRef, is_model_key, parse_candidate
from checker.scan.model import FileScan, Found

LineMap = Callable[[int], int]
Constants = dict[str, list[tuple[str, int]]]  # name -> (string value, line assigned)


# a string literal that could be a reference: an id, a Hub URL, a prefixed id
_CANDIDATE = re.compile(
    r"""["'](?:[A-Za-z0-9_][\w.-]*/[\w.-]+|(?:hf_hub:|hf-hub:|hf://|https?://|hf\.co/"""
    r"""|huggingface\.co/)[^"'\s]*)["']"""
)


def worth_parsing(text: str) -> bool:
    """False when the module cannot hold a reference: no string literal shaped like an id or a
    Hub URL (every reference is one), or none of the names that lead to one."""
    if not _CANDIDATE.search(text):
        return False
    return any(t in text for t in TRIGGERS) or "MODEL" in text or "Model" in text


def scan_python(text: str) -> FileScan:
    """References in one Python module; a syntax error falls back to the tokenizer."""
    if not worth_parsing(text):
        return FileScan()
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        from checker.scan.pytokens import scan_tokens

        line = getattr(exc, "lineno", None)
        found = scan_tokens(text)
        return FileScan(tuple(found), ((line, _syntax_note(exc)),))
    return FileScan(tuple(scan_trees([(tree, _same, _lines_of_interest(text))])))


def _same(line: int) -> int:
    return line


def _syntax_note(exc: BaseException) -> str:
    what = getattr(exc, "msg", None) or type(exc).__name__
    return f"not valid Python ({what}); string literals in calls were read with the tokenizer"


def scan_trees(trees: list[tuple[ast.Module, LineMap, list[int] | None]]) -> list[Found]:
    """References in modules that share their constants (the cells of one notebook)."""
    aliases: dict[str, str] = {}
    constants: Constants = defaultdict(list)
    indexed = [(_Index(tree, lines), line_map) for tree, line_map, lines in trees]
    for index, _ in indexed:
        _collect(index, aliases, constants)
    found: list[Found] = []
    used: set[str] = set()
    for index, line_map in indexed:
        for call in index.calls:
            found.extend(_call(call, aliases, constants, used, line_map))
        for mapping in index.dicts:
            found.extend(_dict(mapping, constants, used, line_map))
    for index, line_map in indexed:
        found.extend(_unused_model_constants(index, used, line_map))
    return found


_NAMES_OF_INTEREST = (*sorted(CALLS), "add_argument")
_AS = re.compile(r"\s+as\s+(\w+)")


def _find_all(text: str, word: str) -> list[int]:
    found: list[int] = []
    at = text.find(word)
    while at >= 0:
        found.append(at)
        at = text.find(word, at + len(word))
    return found


def _lines_of_interest(text: str) -> list[int]:
    """Sorted lines holding a candidate literal or the name of a call of calls.py (or an alias
    of one: ``pipeline as make``): a statement touching none of them cannot give a reference,
    and is not walked. ``str.find`` rather than one regex of every name: 5x faster."""
    offsets = [m.start() for m in _CANDIDATE.finditer(text)]
    aliases: set[str] = set()
    for name in _NAMES_OF_INTEREST:
        for at in _find_all(text, name):
            offsets.append(at)
            alias = _AS.match(text, at + len(name))
            if alias:
                aliases.add(alias[1])
    if aliases:  # rare, and often short (``as p``): matched as whole words
        words = re.compile(r"\b(?:" + "|".join(sorted(aliases)) + r")\b")
        offsets.extend(m.start() for m in words.finditer(text))
    lines: set[int] = set()
    if offsets:
        newlines = [m.start() for m in re.finditer("\n", text)] if len(offsets) > 8 else None
        for offset in offsets:
            if newlines is None:
                lines.add(text.count("\n", 0, offset) + 1)
            else:
                lines.add(bisect.bisect_left(newlines, offset) + 1)
    return sorted(lines)


class _Index:
    """The nodes the reader looks at, gathered in one pass over the parts of the tree that
    touch a line of interest (walking all of every module costs more than parsing it)."""

    def __init__(self, tree: ast.AST, lines: list[int] | None) -> None:
        self.calls: list[ast.Call] = []
        self.dicts: list[ast.Dict] = []
        self.assigns: list[ast.Assign | ast.AnnAssign] = []
        self.imports: list[ast.ImportFrom] = []
        stack: list[ast.AST] = [tree]
        while stack:
            node = stack.pop()
            end = getattr(node, "end_lineno", None)
            if lines is not None and end is not None and not isinstance(node, ast.ImportFrom):
                at = bisect.bisect_left(lines, node.lineno)  # type: ignore[attr-defined]
                if at == len(lines) or lines[at] > end:
                    continue  # no line of interest inside this node
            if isinstance(node, ast.Call):
                self.calls.append(node)
            elif isinstance(node, ast.Dict):
                self.dicts.append(node)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                self.assigns.append(node)
            elif isinstance(node, ast.ImportFrom):
                self.imports.append(node)
            stack.extend(ast.iter_child_nodes(node))
        if lines is not None:  # constants of the module and its classes, wherever they are
            known = {id(n) for n in self.assigns}
            bodies = [tree.body] if isinstance(tree, ast.Module) else []
            while bodies:
                for statement in bodies.pop():
                    if isinstance(statement, ast.ClassDef):
                        bodies.append(statement.body)
                    elif isinstance(statement, (ast.Assign, ast.AnnAssign)) and (
                        id(statement) not in known
                    ):
                        self.assigns.append(statement)
        for nodes in (self.calls, self.dicts, self.assigns):
            nodes.sort(key=lambda n: (n.lineno, n.col_offset))


def _collect(index: _Index, aliases: dict[str, str], constants: Constants) -> None:
    for imported in index.imports:
        for alias in imported.names:
            if alias.asname:
                aliases[alias.asname] = alias.name
    for node in index.assigns:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    for value in _strings(node.value, {}, set()):
                        constants[target.id].append((value, node.lineno))
        elif (
            isinstance(node, ast.AnnAssign)
            and node.value is not None
            and isinstance(node.target, ast.Name)
        ):
            for value in _strings(_field_default(node.value), {}, set()):
                constants[node.target.id].append((value, node.lineno))


def _field_default(value: ast.expr) -> ast.expr:
    """``field(default="org/name", ...)`` in a dataclass: its default."""
    if isinstance(value, ast.Call) and _callee(value.func, {}) == "field":
        for keyword in value.keywords:
            if keyword.arg == "default":
                return keyword.value
    return value


def _callee(func: ast.expr, aliases: dict[str, str]) -> str | None:
    if isinstance(func, ast.Name):
        return aliases.get(func.id, func.id)
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _strings(expr: ast.expr | None, constants: Constants, used: set[str]) -> list[str]:
    """The string values an expression can have, as far as the module says."""
    if expr is None:
        return []
    if isinstance(expr, ast.Constant):
        return [expr.value] if isinstance(expr.value, str) else []
    if isinstance(expr, ast.Name):
        values = constants.get(expr.id, [])
        if values:
            used.add(expr.id)
        return [v for v, _ in values]
    if isinstance(expr, ast.BoolOp):
        return [s for v in expr.values for s in _strings(v, constants, used)]
    if isinstance(expr, ast.IfExp):
        return _strings(expr.body, constants, used) + _strings(expr.orelse, constants, used)
    if isinstance(expr, ast.Call) and _callee(expr.func, {}) in ("get", "getenv"):
        # os.environ.get("X", "org/name"), os.getenv("X", "org/name"): the default
        if len(expr.args) == 2:
            return _strings(expr.args[1], constants, used)
        for keyword in expr.keywords:
            if keyword.arg == "default":
                return _strings(keyword.value, constants, used)
    return []


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _call(
    call: ast.Call, aliases: dict[str, str], constants: Constants, used: set[str], lm: LineMap
) -> Iterable[Found]:
    name = _callee(call.func, aliases)
    if name == "add_argument":
        yield from _argparse_default(call, constants, used, lm)
        return
    spec = CALLS.get(name or "")
    if spec is None:
        return
    repo_type = _strings(_keyword(call, "repo_type"), constants, used)
    if any(t in ("dataset", "space") for t in repo_type):
        return
    revisions: list[str | None] = [*_strings(_keyword(call, "revision"), constants, used)]
    for value in _model_strings(call, spec, constants, used):
        if spec.prefix_only and not value.startswith(("hf_hub:", "hf-hub:")):
            continue
        for revision in revisions or [None]:
            ref = parse_candidate(value, revision)
            if ref is not None:
                yield _found(lm(call.lineno), ref)


def _model_strings(
    call: ast.Call, spec: ArgSpec, constants: Constants, used: set[str]
) -> list[str]:
    values: list[str] = []
    for position in spec.positions:
        if position < len(call.args) and not isinstance(call.args[position], ast.Starred):
            strings = _strings(call.args[position], constants, used)
            if strings:
                values.extend(strings)
                break
    for keyword in spec.keywords:
        values.extend(_strings(_keyword(call, keyword), constants, used))
    return values


def _argparse_default(
    call: ast.Call, constants: Constants, used: set[str], lm: LineMap
) -> Iterable[Found]:
    """``parser.add_argument("--model_name_or_path", default="org/name")``."""
    flags = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if not any(f.startswith("-") and is_model_key(f.lstrip("-")) for f in flags):
        return
    for value in _strings(_keyword(call, "default"), constants, used):
        ref = parse_candidate(value)
        if ref is not None:
            yield _found(lm(call.lineno), ref)


def _dict(node: ast.Dict, constants: Constants, used: set[str], lm: LineMap) -> Iterable[Found]:
    """``{"model_name_or_path": "org/name", "revision": "v1"}``: a configuration in Python."""
    revisions: list[str | None] = [None]
    for key, value in zip(node.keys, node.values, strict=True):
        if isinstance(key, ast.Constant) and key.value == "revision":
            revisions = [*_strings(value, constants, used)] or [None]
    for key, value in zip(node.keys, node.values, strict=True):
        if isinstance(key, ast.Constant) and isinstance(key.value, str) and is_model_key(key.value):
            for text, revision in (
                (t, r) for t in _strings(value, constants, used) for r in revisions
            ):
                ref = parse_candidate(text, revision)
                if ref is not None:
                    yield _found(lm(value.lineno), ref)


def _unused_model_constants(index: _Index, used: set[str], lm: LineMap) -> Iterable[Found]:
    """``EMBEDDING_MODEL = "org/name"`` (or a dataclass field) that no recognised call uses."""
    for node in index.assigns:
        target: ast.expr | None = None
        value: ast.expr | None = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, _field_default(node.value)
        if not isinstance(target, ast.Name) or target.id in used or not is_model_key(target.id):
            continue
        for text in _strings(value, {}, set()):
            ref = parse_candidate(text)
            if ref is not None:
                yield _found(lm(node.lineno), ref)


def _found(line: int, ref: HubRef) -> Found:
    return Found(line, ref.model_id, ref.revision)
