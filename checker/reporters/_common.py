"""What several reporters share: the Jinja2 environment over the templates of reports/ (autoescape
for HTML, StrictUndefined, a Markdown-escaping filter), and the report's JSON text, fast and byte
for byte the same.

``dump_json`` writes what ``json.dumps(document, indent=2, ensure_ascii=False) + "\\n"`` writes
(two-space indent, ``", "``/``": "`` separators, keys in insertion order, non-ASCII as is), but
with orjson's C encoder instead of the standard library's pure-Python indenting one, about 15
times faster on a large report. orjson writes a few values differently (NaN and infinities as
``null``, floats below 1e-4 without the exponent's leading zero, integers past 64 bits, lone
surrogates, subclasses, dates, dataclasses, enums), so a document holding anything but plain
JSON values that both encoders write alike is written by the standard library, as before.
"""

from __future__ import annotations

import json
import math
from typing import Any

from checker.collector import paused
from checker.resources import data_dir

_SMALLEST_SAME_FLOAT = 1e-4  # below it (but not zero) orjson's float text differs from repr's
_INFINITY = float("inf")


def dump_json(document: Any) -> str:
    """The indented JSON text of ``document`` with a trailing newline."""
    try:
        import orjson
    except ImportError:  # orjson is a dependency on CPython only
        return _dump_stdlib(document)
    options = (
        orjson.OPT_INDENT_2
        | orjson.OPT_APPEND_NEWLINE
        | orjson.OPT_PASSTHROUGH_SUBCLASS
        | orjson.OPT_PASSTHROUGH_DATACLASS
        | orjson.OPT_PASSTHROUGH_DATETIME
    )
    try:
        encoded = orjson.dumps(document, default=_refuse, option=options)
    except orjson.JSONEncodeError:  # a type or value orjson will not write (or writes otherwise)
        return _dump_stdlib(document)
    if not written_alike(document):
        return _dump_stdlib(document)
    return encoded.decode("utf-8")


def _dump_stdlib(document: Any) -> str:
    return dump_finite(document)


def dump_finite(document: Any) -> str:
    """``json.dumps(document, indent=2, ensure_ascii=False)`` and a newline, never NaN or an
    infinity (not JSON): such a float is written as a string."""
    try:
        return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    except ValueError as exc:  # NaN or an infinity (from a config or header): not JSON
        if "Out of range float" not in str(exc):
            raise  # a circular document, as before
        return json.dumps(_finite(document), indent=2, ensure_ascii=False) + "\n"


def _finite(value: Any) -> Any:
    """``value`` with every float that is not finite written as a string ("NaN", "Infinity")."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value).replace("inf", "Infinity").replace("nan", "NaN")
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _refuse(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is left to the standard library's encoder")


def written_alike(document: Any) -> bool:
    """True when every value in ``document`` is one that orjson and ``json`` write the same way:
    dicts, lists and tuples of exactly str, int, bool, None, and floats that are zero or finite
    and at least 1e-4 in size. (Call it on a document orjson encoded: that rules out cycles.)"""
    stack: list[Any] = [[document]]
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        values = node.values() if type(node) is dict else node
        for value in values:
            kind = type(value)
            if kind is str or kind is int or kind is bool or value is None:
                continue
            if kind is dict or kind is list or kind is tuple:
                push(value)
            elif kind is float:
                size = abs(value)
                if not (value == 0.0 or _SMALLEST_SAME_FLOAT <= size < _INFINITY):
                    return False
            else:
                return False
    return True


gc_paused = paused  # the collector paused while a large acyclic document is built and written


_UNSTATED = {
    "commercial": "commercial use not stated",
    "monthly-active-users": "MAU not stated",
    "based-in": "based-in not stated",
    "territories": "territories not stated",
    "distribution": "distribution not stated",
    "purposes": "purposes not stated",
    "train-other-models": "training on outputs not stated",
}


def _codes(value: Any) -> str:
    return ", ".join(str(v) for v in value) if value else "none"


def _use_part(key: str, value: Any) -> str:
    if value is None:
        return _UNSTATED.get(key, f"{key} not stated")
    if key == "commercial":
        return "commercial" if value else "non-commercial"
    if key == "monthly-active-users":
        return f"{value:,} MAU" if isinstance(value, int) else f"{value} MAU"
    if key == "based-in":
        return f"based in {_codes(value)}"
    if key == "territories":
        return f"used in {_codes(value)}"
    if key == "purposes":
        return f"purposes {_codes(value)}"
    if key == "train-other-models":
        return "trains other models on outputs" if value else "no training on outputs"
    return str(value)


def use_line(use: dict[str, Any]) -> str:
    """The intended use of a JSON report's ``use`` block in one line ("commercial, 40,000,000
    MAU, based in DE, ..."); a value the command line set says so."""
    if all(entry["value"] is None for entry in use.values()):
        return "not stated"
    parts = []
    for key, entry in use.items():
        part = _use_part(key, entry["value"])
        if entry["source"] == "command line":
            part += " (command line)"
        parts.append(part)
    return ", ".join(parts)


def use_value(value: Any) -> str:
    """One intended-use value for a table cell: yes/no, grouped digits, a list joined."""
    if value is None:
        return "not stated"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if value else "none"
    return str(value)


def use_origin(entry: dict[str, Any]) -> str:
    """Where one intended-use value came from: ``file:line``, ``command line`` or ``default``."""
    line = entry.get("line")
    return f"{entry['source']}:{line}" if line is not None else str(entry["source"])


def environment(autoescape: bool, finalize: Any = None) -> Any:
    """The Jinja2 environment of reports/ templates (HTML escapes, Markdown does not); a
    ``finalize`` callable sees every ``{{ value }}`` before it is written."""
    import jinja2

    class Loader(jinja2.BaseLoader):
        def get_source(
            self, environment: jinja2.Environment, template: str
        ) -> tuple[str, None, Any]:
            node = data_dir("reports").joinpath(template)
            if not node.is_file():
                raise jinja2.TemplateNotFound(template)
            return node.read_text(encoding="utf-8"), None, lambda: True

    env = jinja2.Environment(
        loader=Loader(),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=finalize,
    )
    env.filters["md"] = _escape_markdown
    env.filters["use_line"] = use_line
    env.filters["use_origin"] = use_origin
    env.filters["use_value"] = use_value
    return env


def _escape_markdown(value: Any) -> str:
    """Neutralise characters that would break a table cell or inject markup (card text is
    untrusted)."""
    text = "" if value is None else str(value)
    for char in ("\\", "|", "<", ">", "`", "*", "_", "[", "]"):
        text = text.replace(char, "\\" + char)
    return " ".join(text.split())
