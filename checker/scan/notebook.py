"""Jupyter notebooks: code cells through the Python reader (constants shared across cells),
``!`` shell lines and ``%%bash`` cells through the shell reader. Lines are the notebook file's
own, so an editor or a code-scanning annotation lands on the cell's line.
"""

from __future__ import annotations

import ast
import json
from typing import Any

from checker.scan.model import FileScan, Found
from checker.scan.python import scan_trees
from checker.scan.pytokens import scan_tokens
from checker.scan.shell import scan_shell


def _cells(data: Any) -> list[dict[str, Any]] | None:
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("cells"), list):  # nbformat 4
        cells = data["cells"]
    elif isinstance(data.get("worksheets"), list):  # nbformat 3
        cells = [c for w in data["worksheets"] if isinstance(w, dict) for c in w.get("cells", [])]
    else:
        return None
    return [c for c in cells if isinstance(c, dict)]


def _source(cell: dict[str, Any]) -> list[str]:
    source = cell.get("source", cell.get("input", ""))
    if isinstance(source, list):
        text = "".join(s for s in source if isinstance(s, str))
    else:
        text = source if isinstance(source, str) else ""
    return text.splitlines()


class _Locator:
    """Finds each source line in the notebook's JSON text, in order, to give its file line."""

    def __init__(self, raw: str) -> None:
        self.raw, self.cursor, self.line = raw, 0, 1

    def find(self, source_line: str) -> int:
        if not source_line.strip():
            return self.line
        for ascii_only in (False, True):
            snippet = json.dumps(source_line, ensure_ascii=ascii_only)[1:-1]
            at = self.raw.find(snippet, self.cursor)
            if at >= 0:
                self.line += self.raw.count("\n", self.cursor, at)
                self.cursor = at
                return self.line
        return self.line


def scan_notebook(text: str) -> FileScan:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return FileScan(notes=((None, f"not a notebook: not valid JSON ({exc}); skipped"),))
    cells = _cells(data)
    if cells is None:
        return FileScan(notes=((None, "not a notebook: no 'cells' list; skipped"),))
    locate = _Locator(text)
    trees: list[tuple[ast.Module, Any, list[int] | None]] = []
    found: list[Found] = []
    notes: list[tuple[int | None, str]] = []
    for number, cell in enumerate(cells, 1):
        if cell.get("cell_type") != "code":
            continue
        lines = _source(cell)
        file_lines = [locate.find(line) for line in lines]
        python, shell = _split_magics(lines)
        if any(shell):
            for item in scan_shell("\n".join(shell)).found:
                found.append(Found(file_lines[item.line - 1], item.model_id, item.revision))
        code = "\n".join(python)
        try:
            tree = ast.parse(code)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            notes.append(
                (
                    file_lines[0] if file_lines else None,
                    f"cell {number}: not valid "
                    "Python; string literals in calls were read with the tokenizer",
                )
            )
            for item in scan_tokens(code):
                found.append(Found(file_lines[item.line - 1], item.model_id, item.revision))
            continue
        trees.append((tree, lambda n, fl=file_lines: fl[n - 1] if 0 < n <= len(fl) else 1, None))
    found.extend(scan_trees(trees))
    return FileScan(tuple(found), tuple(notes))


def _split_magics(lines: list[str]) -> tuple[list[str], list[str]]:
    """The cell as Python (magics blanked) and as shell (``!cmd`` lines, ``%%bash`` cells),
    line for line, so line numbers stay those of the cell."""
    first = lines[0].strip() if lines else ""
    if first.startswith(("%%bash", "%%sh", "%%script bash", "%%script sh")):
        return [""] * len(lines), ["", *lines[1:]]
    if first.startswith("%%"):
        return [""] * len(lines), [""] * len(lines)  # another language
    python: list[str] = []
    shell: list[str] = []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith("!"):
            python.append("")
            shell.append(stripped[1:])
        elif stripped.startswith("%"):
            python.append("")
            shell.append("")
        else:
            python.append(line)
            shell.append("")
    return python, shell
