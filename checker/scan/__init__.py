"""``clearance scan``: find the Hugging Face models a source tree references.

``walker`` finds and reads the files (the only I/O, with ``manifest``); one pure reader per kind
of file turns text into found lines (``python`` with ``calls`` and the ``pytokens`` fallback,
``notebook``, ``config``, ``shell``); ``hubid`` decides which strings are model ids; ``run``
puts it together into a sorted ``ScanResult`` of frozen ``Reference`` values; ``manifest``
checks and updates a models.yaml; ``render`` writes the text and JSON outputs.
"""

from __future__ import annotations

from checker.scan.model import Note, Reference, ScanResult
from checker.scan.run import scan_paths

__all__ = ["Note", "Reference", "ScanResult", "scan_paths"]
