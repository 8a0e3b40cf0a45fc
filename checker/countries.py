"""Country codes: ISO 3166-1 alpha-2 as pycountry ships it (the iso-codes data of Debian), and
the two aliases people and licences write for real countries.

- ``UK`` is "exceptionally reserved" by the ISO 3166 Maintenance Agency for the United Kingdom,
  whose code is ``GB`` (ISO 3166-1, reserved code elements); the Hunyuan licences write "UK".
- ``EL`` is the code the European Union uses for Greece (EU Interinstitutional Style Guide,
  section 7.1), whose ISO code is ``GR``.

Any other two letters that are not an assigned code (``XX``, ``ZZ``) are not a country: a policy
or a command line that names one is refused, never silently matched against nothing.
"""

from __future__ import annotations

from functools import lru_cache

ALIASES = {"UK": "GB", "EL": "GR"}
WHY = {
    "UK": "ISO 3166-1 reserves UK for the United Kingdom, whose code is GB",
    "EL": "EL is the European Union's code for Greece, whose ISO 3166-1 code is GR",
}


@lru_cache(maxsize=1)
def _assigned() -> frozenset[str]:
    """The assigned codes, read from pycountry's copy of the iso-codes database without
    importing pycountry itself (its import costs ~45 ms, most of it importlib.metadata)."""
    import importlib.util
    import json
    from pathlib import Path

    spec = importlib.util.find_spec("pycountry")
    if spec is None or spec.origin is None:  # pragma: no cover - a core dependency
        raise RuntimeError("pycountry is not installed")
    data = Path(spec.origin).parent / "databases" / "iso3166-1.json"
    entries = json.loads(data.read_text(encoding="utf-8"))["3166-1"]
    return frozenset(e["alpha_2"] for e in entries)


def canonical(code: str) -> str:
    """The ISO code a country code means (``uk`` and ``UK`` -> ``GB``), upper case."""
    upper = code.strip().upper()
    return ALIASES.get(upper, upper)


def is_country(code: str) -> bool:
    """True when ``code`` (or its alias) is an assigned ISO 3166-1 alpha-2 code."""
    return canonical(code) in _assigned()


def alias_note(code: str) -> str | None:
    """Why an alias is taken as another code (None when ``code`` is not an alias)."""
    upper = code.strip().upper()
    if upper not in ALIASES:
        return None
    return f"{code} is taken as {ALIASES[upper]}: {WHY[upper]}"
