"""Knowledge for lineage the card does not declare: model families (weak evidence: names and
architectures, rules/families.yaml) and the catalogue of well-known base models (their licence,
developer and declared base, rules/base-models.yaml), as frozen values with their sources."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1024)
def _regex(pattern: str) -> re.Pattern[str]:
    """Compiled on first use, and only for a name that holds the pattern's needed word:
    compiling the ~40 family patterns would cost more than the rest of a name check."""
    return re.compile(pattern, re.IGNORECASE)


_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def needed_word(pattern: str) -> str:
    """The longest run of ASCII letters and digits that every match of ``pattern`` contains
    (in some case), lower-cased; ``""`` when no run is certain.

    Only what the pattern writes at its top level counts: characters outside groups, classes
    and escapes, not made optional by a quantifier, in a pattern without a top-level ``|`` or
    a ``#`` (a verbose pattern's comment). Anything else ends a run."""
    if "#" in pattern:
        return ""
    runs: list[str] = []
    run = ""
    depth = 0
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":  # an escape, anywhere: skip the escaped character
            i += 1
        elif char == "[":  # a class, anywhere: skip to its end
            i = _class_end(pattern, i)
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and char == "|":
            return ""
        elif depth == 0 and char in "?*+{":
            run = run[:-1]  # the quantified character may be absent
            if char == "{":  # skip the counts too
                i = max(i, pattern.find("}", i))
        elif depth == 0 and char.isascii() and char.lower() in _WORD_CHARS:
            run += char.lower()
            i += 1
            continue
        runs.append(run)
        run = ""
        i += 1
    runs.append(run)
    return max(runs, key=len)


def _class_end(pattern: str, start: int) -> int:
    """The index of the ``]`` that closes the class opened at ``start`` (a ``]`` right after
    ``[`` or ``[^`` is a member)."""
    i = start + 1
    if pattern[i : i + 1] == "^":
        i += 1
    if pattern[i : i + 1] == "]":
        i += 1
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i


@dataclass(frozen=True, slots=True)
class FamilyPattern:
    """A repository-name pattern of a family, and the licences it narrows to (if any).
    ``needs`` is its ``needed_word``: an ASCII name without it cannot match."""

    pattern: str
    licenses: tuple[str, ...]
    source: str
    needs: str = ""

    def search(self, text: str) -> bool:
        """True when the pattern matches somewhere in ``text`` (case-insensitive)."""
        if self.needs and text.isascii() and self.needs not in text.lower():
            return False
        return _regex(self.pattern).search(text) is not None


@dataclass(frozen=True, slots=True)
class FamilyArchitecture:
    """A config.json architecture class (and model_type) of a family; ``identifies`` False when
    other developers' models use the class too."""

    cls: str
    model_type: str | None
    identifies: bool
    source: str


@dataclass(frozen=True, slots=True)
class Family:
    """A model family: its developers, its licences, the names and architectures that hint at it."""

    key: str
    name: str
    developers: tuple[str, ...]
    licenses: tuple[str, ...]
    patterns: tuple[FamilyPattern, ...]
    not_patterns: tuple[FamilyPattern, ...]
    architectures: tuple[FamilyArchitecture, ...]
    file: str = "rules/families.yaml"
    owners: frozenset[str] = frozenset()  # the developers in lower case (Hub ids ignore case)

    def made_by(self, owner: str) -> bool:
        """True when the Hub namespace ``owner`` is one of the family's developers."""
        return owner.lower() in self.owners

    def name_match(self, repo_name: str) -> FamilyPattern | None:
        """The first pattern the repository name (after ``owner/``) matches, unless a look-alike
        pattern of another origin matches too."""
        if any(n.search(repo_name) for n in self.not_patterns):
            return None
        return next((p for p in self.patterns if p.search(repo_name)), None)

    def architecture(self, cls: str, model_type: str | None) -> FamilyArchitecture | None:
        """The identifying architecture entry for a config's class (None when shared)."""
        for arch in self.architectures:
            if (
                arch.cls == cls
                and arch.identifies
                and (arch.model_type is None or model_type is None or arch.model_type == model_type)
            ):
                return arch
        return None


@dataclass(frozen=True, slots=True)
class BaseModel:
    """A well-known model as the catalogue knows it offline."""

    id: str
    license: str | None
    developer: str | None
    base: str | None
    relation: str | None
    gated: str | bool | None
    source: str
    file: str = "rules/base-models.yaml"


def _pattern(raw: Mapping[str, Any]) -> FamilyPattern:
    regex = str(raw["regex"])
    licenses = tuple(raw.get("licenses", []))
    return FamilyPattern(regex, licenses, str(raw.get("source")), needed_word(regex))


def build_families(raw: list[Mapping[str, Any]]) -> tuple[Family, ...]:
    """Families from the compiled form (regexes compiled on first use, case-insensitive)."""
    out = []
    for f in raw:
        out.append(
            Family(
                key=str(f["key"]),
                name=str(f["name"]),
                developers=tuple(f.get("developers", [])),
                owners=frozenset(str(d).lower() for d in f.get("developers", [])),
                licenses=tuple(f.get("licenses", [])),
                patterns=tuple(_pattern(p) for p in f.get("patterns", [])),
                not_patterns=tuple(_pattern(p) for p in f.get("not_patterns", [])),
                architectures=tuple(
                    FamilyArchitecture(
                        str(a["class"]),
                        a.get("model_type"),
                        bool(a.get("identifies", True)),
                        str(a.get("source")),
                    )
                    for a in f.get("architectures", [])
                ),
            )
        )
    return tuple(out)


class Catalogue(Mapping[str, BaseModel]):
    """The offline catalogue by lower-case id. An entry is made on its first lookup: an audit
    looks up a few of the catalogue's hundreds of models."""

    __slots__ = ("_made", "_raw")

    def __init__(self, raw: Iterable[Mapping[str, Any]]) -> None:
        self._raw = {str(m["id"]).lower(): m for m in raw}
        self._made: dict[str, BaseModel] = {}

    def __getitem__(self, key: str) -> BaseModel:
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = _base_model(self._raw[key])
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


def _base_model(m: Mapping[str, Any]) -> BaseModel:
    source = m.get("source") or {}
    url = source.get("url") if isinstance(source, Mapping) else None
    return BaseModel(
        id=str(m["id"]),
        license=m.get("license"),
        developer=m.get("developer"),
        base=m.get("base"),
        relation=m.get("relation"),
        gated=m.get("gated"),
        source=str(url or "rules/base-models.yaml"),
    )


def build_base_models(raw: list[Mapping[str, Any]]) -> Mapping[str, BaseModel]:
    """The catalogue by lower-case id."""
    return Catalogue(raw)
