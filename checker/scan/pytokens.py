"""The fallback for Python that does not parse: string literals in the calls of calls.py,
found with ``tokenize`` (which reads past most syntax errors), and ``NAME = "string"`` constants.

It is less exact than the ``ast`` reader (no import aliases, no ``or``/``if`` expressions) but
never loses a file: what it reads before a token error is kept.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections import defaultdict

from checker.scan.calls import CALLS
from checker.scan.hubid import parse_candidate
from checker.scan.model import Found


def _literal(token: str) -> str | None:
    try:
        value = ast.literal_eval(token)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None  # an f-string, or a broken literal
    return value if isinstance(value, str) else None


def _tokens(text: str) -> list[tokenize.TokenInfo]:
    out: list[tokenize.TokenInfo] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type not in (tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT):
                out.append(token)
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass  # keep what came before the error
    return out


def scan_tokens(text: str) -> list[Found]:
    tokens = _tokens(text)
    constants: dict[str, list[str]] = defaultdict(list)
    for i in range(len(tokens) - 2):
        name, eq, value = tokens[i], tokens[i + 1], tokens[i + 2]
        if name.type == tokenize.NAME and eq.string == "=" and value.type == tokenize.STRING:
            literal = _literal(value.string)
            if literal is not None:
                constants[name.string].append(literal)
    found: list[Found] = []
    for i, token in enumerate(tokens[:-1]):
        spec = CALLS.get(token.string) if token.type == tokenize.NAME else None
        if spec is None or tokens[i + 1].string != "(":
            continue
        positional, keywords = _arguments(tokens, i + 2, constants)
        values: list[str] = []
        for position in spec.positions:
            if position < len(positional) and positional[position]:
                values.extend(positional[position])
                break
        for keyword in spec.keywords:
            values.extend(keywords.get(keyword, []))
        if any(t in ("dataset", "space") for t in keywords.get("repo_type", [])):
            continue
        revisions: list[str | None] = [*keywords.get("revision", [])] or [None]
        for text_value in values:
            if spec.prefix_only and not text_value.startswith(("hf_hub:", "hf-hub:")):
                continue
            for revision in revisions:
                ref = parse_candidate(text_value, revision)
                if ref is not None:
                    found.append(Found(token.start[0], ref.model_id, ref.revision))
    return found


def _arguments(
    tokens: list[tokenize.TokenInfo], start: int, constants: dict[str, list[str]]
) -> tuple[list[list[str]], dict[str, list[str]]]:
    """The string values of each positional and keyword argument of a call (depth 1 only)."""
    positional: list[list[str]] = []
    keywords: dict[str, list[str]] = {}
    depth = 1
    argument: list[tokenize.TokenInfo] = []
    for token in tokens[start:]:
        if token.string in "([{" and token.type == tokenize.OP:
            depth += 1
        elif token.string in ")]}" and token.type == tokenize.OP:
            depth -= 1
        if depth == 0 or (depth == 1 and token.string == ","):
            _argument(argument, positional, keywords, constants)
            argument = []
            if depth == 0:
                break
            continue
        argument.append(token)
        if token.type == tokenize.NEWLINE:
            break  # the statement ended without closing the call
    return positional, keywords


def _argument(
    argument: list[tokenize.TokenInfo],
    positional: list[list[str]],
    keywords: dict[str, list[str]],
    constants: dict[str, list[str]],
) -> None:
    if not argument:
        return
    if len(argument) >= 3 and argument[0].type == tokenize.NAME and argument[1].string == "=":
        keywords[argument[0].string] = _values(argument[2:], constants)
    else:
        positional.append(_values(argument, constants))


def _values(tokens: list[tokenize.TokenInfo], constants: dict[str, list[str]]) -> list[str]:
    if len(tokens) == 1 and tokens[0].type == tokenize.STRING:
        literal = _literal(tokens[0].string)
        return [] if literal is None else [literal]
    if len(tokens) == 1 and tokens[0].type == tokenize.NAME:
        return list(constants.get(tokens[0].string, []))
    return []
