"""Knowledge for lineage the card does not declare: model families (weak evidence: names and
architectures, rules/families.yaml) and the catalogue of well-known base models (their licence,
developer and declared base, rules/base-models.yaml), as frozen values with their sources."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1024)
def _regex(pattern: str) -> re.Pattern[str]:
    """Compiled on first use: most audits never match a name against a family."""
    return re.compile(pattern, re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FamilyPattern:
    """A repository-name pattern of a family, and the licences it narrows to (if any)."""

    pattern: str
    licenses: tuple[str, ...]
    source: str

    def search(self, text: str) -> bool:
        """True when the pattern matches somewhere in ``text`` (case-insensitive)."""
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
    not_patterns: tuple[str, ...]
    architectures: tuple[FamilyArchitecture, ...]
    file: str = "rules/families.yaml"

    def name_match(self, repo_name: str) -> FamilyPattern | None:
        """The first pattern the repository name (after ``owner/``) matches, unless a look-alike
        pattern of another origin matches too."""
        if any(_regex(n).search(repo_name) for n in self.not_patterns):
            return None
        return next((p for p in self.patterns if p.search(repo_name)), None)

    def architecture(self, cls: str, model_type: str | None) -> FamilyArchitecture | None:
        """The identifying architecture entry for a config's class (None when shared)."""
        for arch in self.architectures:
            if arch.cls == cls and arch.identifies and (
                arch.model_type is None or model_type is None or arch.model_type == model_type
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


def build_families(raw: list[Mapping[str, Any]]) -> tuple[Family, ...]:
    """Families from the compiled form (regexes compiled once, case-insensitive)."""
    out = []
    for f in raw:
        out.append(
            Family(
                key=str(f["key"]),
                name=str(f["name"]),
                developers=tuple(f.get("developers", [])),
                licenses=tuple(f.get("licenses", [])),
                patterns=tuple(
                    FamilyPattern(
                        str(p["regex"]), tuple(p.get("licenses", [])), str(p.get("source"))
                    )
                    for p in f.get("patterns", [])
                ),
                not_patterns=tuple(str(p["regex"]) for p in f.get("not_patterns", [])),
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


def build_base_models(raw: list[Mapping[str, Any]]) -> Mapping[str, BaseModel]:
    """The catalogue by lower-case id."""
    out: dict[str, BaseModel] = {}
    for m in raw:
        source = m.get("source") or {}
        url = source.get("url") if isinstance(source, Mapping) else None
        out[str(m["id"]).lower()] = BaseModel(
            id=str(m["id"]),
            license=m.get("license"),
            developer=m.get("developer"),
            base=m.get("base"),
            relation=m.get("relation"),
            gated=m.get("gated"),
            source=str(url or "rules/base-models.yaml"),
        )
    return out
