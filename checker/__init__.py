"""Clearance: decide whether an AI model may be adopted.

The library API (the command line is a thin layer over it)::

    from checker import audit
    result = audit(["examples/models.yaml"], "examples/policies/acme.yaml")
    print(result.exit_code, [m.verdict for m in result.models])
"""

from checker import code_cache
from checker.version import __version__

code_cache.install_when_imported()  # before any module of the package defines a dataclass

__all__ = ["__version__", "audit", "audit_facts", "load_knowledge", "load_policy"]


def __getattr__(name: str) -> object:
    # Lazy: `clearance --help` must not pay for imports it does not use.
    if name in ("audit", "audit_facts"):
        from checker import api as module

        return getattr(module, name)
    if name == "load_knowledge":
        from checker.knowledge import load_knowledge

        return load_knowledge
    if name == "load_policy":
        from checker.policy import load_policy

        return load_policy
    raise AttributeError(name)
