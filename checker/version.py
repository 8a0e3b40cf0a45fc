"""The version of Clearance: the one place it is written.

pyproject.toml reads it from here when a wheel is built (hatchling's ``[tool.hatch.version]``),
so an installed package and a source checkout give the same answer without asking
``importlib.metadata`` at run time (that import alone costs more than ``clearance --help``).
"""

__version__ = "0.1.0"
