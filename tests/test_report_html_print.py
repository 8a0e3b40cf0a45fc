"""The HTML report as a record people sign: it leads with the decision, has a sign-off block,
prints on A4 and Letter (headless Chromium's PDF, read back with pypdf) without blank pages or
tables running into each other, and passes axe-core with no violation.

Chromium as in tests/test_report_html.py. axe-core comes from npm (``.ci/run`` installs it and
sets ``CLEARANCE_AXE`` to its ``axe.min.js``; a ``node_modules/axe-core`` here or in npm's
global root is found too). Without it the axe tests skip, unless CI is set, where they fail.
"""

from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO
from hostile_reports import HOSTILE, hostile_result, many
from test_report_html import DevTools, _chromium, _write

from checker.reporters.html import render_html
from checker.result import AuditResult

PAPERS = {"A4": (8.27, 11.69), "Letter": (8.5, 11.0)}  # inches
DECISION = "6 of 10 models not approved under acme-production"


def _axe_source() -> str:
    candidates = [os.environ.get("CLEARANCE_AXE"), str(REPO / "node_modules/axe-core/axe.min.js")]
    npm = shutil.which("npm")
    if npm and not any(c and os.path.isfile(c) for c in candidates):
        root = subprocess.run(
            [npm, "root", "-g"], capture_output=True, text=True, timeout=30, check=False
        ).stdout.strip()
        candidates.append(os.path.join(root, "axe-core", "axe.min.js"))
    for candidate in candidates:
        if candidate and os.path.isfile(candidate):
            return Path(candidate).read_text(encoding="utf-8")
    if os.environ.get("CI"):
        pytest.fail("CI is set but axe-core is missing: .ci/run must `npm install axe-core`")
    pytest.skip("axe-core not installed (npm install axe-core; CLEARANCE_AXE=.../axe.min.js)")


@pytest.fixture(scope="module")
def axe() -> str:
    return _axe_source()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[DevTools]:
    client = DevTools(_chromium(), tmp_path / "profile")
    try:
        yield client
    finally:
        client.close()


def _call(devtools: DevTools, expression: str) -> Any:
    reply = devtools.send(
        "Runtime.evaluate",
        {"expression": expression, "awaitPromise": True, "returnByValue": True},
        timeout=60,
    )
    assert "exceptionDetails" not in reply, reply
    return reply["result"].get("value")


# ---------------------------------------------------------------------------------------------
# Without a browser


def test_the_page_leads_with_the_decision_and_has_a_sign_off(example_result: AuditResult) -> None:
    html = render_html(example_result)
    header = html.split("<header>", 1)[1].split("</header>", 1)[0]
    assert header.index("<h1>Clearance audit</h1>") < header.index(DECISION)
    assert "for commercial, 40,000,000 MAU, based in DE" in header  # the intended use
    signoff = html.split('id="sign-off"', 1)[1].split("</section>", 1)[0]
    for row in ("Reviewer (name, role)", "Date", "Decision", "Signature"):
        assert f'<th scope="row">{row}</th><td class="blank">' in signoff
    assert f"Clearance's decision: <strong>{DECISION}</strong>" in signoff
    assert "acme-production" in signoff and example_result.policy.sha256 in signoff


def test_licence_names_with_the_id_on_hover_and_a_reason(example_result: AuditResult) -> None:
    html = render_html(example_result)
    table = html.split('id="models"', 1)[1].split("</section>", 1)[0]
    assert (
        '<abbr title="LicenseRef-scancode-llama-3.1-license-2024">'
        "Llama 3.1 Community License Agreement</abbr>"
    ) in table
    assert (
        '<td class="reason">license/not-allowed: licence CC-BY-NC-4.0 is not allowed by the '
        "policy</td>"
    ) in table


def test_control_characters_are_shown_escaped(example_result: AuditResult) -> None:
    html = render_html(hostile_result(example_result))
    for raw in ("\x1b", "\u202e", "\x07", "\x00"):
        assert raw not in html
    assert "\\x1b[31mred" in html and "\\u202eevil" in html


# ---------------------------------------------------------------------------------------------
# In a real browser


def test_axe_finds_no_violation(
    example_result: AuditResult, browser: DevTools, axe: str, tmp_path: Path
) -> None:
    # the examples with hostile models in front: every kind of section, badge and table
    hostile = hostile_result(example_result, HOSTILE[:6])  # axe takes seconds per model
    browser.open(_write(tmp_path, render_html(hostile)).as_uri())
    _call(browser, axe + "\n;0")
    violations = _call(
        browser,
        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v =>"
        " v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')"
        " + ' ' + n.failureSummary).join(' | ')))",
    )
    assert violations == []


def _pdf_pages(browser: DevTools, paper: str) -> tuple[list[int], list[str]]:
    """The size of each page's content stream, and the text of the first and last two pages
    (reading every page's text costs seconds)."""
    from pypdf import PdfReader

    width, height = PAPERS[paper]
    reply = browser.send(
        "Page.printToPDF",
        {"paperWidth": width, "paperHeight": height, "preferCSSPageSize": False},
        timeout=120,
    )
    reader = PdfReader(io.BytesIO(base64.b64decode(reply["data"])))
    box = reader.pages[0].mediabox
    assert abs(float(box.width) / 72 - width) < 0.02, box
    assert abs(float(box.height) / 72 - height) < 0.02, box
    sizes = [len(page.get_contents().get_data()) for page in reader.pages]  # type: ignore[union-attr]
    ends = [reader.pages[0], *reader.pages[-2:]] if len(reader.pages) > 2 else reader.pages
    return sizes, [page.extract_text() or "" for page in ends]


OVERLAPS = """(() => {
  const boxes = Array.from(document.querySelectorAll('table'), t => t.getBoundingClientRect())
    .filter(r => r.height > 0);
  const bad = [];
  boxes.forEach((a, i) => boxes.slice(i + 1).forEach(b => {
    const across = a.left < b.right && b.left < a.right;
    const down = a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
    if (across && down) bad.push([a.top, a.bottom, b.top, b.bottom]);
  }));
  return bad;
})()"""


@pytest.mark.parametrize(
    ("paper", "copies"), [("A4", 1), ("Letter", 1), ("A4", 3)], ids=["A4", "Letter", "A4-30"]
)
def test_prints_without_blank_pages(
    example_result: AuditResult, browser: DevTools, tmp_path: Path, paper: str, copies: int
) -> None:
    result = many(example_result, copies) if copies > 1 else example_result
    browser.open(_write(tmp_path, render_html(result)).as_uri())
    sizes, (first, *last) = _pdf_pages(browser, paper)
    assert len(sizes) >= 2
    first = " ".join(first.split())
    assert first.startswith("Clearance audit")
    assert DECISION.replace("6 of 10", f"{6 * copies} of {10 * copies}") in first
    assert "MODELVERDICTLICENCEDEVELOPERFINDINGSREASON" in first.replace(" ", "")  # table
    blank = [i + 1 for i, size in enumerate(sizes) if size < 1_000]
    assert blank == [], f"nearly empty pages {blank} of {len(sizes)}: {sizes}"
    assert any("SIGN-OFF" in text and "SIGNATURE" in text for text in last)
    browser.send("Emulation.setEmulatedMedia", {"media": "print"})
    assert browser.evaluate(OVERLAPS) == []
