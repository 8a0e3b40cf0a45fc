"""The knowledge base as text for ``clearance licenses``: a table of every licence (rich on a
terminal, plain columns otherwise: rich costs more to import than the listing itself), or one
licence's sheet (terms with their clauses, obligations, sources)."""

from __future__ import annotations

import io

from checker.errors import UsageError
from checker.knowledge import LicenseEntry, Term, load_knowledge


def _console(buffer: io.StringIO, color: bool) -> object:
    from rich.console import Console

    return Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        width=120,
        highlight=False,
        emoji=False,
    )


def license_table(color: bool = False) -> str:
    """A table of every licence: key, canonical id, name, categories."""
    kb = load_knowledge()
    if not color:
        return _plain_table(kb.version, sorted(kb.licenses, key=lambda e: e.key))
    from rich.markup import escape
    from rich.table import Table

    table = Table(
        title=f"Licence knowledge base {kb.version} ({len(kb.licenses)} licences)",
        title_justify="left",
    )
    for name in ("Key", "Canonical id", "Name", "Categories"):
        table.add_column(name, overflow="fold")
    for e in sorted(kb.licenses, key=lambda e: e.key):
        table.add_row(e.key, escape(e.id), escape(e.name), ", ".join(e.categories))
    buffer = io.StringIO()
    _console(buffer, color).print(table)  # type: ignore[attr-defined]
    return buffer.getvalue()


def _term(label: str, term: Term) -> str:
    value = term.value
    if value is None:
        value = "none"
    elif isinstance(value, tuple):
        value = ", ".join(value) or "none"
    elif isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:,}"
    line = f"  {label:<22} {value}"
    if term.clause:
        line += f"  [{term.clause}]"
    if term.note:
        line += f"\n  {'':<22} {term.note}"
    return line


_INDENT = 25  # "  " + a 22-character label + " "


def _wrap(lines: list[str], width: int) -> str:
    """The sheet with every line longer than ``width`` wrapped below its value column (ids and
    URLs are broken only after ``/``, ``-``, ``_`` or ``.``)."""
    from checker.reporters._people import wrap_text

    out = []
    for text in "\n".join(lines).split("\n"):
        if len(text) <= width:
            out.append(text)
            continue
        if text.startswith("  - "):  # a list item: hang below its text
            head = "  - "
        elif text.startswith("  ") and text[_INDENT - 1 : _INDENT] == " ":  # label, value
            head = text[:_INDENT]
        else:
            head = text[: len(text) - len(text.lstrip(" "))]
        wrapped = wrap_text(text[len(head) :], max(width - len(head), 20))
        out.append(head + wrapped[0])
        out += [" " * len(head) + rest for rest in wrapped[1:]]
    return "\n".join(out) + "\n"


def _plain_table(version: str, entries: list[LicenseEntry]) -> str:
    rows = [("Key", "Canonical id", "Name", "Categories")]
    rows += [(e.key, e.id, e.name, ", ".join(e.categories)) for e in entries]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [f"Licence knowledge base {version} ({len(entries)} licences)"]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)]
        lines.append("  ".join([*cells, row[3]]).rstrip())
    return "\n".join(lines) + "\n"


def license_sheet(name: str, color: bool = False, width: int | None = None) -> str:
    """One licence: ids, categories, every term with its clause, obligations and sources,
    wrapped to ``width`` columns (default: the terminal's, else ``COLUMNS``, else 100)."""
    import shutil

    del color
    width = max(width or shutil.get_terminal_size((100, 24)).columns, 40)
    kb = load_knowledge()
    entry: LicenseEntry | None = kb.license(name)
    if entry is None:
        raise UsageError(f"no licence {name!r} in the knowledge base (see `clearance licenses`)")
    t = entry.terms
    lines = [
        f"{entry.name}" + (f" ({entry.version})" if entry.version else ""),
        f"  canonical id           {entry.id}",
        f"  hub ids                {', '.join(entry.hub_ids) or '-'}",
        f"  categories             {', '.join(entry.categories) or '-'}",
        "",
        "Terms",
        _term("commercial use", t.commercial_use),
        _term("user limit (MAU)", t.user_limit),
        _term("revenue limit (USD)", t.revenue_limit),
    ]
    for x in t.excluded_territories:
        who = "licensees based in" if x.applies_to == "licensee" else "use in"
        extra = f" ({x.condition})" if x.condition else ""
        lines.append(f"  {'excluded territory':<22} {who} {x.territory}{extra}  [{x.clause}]")
    lines += [
        _term("prohibited uses", t.prohibited_uses),
        _term("output training", t.output_training),
        _term("attribution", t.attribution),
        _term("naming", t.naming),
        _term("acceptable use policy", t.aup),
        _term("redistribution", t.redistribution),
        "",
        "Obligations",
    ]
    lines += [f"  - {o.text}" + (f"  [{o.clause}]" if o.clause else "") for o in entry.obligations]
    if not entry.obligations:
        lines.append("  none recorded")
    lines += ["", "Sources"]
    for s in entry.sources:
        lines.append("  - " + ", ".join(f"{k}: {v}" for k, v in s.items()))
    lines.append(f"  - knowledge base: {entry.file}")
    return _wrap(lines, width)
