"""Start-up: what each command imports (in a fresh interpreter), and where the version comes from.

Nothing here times anything (benchmarks/bench_start.py measures); these tests fail when a
module-level import brings a heavy dependency back onto a path that does not need it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import REPO

from checker.version import __version__

# run the command line as the console script does, then list every module it imported
_LAUNCH = """
import atexit, os, sys
def _dump():
    with open(os.environ["CLEARANCE_TEST_MODULES"], "w", encoding="utf-8") as out:
        out.write("\\n".join(sorted(sys.modules)))
atexit.register(_dump)
sys.argv = ["clearance", *sys.argv[1:]]
from checker.cli import main
main()
"""
NEVER_ON_HELP = {
    "importlib.metadata",
    "checker.knowledge",
    "checker.api",
    "tempfile",
    "traceback",
}
HEAVY = {
    "huggingface_hub",
    "httpx",
    "jsonschema",
    "referencing",
    "ruamel",
    "rich",
    "jinja2",
    "spdx_tools",
    "cyclonedx",
    "license_expression",
    "orjson",
}


def _modules(tmp_path: Path, *args: str) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    listing = tmp_path / "modules.txt"
    env = {
        **os.environ,
        "CLEARANCE_TEST_MODULES": str(listing),
        "CLEARANCE_CACHE_DIR": str(tmp_path / "cache"),
        "PYTHONPATH": str(REPO),
    }
    env.pop("CI", None)
    proc = subprocess.run(
        [sys.executable, "-c", _LAUNCH, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return set(listing.read_text(encoding="utf-8").split()), proc


def _tops(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["check", "--help"]])
def test_help_and_version_import_nothing_heavy(tmp_path: Path, args: list[str]) -> None:
    modules, proc = _modules(tmp_path, *args)
    assert proc.returncode == 0, proc.stderr
    assert not modules & NEVER_ON_HELP
    assert not _tops(modules) & HEAVY


def test_version_is_printed_without_package_metadata(tmp_path: Path) -> None:
    modules, proc = _modules(tmp_path, "--version")
    assert proc.stdout.strip() == f"clearance, version {__version__}"
    assert "importlib.metadata" not in modules


def test_local_audit_imports_no_hub_client_and_no_unused_reporter_library(
    tmp_path: Path,
) -> None:
    args = ["check", "examples/models.yaml", "--policy", "examples/policies/acme.yaml"]
    modules, proc = _modules(tmp_path, *args, "--format", "json")
    assert proc.returncode == 1, proc.stderr  # some examples fail the policy on purpose
    assert '"schema_version": 1' in proc.stdout
    assert not _tops(modules) & {"huggingface_hub", "httpx", "rich", "jinja2", "spdx_tools"}
    assert "cyclonedx" not in _tops(modules)
    assert "importlib.metadata" not in modules


def test_licences_from_a_warm_cache_validate_nothing(tmp_path: Path) -> None:
    _modules(tmp_path, "licenses")  # fills the cache
    modules, proc = _modules(tmp_path, "licenses")
    assert proc.returncode == 0, proc.stderr
    assert "apache-2.0" in proc.stdout
    assert not _tops(modules) & {"jsonschema", "ruamel", "referencing"}


def test_the_wheel_version_is_read_from_checker_version() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert "version" in project["project"]["dynamic"]
    path = project["tool"]["hatch"]["version"]["path"]
    assert path == "checker/version.py"
    hatchling_regex = pytest.importorskip("hatchling.version.source.regex")
    source = hatchling_regex.RegexSource(str(REPO), {"path": path})
    assert source.get_version_data()["version"] == __version__
