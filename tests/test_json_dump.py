"""``dump_json`` writes exactly what ``json.dumps(indent=2, ensure_ascii=False)`` wrote, faster.

Whatever the document holds: plain values go through orjson, and anything the two encoders would
write differently (NaN, tiny floats, huge integers, lone surrogates, subclasses, non-str keys,
dates) is left to the standard library, so the text (or the error) is the same as before.
"""

from __future__ import annotations

import datetime as dt
import enum
import gc
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.reporters._common import dump_json, gc_paused, written_alike
from checker.reporters.json_report import render_json, to_document


def _stdlib(document: Any) -> str:
    """What the standard library writes, except that NaN and the infinities, which are not
    JSON, are written as the strings "NaN", "Infinity", "-Infinity" (issue 12)."""
    return json.dumps(_finite(document), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _finite(value: Any) -> Any:
    if isinstance(value, float) and value != value:
        return "NaN"
    if isinstance(value, float) and value in (float("inf"), -float("inf")):
        return "Infinity" if value > 0 else "-Infinity"
    if type(value) is dict:
        return {k: _finite(v) for k, v in value.items()}
    if type(value) in (list, tuple):
        return [_finite(v) for v in value]
    return value


def test_not_finite_floats_are_strings() -> None:
    assert json.loads(dump_json({"v": [float("nan"), float("inf"), -float("inf")]})) == {
        "v": ["NaN", "Infinity", "-Infinity"]
    }


_text = st.text(st.characters(codec=None), max_size=12)  # surrogates and controls included
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e-3, max_value=1e-3),
    _text,
)
_keys = st.one_of(_text, st.integers(-5, 5), st.booleans(), st.none(), st.floats(-2, 2))
_documents = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(_keys, inner, max_size=4),
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(_documents)
def test_same_text_as_the_standard_library(document: Any) -> None:
    assert dump_json(document) == _stdlib(document)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=8), st.one_of(st.text(), st.integers(), st.none())))
def test_plain_documents_take_the_fast_path(document: dict[str, Any]) -> None:
    assert written_alike(document)
    assert dump_json(document) == _stdlib(document)


class Colour(enum.Enum):
    RED = "red"


class Name(str):
    pass


class Shade(enum.StrEnum):
    DARK = "dark"


@pytest.mark.parametrize(
    "value",
    [
        float("nan"),
        float("inf"),
        -float("inf"),
        1e-5,
        -3.0034669777421985e-09,
        Name("x"),
        Shade.DARK,
    ],
)
def test_values_orjson_writes_otherwise_are_left_to_the_standard_library(value: Any) -> None:
    document = {"models": [{"evidence": [{"value": value}]}]}
    assert not written_alike(document)  # orjson would write these, differently
    assert dump_json(document) == _stdlib(document)


@pytest.mark.parametrize("value", [2**64, -(2**63) - 1, "\ud800", {1: "int key"}])
def test_values_orjson_refuses_are_left_to_the_standard_library(value: Any) -> None:
    document = {"models": [{"evidence": [{"value": value}]}]}
    assert dump_json(document) == _stdlib(document)


@pytest.mark.parametrize("value", [dt.date(2026, 1, 1), Colour.RED, {1, 2}, object(), b"bytes"])
def test_values_json_cannot_write_still_fail_the_same_way(value: Any) -> None:
    with pytest.raises(TypeError) as stdlib_error:
        _stdlib({"v": value})
    with pytest.raises(TypeError) as ours:
        dump_json({"v": value})
    assert str(ours.value) == str(stdlib_error.value)


def test_circular_documents_fail_as_before() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        dump_json({"loop": loop})


def test_floats_in_range_are_written_alike() -> None:
    values = [0.0, -0.0, 1e-4, 0.333, 2.5, 1e15, 1e16, 1.2345678901234568e17, 1e300]
    assert written_alike(values)
    assert dump_json(values) == _stdlib(values)


def test_the_example_report_is_byte_identical(example_result) -> None:  # type: ignore[no-untyped-def]
    assert render_json(example_result) == _stdlib(to_document(example_result))


def test_gc_paused_restores_the_collector() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
