"""Lock files (``models.lock.yaml``): what every model of a manifest was when it was locked.

``document`` builds and renders a lock from an audit, ``read`` reads one back (validated, or an
InputError naming file, line and key), ``attach`` puts each entry on its model's facts for the
drift check (``checker/checks/drift.py``).
"""

from checker.lock.document import LOCK_NAME, default_lock_path, lock_document, render_lock

__all__ = ["LOCK_NAME", "default_lock_path", "lock_document", "render_lock"]
