"""Facts across a process boundary: compact pickles, knowledge-base entries by reference.

The process pool (``checker/pool.py``) sends targets to its workers and their facts back as bytes
made here. Four things differ from a plain pickle, for speed and for sameness:

- a frozen, slotted dataclass travels as its class and field values and is rebuilt through its
  slots (the standard path calls ``dataclasses.fields`` for every object it restores);
- a read-only mapping (``MappingProxyType``, which pickle refuses) travels as a dict and is
  made read-only again;
- a licence entry of the knowledge base travels as its key, and the receiving process puts in
  its place the entry of its own copy of the same knowledge base (the workers load the same
  digest), so the facts hold the very entries a serial read would, not copies of them.
- bound facts travel without what binding derives from their licences (the strictest terms,
  the obligations): the receiver derives them again (``binding.derived``), so models bound
  alike share one of each, as in a serial read, rather than one copy per chunk.

Only this process's own workers are ever unpickled here: the bytes never come from a file or
the network.
"""

from __future__ import annotations

import dataclasses
import gc
import io
import operator
import pickle
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

from checker.facts import ModelFacts
from checker.facts.binding import derived
from checker.knowledge import Knowledge, LicenseEntry

PROTOCOL = 5
Reducer = Callable[[Any], Any]


def _proxy(data: dict[str, Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType(data)


_SETTERS: dict[type, tuple[Callable[[Any, Any], None], ...]] = {}


def _slotted(cls: type, values: tuple[Any, ...]) -> Any:
    """Rebuild a slotted dataclass instance from its field values (frozen ones too)."""
    setters = _SETTERS.get(cls)
    if setters is None:
        setters = _SETTERS[cls] = tuple(
            getattr(cls, f.name).__set__ for f in dataclasses.fields(cls)
        )
    obj: Any = object.__new__(cls)
    for setter, value in zip(setters, values, strict=True):
        setter(obj, value)
    return obj


def _entry_of(kb: Knowledge) -> Callable[[str], LicenseEntry]:
    def entry(key: str) -> LicenseEntry:
        found = kb.license(key)
        if found is None or found.key != key:
            raise pickle.UnpicklingError(f"licence {key!r} is not in this knowledge base")
        return found

    return entry


def _slotted_reducer(cls: type) -> Reducer | None:
    if not dataclasses.is_dataclass(cls) or "__slots__" not in cls.__dict__:
        return None
    names = [f.name for f in dataclasses.fields(cls)]
    if not names:
        return None
    if len(names) == 1:
        name = names[0]
        return lambda obj: (_slotted, (cls, (getattr(obj, name),)))
    values = operator.attrgetter(*names)
    return lambda obj: (_slotted, (cls, values(obj)))


class _Reducers(dict[type, Reducer]):
    """The pickler's dispatch table, filled on first sight of each class."""

    def __init__(self, kb: Knowledge | None) -> None:
        super().__init__()
        self.kb = kb

    def __missing__(self, cls: type) -> Reducer:
        reducer: Reducer | None
        if issubclass(cls, type):  # a class (with a metaclass): pickle saves it by name
            raise KeyError(cls)
        if cls is MappingProxyType:
            reducer = _reduce_proxy
        elif cls is ModelFacts:
            reducer = _reduce_facts
        elif cls is LicenseEntry:
            reducer = self._reduce_entry
        else:
            reducer = _slotted_reducer(cls)
        if reducer is None:
            reducer = _default
        self[cls] = reducer
        return reducer

    def _reduce_entry(self, obj: LicenseEntry) -> Any:
        if self.kb is not None and self.kb.license(obj.key) is obj:
            return (_entry_placeholder, (obj.key,))
        slotted = _slotted_reducer(LicenseEntry)
        assert slotted is not None
        return slotted(obj)


_FACTS_FIELDS = tuple(f.name for f in dataclasses.fields(ModelFacts))
_FACTS_VALUES = operator.attrgetter(*_FACTS_FIELDS)
_TERMS, _OBLIGATIONS = _FACTS_FIELDS.index("terms"), _FACTS_FIELDS.index("obligations")


def _reduce_facts(obj: ModelFacts) -> Any:
    """Bound facts travel without what binding derives (terms, obligations): the receiver
    derives them again from the binding, so models bound alike share them there as they do in
    a serial read, not one copy per chunk (about 40 MiB at 100,000 models)."""
    values = list(_FACTS_VALUES(obj))
    if obj.binding is None:
        return (_slotted, (ModelFacts, tuple(values)))
    values[_TERMS], values[_OBLIGATIONS] = None, ()
    return (_rebound, (tuple(values),))


def _rebound(values: tuple[Any, ...]) -> ModelFacts:
    facts: ModelFacts = _slotted(ModelFacts, values)
    terms, obligations = derived(facts.binding or (), facts.license.known)
    setters = _SETTERS[ModelFacts]
    setters[_TERMS](facts, terms)
    setters[_OBLIGATIONS](facts, obligations)
    return facts


def _reduce_proxy(obj: MappingProxyType[str, Any]) -> Any:
    return (_proxy, (dict(obj),))


def _default(obj: Any) -> Any:
    return obj.__reduce_ex__(PROTOCOL)


def _entry_placeholder(key: str) -> LicenseEntry:  # pragma: no cover - replaced when loading
    raise pickle.UnpicklingError(f"licence {key!r} read without a knowledge base")


def dumps(obj: Any, kb: Knowledge | None = None) -> bytes:
    """``obj`` as bytes; licence entries of ``kb`` by key."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=PROTOCOL)
    pickler.dispatch_table = _Reducers(kb)
    pickler.dump(obj)
    return out.getvalue()


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes, kb: Knowledge | None) -> None:
        super().__init__(io.BytesIO(data))
        self.kb = kb

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == "_entry_placeholder" and self.kb is not None:
            return _entry_of(self.kb)
        return super().find_class(module, name)


def loads(data: bytes, kb: Knowledge | None = None) -> Any:
    """What ``dumps`` wrote, licence entries taken from ``kb`` (the same digest as the
    writer's)."""
    enabled = gc.isenabled()
    gc.disable()  # thousands of new objects, no cycles: the collector would only walk them
    try:
        return _Unpickler(data, kb).load()
    finally:
        if enabled:
            gc.enable()
