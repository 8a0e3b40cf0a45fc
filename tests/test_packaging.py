"""The wheel carries rules/ and reports/ (found through importlib.resources), and nothing twice."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import REPO


def test_wheel_contains_rules_and_reports(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("clearance-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert len(names) == len(set(names))
    for rel in (
        "rules/knowledge.yaml",
        "rules/developers.yaml",
        "rules/jurisdictions.yaml",
        "rules/licenses/llama3.1.yaml",
        "rules/policies/baseline.yaml",
        "rules/schema/policy.schema.json",
        "rules/schema/report.schema.json",
        "reports/markdown.md.j2",
    ):
        assert f"checker/_data/{rel}" in names, rel
    licence_files = sorted((REPO / "rules" / "licenses").glob("*.yaml"))
    packed = [
        n for n in names if n.startswith("checker/_data/rules/licenses/") and n.endswith(".yaml")
    ]
    assert len(packed) == len(licence_files)
    assert "checker/cli.py" in names
    assert not any(n.startswith(("tests/", "examples/", "rules/")) for n in names)


def test_installed_package_finds_its_data() -> None:
    from checker.resources import data_dir

    assert data_dir("rules").joinpath("knowledge.yaml").is_file()
    assert data_dir("reports").joinpath("markdown.md.j2").is_file()
