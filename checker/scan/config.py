"""YAML, JSON and TOML configs: the values of model-named keys (``model``, ``model_name_or_path``,
``base_model``, ``pretrained_model_name_or_path``, ``model_id``, ``repo_id``, ... at any depth;
a list value gives each item). The document is parsed, so comments and block-scalar prose are
never read; a file that does not parse is a note.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from typing import Any

from checker import yamlio
from checker.scan.hubid import is_model_key, parse_candidate
from checker.scan.model import FileScan, Found

Pair = tuple[str, str, int | None, str | None]


def _pairs(node: Any, line: int | None = None) -> Iterator[Pair]:
    """Every (key, string value, line when known, the mapping's ``revision``) under a
    model-named key, depth first."""
    stack: list[tuple[Any, int | None]] = [(node, line)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, dict):
            lc = getattr(item, "lc", None)
            pin = item.get("revision")
            revision = pin if isinstance(pin, str) else None
            for key, value in reversed(list(item.items())):
                at = where
                if lc is not None:
                    try:
                        at = int(lc.key(key)[0]) + 1
                    except (KeyError, TypeError):
                        at = where
                if isinstance(key, str) and is_model_key(key):
                    values = value if isinstance(value, list) else [value]
                    for v in values:
                        if isinstance(v, str):
                            yield key, str(v), at, revision
                stack.append((value, at))
        elif isinstance(item, list):
            stack.extend((v, where) for v in reversed(item))


def _refs(pairs: Iterator[Pair], text: str) -> tuple[Found, ...]:
    found: list[Found] = []
    for key, value, line, revision in pairs:
        ref = parse_candidate(value, revision)
        if ref is None:
            continue
        found.append(Found(line or _locate(text, key, value), ref.model_id, ref.revision))
    return tuple(found)


def _locate(text: str, key: str, value: str) -> int:
    """The line of ``key ... value`` in a JSON or TOML text (their parsers give no lines)."""
    pattern = re.compile(re.escape(key) + r"""["']?\s*[:=]\s*\[?[^\n]*?["']""" + re.escape(value))
    match = pattern.search(text) or re.compile(re.escape(json.dumps(value))).search(text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def worth_parsing(text: str) -> bool:
    lowered = text.lower()
    return "model" in lowered or "repo_id" in lowered or "repo-id" in lowered


def scan_json(text: str) -> FileScan:
    if not worth_parsing(text):
        return FileScan()
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return FileScan(notes=((None, f"not valid JSON ({_short(exc)}); skipped"),))
    return FileScan(_refs(_pairs(data), text))


def scan_toml(text: str) -> FileScan:
    if not worth_parsing(text):
        return FileScan()
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError, ValueError) as exc:
        return FileScan(notes=((None, f"not valid TOML ({_short(exc)}); skipped"),))
    return FileScan(_refs(_pairs(data), text))


def scan_yaml(text: str) -> FileScan:
    if not worth_parsing(text):
        return FileScan()
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")
    found: list[Found] = []
    try:
        for document in yaml.load_all(text):
            yamlio.guard_size(document)  # aliases that expand without end, or a cycle
            found.extend(_refs(_pairs(document, 1), text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or "invalid YAML"
        return FileScan(tuple(found), ((line, f"not valid YAML ({problem}); skipped the rest"),))
    except yamlio.YamlProblem as exc:
        return FileScan(tuple(found), ((exc.line, f"{exc.message}; skipped the rest"),))
    except (YAMLError, RecursionError, ValueError) as exc:
        return FileScan(tuple(found), ((None, f"not valid YAML ({_short(exc)}); skipped"),))
    return FileScan(tuple(found))


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."
