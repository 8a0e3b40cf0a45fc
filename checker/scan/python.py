"""Python sources, read with ``ast`` (never executed): the calls of calls.py, model-named
constants, ``argparse`` defaults, dataclass ``field(default=...)`` and ``{"model": ...}`` dicts.

String constants are resolved within the module: ``MODEL = "org/name"`` then
``from_pretrained(MODEL)`` (also ``revision=REV``, ``os.environ.get("X", "org/name")``,
``args.model or "org/name"``). A model-named constant (``EMBEDDING_MODEL = "org/name"``) that no
call uses is a reference where it is assigned. Comments and docstrings are never read.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Callable, Iterable

from checker.scan.calls import CALLS, TRIGGERS, ArgSpec
from checker.scan.hubid import HubRef, is_model_key, parse_candidate
from checker.scan.model import FileScan, Found

LineMap = Callable[[int], int]
Constants = dict[str, list[tuple[str, int]]]  # name -> (string value, line assigned)


def worth_parsing(text: str) -> bool:
    """False when no name that could lead to a reference occurs in the text at all."""
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
    return FileScan(tuple(scan_trees([(tree, _same)])))


def _same(line: int) -> int:
    return line


def _syntax_note(exc: BaseException) -> str:
    what = getattr(exc, "msg", None) or type(exc).__name__
    return f"not valid Python ({what}); string literals in calls were read with the tokenizer"


def scan_trees(trees: list[tuple[ast.Module, LineMap]]) -> list[Found]:
    """References in modules that share their constants (the cells of one notebook)."""
    aliases: dict[str, str] = {}
    constants: Constants = defaultdict(list)
    for tree, _ in trees:
        _collect(tree, aliases, constants)
    found: list[Found] = []
    used: set[str] = set()
    for tree, line_map in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                found.extend(_call(node, aliases, constants, used, line_map))
            elif isinstance(node, ast.Dict):
                found.extend(_dict(node, constants, used, line_map))
    for tree, line_map in trees:
        found.extend(_unused_model_constants(tree, used, line_map))
    return found


def _collect(tree: ast.Module, aliases: dict[str, str], constants: Constants) -> None:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
        elif isinstance(node, ast.Assign):
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
    """``{"model_name_or_path": "org/name"}``: a configuration written in Python."""
    for key, value in zip(node.keys, node.values, strict=True):
        if isinstance(key, ast.Constant) and isinstance(key.value, str) and is_model_key(key.value):
            for text in _strings(value, constants, used):
                ref = parse_candidate(text)
                if ref is not None:
                    yield _found(lm(value.lineno), ref)


def _unused_model_constants(tree: ast.Module, used: set[str], lm: LineMap) -> Iterable[Found]:
    """``EMBEDDING_MODEL = "org/name"`` (or a dataclass field) that no recognised call uses."""
    for node in ast.walk(tree):
        target: ast.expr | None = None
        value: ast.expr | None = None
        if not isinstance(node, (ast.Assign, ast.AnnAssign)):
            continue
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
