"""End-to-end command line: exit codes, formats, overrides; one-line errors, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, REPO

from checker.cli import main

ACME = str(EXAMPLES / "policies" / "acme.yaml")
MANIFEST = str(EXAMPLES / "models.yaml")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def test_examples_audit_exit_1_with_json(tmp_path: Path) -> None:
    code, out, _ = invoke("check", MANIFEST, "--policy", ACME, "--format", "json")
    assert code == 1
    doc = json.loads(out)
    verdicts = {m["id"]: m["verdict"] for m in doc["models"]}
    assert verdicts["google-bert/bert-base-uncased"] == "pass"
    assert verdicts["deepseek-ai/deepseek-coder-1.3b-instruct"] == "fail"
    assert verdicts["perplexity-ai/r1-1776"] == "fail"
    assert verdicts["CohereForAI/aya-23-8B"] == "fail"
    assert verdicts["microsoft/Phi-3-mini-4k-instruct"] == "pass"
    assert doc["summary"]["exit_code"] == 1


def test_passing_model_exits_0() -> None:
    code, out, _ = invoke(
        "check",
        str(EXAMPLES / "models" / "bert-base-uncased"),
        "--id",
        "google-bert/bert-base-uncased",
        "--policy",
        ACME,
    )
    assert code == 0, out
    assert "pass" in out


def test_use_overrides_on_the_command_line() -> None:
    folder = str(EXAMPLES / "models" / "llama-3.1-8b-instruct")
    args = [
        "check",
        folder,
        "--id",
        "meta-llama/Llama-3.1-8B-Instruct",
        "--policy",
        ACME,
        "--format",
        "json",
    ]
    code, out, _ = invoke(*args)
    assert code == 0
    code, out, _ = invoke(*args, "--monthly-active-users", "800000000", "--purpose", "military")
    rules = {f["rule"] for f in json.loads(out)["models"][0]["findings"]}
    assert code == 1 and {"use/user-limit", "use/purpose"} <= rules
    code, out, _ = invoke(*args, "--non-commercial", "--territory", "US,DE")
    assert code == 0


def test_territory_override_for_hunyuan() -> None:
    folder = str(EXAMPLES / "models" / "hunyuan-a13b-instruct")
    code, out, _ = invoke(
        "check",
        folder,
        "--id",
        "tencent/Hunyuan-A13B-Instruct",
        "--policy",
        ACME,
        "--territory",
        "GB",
        "--format",
        "json",
    )
    territory = [
        f for f in json.loads(out)["models"][0]["findings"] if f["rule"] == "use/territory"
    ]
    assert code == 1 and "GB" in territory[0]["message"]


def test_several_formats_in_one_run(tmp_path: Path) -> None:
    out_json, out_md = tmp_path / "r.json", tmp_path / "r.md"
    code, out, _ = invoke(
        "check",
        MANIFEST,
        "--policy",
        ACME,
        "-f",
        "json",
        "-o",
        str(out_json),
        "-f",
        "markdown",
        "-o",
        str(out_md),
    )
    assert code == 1 and out == ""
    assert json.loads(out_json.read_text())["schema_version"] == 1
    assert out_md.read_text().startswith("# Clearance audit")


def test_missing_folder_exits_2() -> None:
    code, out, err = invoke("check", "./no/such/folder", "--format", "json")
    assert code == 2 and out == ""
    assert err == "clearance: error: ./no/such/folder: no such folder\n"


def test_missing_folder_of_a_manifest_is_an_error_verdict(tmp_path: Path) -> None:
    manifest = tmp_path / "models.yaml"
    manifest.write_text("models:\n  - path: gone\n")
    code, out, err = invoke("check", str(manifest), "--format", "json")
    assert code == 2
    assert json.loads(out)["models"][0]["verdict"] == "error"
    assert "-> exit 2 (1 model could not be audited)" in err


# --- the run's outcome on stderr ---------------------------------------------------------------


def test_every_run_says_its_outcome_on_stderr(tmp_path: Path) -> None:
    out_json = tmp_path / "audit.json"
    code, out, err = invoke("check", MANIFEST, "--policy", ACME, "-f", "json", "-o", str(out_json))
    assert code == 1 and out == ""
    assert err == (
        "clearance: 10 models: 3 pass, 1 warn, 6 fail, 0 error -> exit 1 "
        "(6 models break acme-production)\n"
    )
    assert json.loads(out_json.read_text())["summary"]["exit_code"] == 1


def test_outcome_with_the_report_on_stdout_and_quiet() -> None:
    folder = str(EXAMPLES / "models" / "bert-base-uncased")
    args = ["check", folder, "--id", "google-bert/bert-base-uncased", "--policy", ACME]
    code, out, err = invoke(*args, "-f", "json")
    assert code == 0 and json.loads(out)["summary"]["exit_code"] == 0
    assert err == (
        "clearance: 1 model: 1 pass, 0 warn, 0 fail, 0 error -> exit 0 "
        "(no model breaks acme-production)\n"
    )
    code, out, err = invoke(*args)  # the terminal table on stdout, the outcome still on stderr
    assert code == 0 and "bert-base-uncased" in out and "-> exit 0" in err
    for quiet in ("--quiet", "-q"):
        code, out, err = invoke(*args, "-f", "json", quiet)
        assert code == 0 and json.loads(out) and err == ""


def test_outcome_names_one_breaking_model_and_warnings() -> None:
    folder = str(EXAMPLES / "models" / "hunyuan-a13b-instruct")
    code, _, err = invoke("check", folder, "--policy", ACME, "-f", "json")
    assert code == 1
    assert err.endswith("-> exit 1 (1 model breaks acme-production)\n")
    code, _, err = invoke("check", str(EXAMPLES / "models" / "bert-base-uncased"), "-f", "json")
    assert err.endswith("-> exit 0 (no model breaks baseline; 1 model with warnings)\n")


def test_outcome_names_a_policy_finding(tmp_path: Path) -> None:
    policy = tmp_path / "expiring.yaml"
    policy.write_text(
        "version: 1\nname: expiring\nextends: [builtin:baseline]\nwaivers:\n"
        "  - {id: W-1, rule: weights/remote-code, model: 'nobody/*', reason: old,\n"
        "     approved-by: legal@example.com, expires: 2020-01-01}\n"
    )
    folder = str(EXAMPLES / "models" / "bert-base-uncased")
    args = ("--id", "google-bert/bert-base-uncased", "--policy", str(policy), "-f", "json")
    code, _, err = invoke("check", folder, *args)
    assert code == 1
    assert err == (
        "clearance: 1 model: 1 pass, 0 warn, 0 fail, 0 error -> exit 1 "
        "(1 policy finding: waiver/expired)\n"
    )


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("audit.json", lambda text: json.loads(text)["schema_version"] == 1),
        ("audit.sarif", lambda text: json.loads(text)["version"] == "2.1.0"),
        ("audit.xml", lambda text: text.lstrip().startswith("<?xml") and "testsuite" in text),
        ("audit.html", lambda text: "<html" in text.lower()),
        ("audit.md", lambda text: text.startswith("# Clearance audit")),
        ("audit.spdx.json", lambda text: json.loads(text)["spdxVersion"] == "SPDX-2.3"),
        ("audit.cdx.json", lambda text: json.loads(text)["bomFormat"] == "CycloneDX"),
        ("AUDIT.JSON", lambda text: json.loads(text)["schema_version"] == 1),
    ],
)
def test_output_format_from_the_file_name(
    tmp_path: Path, name: str, check: Callable[[str], bool]
) -> None:
    folder = str(EXAMPLES / "models" / "bert-base-uncased")
    code, out, err = invoke("check", folder, "-o", str(tmp_path / name))
    assert code == 0 and out == "" and "-> exit 0" in err
    assert check((tmp_path / name).read_text())


def test_several_outputs_from_file_names(tmp_path: Path) -> None:
    folder = str(EXAMPLES / "models" / "bert-base-uncased")
    sarif, junit = tmp_path / "a.sarif", tmp_path / "a.xml"
    code, out, _ = invoke("check", folder, "-o", str(sarif), "-o", str(junit))
    assert code == 0 and out == ""
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert "testsuite" in junit.read_text()


@pytest.mark.parametrize("name", ["audit.txt", "audit", "audit.json.bak", "-"])
def test_unknown_output_extension_is_refused_before_the_audit(tmp_path: Path, name: str) -> None:
    target = tmp_path / name if name != "-" else name
    code, out, err = invoke("check", "./no/such/folder", "-o", str(target))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "no such folder" not in err
    assert ("cannot tell the report format" in err) or ("needs a --format" in err)
    assert not (tmp_path / name).exists()


# --- targets say what they are -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("examples/nope", "examples/nope: no such folder"),
        ("examples/models/nope", "examples/models/nope: no such folder"),
        ("./nope", "./nope: no such folder"),
        ("../nope-at-all", "../nope-at-all: no such folder"),
        ("/no/such/place", "/no/such/place: no such folder"),
        ("nope.yaml", "nope.yaml: no such manifest"),
        ("examples/nope.yml", "examples/nope.yml: no such manifest"),
        ("gpt2", "gpt2: no such folder or manifest, and not a Hub id of the form org/name"),
        ("", "a TARGET is empty"),
    ],
)
def test_targets_that_are_not_there_are_refused_at_once(
    target: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No Hub request is made: the Hub client would fail (offline, no network) if it were."""
    from checker.sources import SOURCES

    class NoHub:
        def read(self, *args: object) -> None:
            raise AssertionError("a Hub request was made")

    monkeypatch.chdir(REPO)
    monkeypatch.setitem(SOURCES, "hub", NoHub())
    code, out, err = invoke("check", target, "--format", "json")
    assert code == 2 and out == ""
    assert err.startswith(f"clearance: error: {message}") and err.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([MANIFEST, "--id", "org/name"], "--id names the model of a folder; a manifest"),
        (["examples/models/bert-base-uncased", "--id", "gpt2"], "--id 'gpt2' is not of the form"),
        (["Qwen/Qwen2.5-7B-Instruct", "--id", "org/name"], "not of a Hub id"),
    ],
)
def test_id_is_refused_where_it_cannot_apply(
    args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    code, out, err = invoke("check", *args)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["check", MANIFEST, "--policy", "tests/policies/fail/unknown-key.yaml"],
            "licenses.alow: unknown key",
        ),
        (["check", MANIFEST, "--policy", "builtin:nope"], "no built-in policy"),
        (["check", MANIFEST, "-f", "json", "-f", "markdown"], "need as many --output"),
        (["check", MANIFEST, "-o", "x.txt"], "cannot tell the report format"),
        (
            ["check", MANIFEST, "-f", "json", "-o", "a.json", "-o", "b.json"],
            "one --format for each",
        ),
        (["check", "a", "b", "--id", "x/y"], "--id names the model of a single folder"),
        (["check", MANIFEST, "--format", "pdf"], "Invalid value for '--format'"),
        (["policy", "check", "tests/policies/fail/several-errors.yaml"], "has 6 error(s)"),
        (["licenses", "no-such-licence"], "no licence 'no-such-licence'"),
    ],
)
def test_usage_errors_exit_2_with_one_clear_message(
    args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    code, _, err = invoke(*args)
    assert code == 2
    assert message in err


def test_bad_manifest_entry(tmp_path: Path) -> None:
    manifest = tmp_path / "models.yaml"
    manifest.write_text("models:\n  - revision: abc\n")
    code, _, err = invoke("check", str(manifest))
    assert code == 2
    assert err.strip().endswith(
        "models.yaml:2:5: models[0]: an entry needs 'id' or 'path' (or both)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("models: {a: 1}\n", "models: must be a list"),
        ("model: []\n", "a manifest is a mapping with a 'models' list"),
        ("models:\n  - {id: Qwen/Q, pth: x}\n", "models[0].pth: unknown key"),
        ("models:\n  - id: not-an-id\n", "is not of the form org/name"),
        ("models: [\n", "invalid YAML"),
    ],
)
def test_manifest_errors(tmp_path: Path, text: str, message: str) -> None:
    manifest = tmp_path / "models.yaml"
    manifest.write_text(text)
    code, _, err = invoke("check", str(manifest))
    assert code == 2 and message in err


def test_policy_check_ok() -> None:
    code, out, _ = invoke("policy", "check", ACME)
    assert code == 0 and "ok" in out


def test_licenses_list_and_explain() -> None:
    code, out, _ = invoke("licenses")
    assert code == 0 and "llama3.1" in out
    code, out, _ = invoke("licenses", "llama3.2")
    assert code == 0
    assert "700,000,000" in out and "licensees based in EU" in out and "§2" in out


def test_internal_error_exits_3_and_writes_a_log(monkeypatch: pytest.MonkeyPatch) -> None:
    import checker.api

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(checker.api, "audit", boom)
    code, _, err = invoke("check", MANIFEST)
    assert code == 3
    assert "internal error (RuntimeError: boom)" in err
    log = err.rsplit("traceback written to ", 1)[1].strip()
    assert "RuntimeError: boom" in Path(log).read_text()
    os.unlink(log)


def test_python_m_checker_and_lazy_imports() -> None:
    code = (
        "import sys, runpy; sys.argv=['clearance','--help']\n"
        "try:\n    runpy.run_module('checker', run_name='__main__')\n"
        "except SystemExit: pass\n"
        "heavy = [m for m in ('huggingface_hub', 'spdx_tools', 'jinja2', 'ruamel', 'rich',"
        " 'license_expression', 'jsonschema') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Usage:" in out.stdout
    assert "HEAVY []" in out.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--territory", "europe"], "unknown country or group 'europe'"),
        (["--based-in", "Germany"], "unknown country or group 'Germany'"),
        (["--purpose", "militery"], "unknown purpose 'militery'"),
    ],
)
def test_use_overrides_are_checked_like_the_policy(args: list[str], message: str) -> None:
    folder = str(EXAMPLES / "models" / "hunyuan-a13b-instruct")
    code, _, err = invoke("check", folder, "--policy", ACME, *args)
    assert code == 2 and message in err


def test_empty_hf_cache_is_exit_2(tmp_path: Path) -> None:
    """Nothing to audit is never a pass (it used to exit 0). A subprocess: huggingface_hub reads
    HF_HUB_CACHE once, when it is imported."""
    env = {**os.environ, "HF_HOME": str(tmp_path), "HF_HUB_CACHE": str(tmp_path / "hub")}
    done = subprocess.run(
        [sys.executable, "-m", "checker", "check", "--hf-cache"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "no model to audit: --hf-cache found no model snapshot" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("code", ["XX", "ZZ", "QQ"])
def test_unassigned_country_codes_are_refused(code: str) -> None:
    folder = str(EXAMPLES / "models" / "hunyuan-a13b-instruct")
    exit_code, _, err = invoke("check", folder, "--policy", ACME, "--territory", code)
    assert exit_code == 2 and f"{code!r} is not an assigned ISO 3166-1 alpha-2 code" in err


def test_uk_is_gb_with_a_note() -> None:
    """Hunyuan A13B excludes the UK: --territory UK must find it (it used to match nothing)."""
    folder = str(EXAMPLES / "models" / "hunyuan-a13b-instruct")
    code, out, err = invoke(
        "check", folder, "--policy", ACME, "--territory", "UK", "--format", "json"
    )
    assert "note: command line: UK is taken as GB" in err
    findings = json.loads(out)["models"][0]["findings"]
    territory = [f for f in findings if f["rule"] == "use/territory"]
    assert any("GB" in f["message"] and f["severity"] == "error" for f in territory), territory
    assert code == 1


# --- explain, init, did you mean ---------------------------------------------------------------


def test_explain_lists_every_rule() -> None:
    from checker.checks import RULES

    code, out, _ = invoke("explain")
    assert code == 0
    listed = [line.split()[0] for line in out.splitlines()]
    assert listed == sorted(RULES)


def test_explain_one_rule() -> None:
    from checker.checks import RULES

    rule = RULES["weights/remote-code"]
    code, out, _ = invoke("explain", "weights/remote-code")
    assert code == 0
    assert out.startswith("weights/remote-code\n")
    assert f"summary        {rule.summary}" in out
    assert "default level  warning" in out and "group          weights" in out
    assert rule.help in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["explain", "licence/unknwn"],
            "no rule 'licence/unknwn' (did you mean 'license/unknown'?)",
        ),
        (["explain", "weights/remote"], "(did you mean 'weights/remote-code'"),
        (["explain", "zzz/qqq"], "no rule 'zzz/qqq'; `clearance explain` lists the rules"),
        (
            ["licenses", "lama3.1"],
            "no licence 'lama3.1' in the knowledge base (did you mean 'llama3.1'",
        ),
        (["licenses", "apache2"], "(did you mean 'apache-2.0'?)"),
    ],
)
def test_unknown_names_suggest_the_closest(args: list[str], message: str) -> None:
    code, out, err = invoke(*args)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1


def test_init_writes_a_policy_that_policy_check_accepts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke("init")
    assert code == 0 and "wrote clearance-policy.yaml" in err
    text = (tmp_path / "clearance-policy.yaml").read_text()
    assert text.startswith("# ") and "extends: [builtin:baseline]" in text
    code, out, _ = invoke("policy", "check", "clearance-policy.yaml")
    assert code == 0 and "ok (policy 'my-policy'" in out
    folder = str(EXAMPLES / "models" / "bert-base-uncased")
    code, _, err = invoke("check", folder, "--policy", "clearance-policy.yaml", "-q")
    assert code == 0 and err == ""
    code, _, err = invoke("init")  # never overwrites unless told to
    assert code == 2 and "clearance-policy.yaml: already exists (--force overwrites it)" in err
    code, _, _ = invoke("init", "--force", "--output", "p.yaml")
    assert code == 0 and (tmp_path / "p.yaml").read_text() == text
    code, out, _ = invoke("init", "-o", "-")
    assert code == 0 and out == text
