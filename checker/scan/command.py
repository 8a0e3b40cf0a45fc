"""``clearance scan`` as the CLI runs it: scan, then list, check or write; returns the exit code.

0: done (with ``--check``: every reference is listed); 1: ``--check`` found references the
manifest lacks; 2 (a ClearanceError): a PATH that does not exist, a manifest that is missing
(``--check``) or unusable, ``--write`` and ``--check`` together.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from checker.errors import UsageError
from checker.scan import manifest, render
from checker.scan.run import scan_paths

Echo = Callable[..., None]


def run(paths: list[str], fmt: str, write: str | None, check: str | None, echo: Echo) -> int:
    if write is not None and check is not None:
        raise UsageError("--write and --check exclude each other: write the manifest, then check")
    listed = manifest.listed_in(Path(check)) if check is not None else None
    result = scan_paths(paths)
    document = render.to_json(result)
    code = 0
    lines: list[str] = []
    if listed is not None and check is not None:
        gaps = manifest.missing(result.references, listed)
        lines = render.check_lines(check, gaps)
        document["missing"] = [_gap(m) for m in gaps]
        code = 1 if gaps else 0
    elif write is not None:
        added = manifest.update(Path(write), result.references)
        lines = render.write_lines(write, added)
        document["added"] = [_gap(m) for m in added]
    if fmt == "json":
        echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        if listed is None and write is None:
            echo(render.render_text(result), nl=False)
        for line in lines:
            echo(line)
        for note in result.notes:
            echo(f"clearance: note: {note}", err=True)
    echo(render.summary_line(result), err=True)
    return code


def _gap(item: manifest.Missing) -> dict[str, object]:
    return {
        "model_id": item.model_id,
        "revision": item.revision,
        "places": [{"file": r.file, "line": r.line} for r in item.places],
    }
