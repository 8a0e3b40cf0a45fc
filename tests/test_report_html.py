"""The HTML report: golden file, escaping, self-containment, and a real headless Chromium run.

Browser tests use Debian's /usr/bin/chromium (``CLEARANCE_CHROMIUM`` names another binary).
Without it they skip, unless the CI environment variable is set, where they fail (CI must
install chromium). Two ways of watching the page:

* the DevTools protocol over ``--remote-debugging-pipe`` (NUL-separated JSON on file descriptors
  3 and 4; stdlib only, no websocket): every console message, JavaScript exception, log entry
  (CSP violations are logged as errors) and network request while the page loads;
* ``--dump-dom`` plus ``--enable-logging=stderr``: the page's own inline script marks ``<html>``
  with ``data-clearance-ready`` once it has run, and records any error event or CSP violation in
  ``data-clearance-errors``; Chromium's ``CONSOLE`` lines on stderr are parsed as well.

Regenerate the golden file after a deliberate change with
``CLEARANCE_UPDATE_GOLDEN=1 pytest tests/test_report_html.py`` and review the diff.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import json
import os
import queue
import re
import signal
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from checker.facts import Ancestor, DeclaredLicense
from checker.findings import Evidence, Finding, Severity
from checker.reporters.html import render_html
from checker.result import AuditResult

GOLDEN = Path(__file__).parent / "golden" / "examples.html"
CHROMIUM = os.environ.get("CLEARANCE_CHROMIUM", "/usr/bin/chromium")  # Debian's by default
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
TIMEOUT = 60  # seconds for any one browser run
TITLE = "Clearance audit · acme-production"

SCRIPT = "<script>document.title='pwned'</script>"
IMG = "<img src=x onerror=\"document.title='pwned'\">"
LINK = "<a href=\"javascript:document.title='pwned'\">click</a> [x](javascript:alert(1))"
PAYLOAD = f'"><{SCRIPT[1:]} {IMG} {LINK}'


# ---------------------------------------------------------------------------------------------
# Helpers


class _Elements(HTMLParser):
    """Collects every start tag with its attributes, and the text of <style>/<script>/<title>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: dict[str, list[str]] = {"style": [], "script": [], "title": []}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._open = tag if tag in self.text else None

    def handle_endtag(self, tag: str) -> None:
        self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            self.text[self._open].append(data)


def _parse(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def _poisoned(result: AuditResult) -> AuditResult:
    """The example audit with markup in card fields and in a finding (untrusted text)."""
    model = result.models[0]
    facts = model.facts
    assert facts.lineage and facts.license.declared and facts.provenance.developer
    declared = facts.license.declared[0]
    evil_declared = DeclaredLicense(
        PAYLOAD, declared.declared_by, dataclasses.replace(declared.evidence, value=PAYLOAD)
    )
    evil_facts = dataclasses.replace(
        facts,
        model=dataclasses.replace(facts.model, id="evil/" + PAYLOAD),
        license=dataclasses.replace(facts.license, declared=(evil_declared,)),
        provenance=dataclasses.replace(
            facts.provenance,
            developer=dataclasses.replace(facts.provenance.developer, name=PAYLOAD),
        ),
        lineage=(
            *facts.lineage,
            Ancestor("evil/" + PAYLOAD, "merge", 2, (PAYLOAD,), PAYLOAD, PAYLOAD),
            Ancestor("evil/unreadable", "merge", 2, error=PAYLOAD),
        ),
    )
    evil = Finding(
        "acme/x",
        Severity.ERROR,
        facts.model.id,
        PAYLOAD,
        f"Run `{SCRIPT}` and {IMG}",
        (Evidence(PAYLOAD, PAYLOAD, [PAYLOAD, {"k": PAYLOAD}], 3),),
        waived_by=PAYLOAD,
    )
    evil_model = dataclasses.replace(model, facts=evil_facts, findings=(evil, *model.findings))
    return dataclasses.replace(result, models=(evil_model, *result.models[1:]), findings=(evil,))


def _chromium() -> str:
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {CHROMIUM} is missing: CI must `apt-get install -y chromium`")
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); browser tests skipped")


@pytest.fixture(scope="module")
def chromium() -> str:
    return _chromium()


def _kill(proc: subprocess.Popen[Any]) -> None:
    """Kill the browser we started and any helper it left (its own session's process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def _run(args: list[str], timeout: float = TIMEOUT) -> tuple[bytes, str]:
    """Run a one-shot Chromium command; return stdout and stderr. Bounded by ``timeout``."""
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        pytest.fail(f"chromium did not finish within {timeout}s: {args}")
    finally:
        _kill(proc)
    assert proc.returncode == 0, err.decode(errors="replace")[-2000:]
    return out, err.decode(errors="replace")


def _write(tmp_path: Path, html: str, name: str = "report.html") -> Path:
    page = tmp_path / name
    page.write_text(html, encoding="utf-8")
    return page


class DevTools:
    """A minimal DevTools-protocol client over --remote-debugging-pipe (stdlib only)."""

    # Put the pipe ends on fds 3 (commands in) and 4 (replies out), then become chromium.
    _TRAMPOLINE = (
        "import os, sys\n"
        "r, w = int(sys.argv[1]), int(sys.argv[2])\n"
        "os.dup2(r, 3)\n"
        "os.dup2(w, 4)\n"
        "[os.close(fd) for fd in (r, w) if fd not in (3, 4)]\n"
        "os.execv(sys.argv[3], sys.argv[3:])\n"
    )

    def __init__(self, chromium: str, profile: Path) -> None:
        cmd_read, self._cmd_write = os.pipe()
        self._out_read, out_write = os.pipe()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                self._TRAMPOLINE,
                str(cmd_read),
                str(out_write),
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            pass_fds=(cmd_read, out_write),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        os.close(cmd_read)
        os.close(out_write)
        self._messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.events: list[dict[str, Any]] = []
        self._next_id = 0
        self.session: str | None = None
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._out_read, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                self._messages.put(None)
                return
            buffer += chunk
            *complete, buffer = buffer.split(b"\0")
            for raw in complete:
                self._messages.put(json.loads(raw))

    def _receive(self, deadline: float) -> dict[str, Any]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no answer from chromium in time")
        try:
            message = self._messages.get(timeout=remaining)
        except queue.Empty:
            raise TimeoutError("no answer from chromium in time") from None
        if message is None:
            raise ConnectionError("chromium closed the DevTools pipe")
        return message

    def send(self, method: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        """Send a command (to the attached page unless browser=True) and wait for its result."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if self.session and not kw.get("browser"):
            message["sessionId"] = self.session
        os.write(self._cmd_write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + kw.get("timeout", 20)
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 20) -> dict[str, Any]:
        for event in self.events:
            if event.get("method") == method:
                return event
        deadline = time.monotonic() + timeout
        while True:
            event = self._receive(deadline)
            self.events.append(event)
            if event.get("method") == method:
                return event

    def open(self, url: str) -> None:
        """Open a page, watch it (console, exceptions, log, network) and wait for its load."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Runtime", "Log", "Network", "Page"):
            self.send(f"{domain}.enable")
        self.send("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired")
        self.send("Runtime.evaluate", {"expression": "0"})  # flush events queued before load

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def close(self) -> None:
        try:
            self.send("Browser.close", browser=True, timeout=5)
            self.proc.wait(timeout=10)
        except (TimeoutError, ConnectionError, OSError, subprocess.TimeoutExpired):
            pass
        finally:
            _kill(self.proc)
            os.close(self._cmd_write)

    def problems(self) -> list[str]:
        """Console calls, uncaught exceptions and warning/error log entries seen so far."""
        out = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled":
                out.append(f"console.{params['type']}: {params.get('args')}")
            elif method == "Runtime.exceptionThrown":
                out.append(f"exception: {params['exceptionDetails']}")
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("warning", "error"):
                out.append(f"log {params['entry']['level']}: {params['entry']['text']}")
        return out

    def requests(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]


@pytest.fixture
def devtools(chromium: str, tmp_path: Path) -> Iterator[DevTools]:
    client = DevTools(chromium, tmp_path / "profile")
    try:
        yield client
    finally:
        client.close()


def _png_rows(data: bytes) -> tuple[int, int, set[bytes]]:
    """Width, height and the set of distinct raw scanlines of a PNG (stdlib only)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height, channels = 8, b"", 0, 0, 4
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert depth == 8
            channels = {2: 3, 6: 4, 0: 1, 4: 2}[color]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels + 1
    # The filter byte and the filtered bytes differ between rows with the same pixels, but a
    # page of text and colour yields many distinct scanlines; a blank page yields a handful.
    return width, height, {raw[i : i + stride] for i in range(0, len(raw), stride)}


# ---------------------------------------------------------------------------------------------
# Without a browser


def test_golden(example_result: AuditResult) -> None:
    stable = example_result  # the fixture pins the knowledge counts and digest
    text = render_html(stable)
    if os.environ.get("CLEARANCE_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")
    assert render_html(stable) == text  # deterministic


def test_untrusted_text_is_escaped(example_result: AuditResult) -> None:
    html = render_html(_poisoned(example_result))
    assert "document.title='pwned'</script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&#34;" in html
    assert "&#34;&gt;&lt;script&gt;" in html  # attribute-breaking quote in the model id
    assert "<code>&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;</code>" in html
    page = _parse(html)
    assert [tag for tag, _ in page.tags].count("script") == 1
    assert not [a for _, attrs in page.tags for name, a in attrs.items() if name.startswith("on")]
    assert page.text["title"] == [TITLE]


@pytest.mark.parametrize("poison", [False, True], ids=["examples", "poisoned"])
def test_no_external_resources(example_result: AuditResult, poison: bool) -> None:
    html = render_html(_poisoned(example_result) if poison else example_result)
    page = _parse(html)
    tags = [tag for tag, _ in page.tags]
    for banned in ("img", "link", "iframe", "object", "embed", "video", "audio", "source", "form"):
        assert banned not in tags
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            assert name not in ("src", "srcset", "action", "formaction", "poster", "background")
            assert name != "style", "inline style attributes are blocked by the CSP"
            if name == "href":
                assert value and re.fullmatch(r"#model-\d+", value), (tag, value)
    css = "".join(page.text["style"])
    assert "url(" not in css and "@import" not in css and "@font-face" not in css
    js = "".join(page.text["script"])
    for api in ("fetch", "XMLHttpRequest", "WebSocket", "import(", "http"):
        assert api not in js
    # URLs appear only as text (licence AUP links), never as a resource or a link.
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//|javascript:|data:)""", html)


def test_csp_allows_exactly_the_inline_style_and_script(example_result: AuditResult) -> None:
    page = _parse(render_html(example_result))
    metas = [a for tag, a in page.tags if tag == "meta" and a.get("http-equiv")]
    assert len(metas) == 1 and metas[0]["http-equiv"] == "Content-Security-Policy"
    policy = {}
    for part in str(metas[0]["content"]).split("; "):
        name, _, value = part.partition(" ")
        policy[name] = value
    assert policy["default-src"] == "'none'"

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    assert policy["style-src"] == digest("".join(page.text["style"]))
    assert policy["script-src"] == digest("".join(page.text["script"]))
    assert "unsafe-inline" not in str(metas[0]["content"])


def test_waived_findings_are_shown_with_their_waiver(example_result: AuditResult) -> None:
    html = render_html(example_result)
    phi = next(m for m in example_result.models if m.facts.model.id.startswith("microsoft/Phi"))
    waived = [f for f in phi.findings if f.waived_by]
    assert waived and waived[0].waived_by == "W-12"
    assert '<li class="finding sev-warning waived">' in html
    assert '<span class="badge b-waived">waived by W-12</span>' in html
    assert "Modelling code reviewed at the pinned revision (SEC-481)" in html
    assert '0 <span class="muted">(+1 waived)</span>' in html


def test_lineage_is_a_tree_with_unknown_ancestors(example_result: AuditResult) -> None:
    html = render_html(_poisoned(example_result))
    section = html.split('id="model-1"', 1)[1].split("<h3>Weights</h3>", 1)[0]
    tree = section.split('<ul class="tree">', 1)[1]
    # depth 1 (one ancestor) holds the depth-2 list inside its own <li>
    depth1 = tree.index("meta-llama/Llama-3.1-8B-Instruct")
    depth2 = tree.index("evil/unreadable")
    assert tree.index("<ul>", depth1) < depth2 < tree.index("</ul>", depth1)
    assert '<code>evil/unreadable</code>: <span class="unknown">unknown</span>' in tree


def test_inherited_licences_and_their_obligations(example_result: AuditResult) -> None:
    from checker.facts.binding import bind
    from checker.knowledge import load_knowledge

    llama = "LicenseRef-scancode-llama-3.1-license-2024"
    phi = next(m for m in example_result.models if m.facts.model.id.startswith("microsoft/Phi"))
    base = Ancestor("meta-llama/Llama-3.1-8B-Instruct", "finetune", 1, (llama,), "US", "Meta")
    facts = bind(dataclasses.replace(phi.facts, lineage=(base,), binding=None), load_knowledge())
    child = dataclasses.replace(phi, facts=facts)
    html = render_html(dataclasses.replace(example_result, models=(child,)))
    assert (
        f"<li><code>{llama}</code> from <code>meta-llama/Llama-3.1-8B-Instruct</code> (finetune)"
        in html
    )
    assert f"<td>naming<br><code>{llama}</code></td>" in html  # obligations name their licence


def test_policy_findings_are_listed(example_result: AuditResult) -> None:
    html = render_html(_poisoned(example_result))
    block = html.split('id="policy-findings"', 1)[1].split("</section>", 1)[0]
    assert "acme/x" in block and "waived by &#34;&gt;&lt;script&gt;" in block


# ---------------------------------------------------------------------------------------------
# In a real browser


@pytest.mark.parametrize("poison", [False, True], ids=["examples", "poisoned"])
def test_page_loads_without_console_errors_or_requests(
    example_result: AuditResult, devtools: DevTools, tmp_path: Path, poison: bool
) -> None:
    page = _write(tmp_path, render_html(_poisoned(example_result) if poison else example_result))
    url = page.as_uri()
    devtools.open(url)
    assert devtools.problems() == []
    assert devtools.requests() == [url]
    root = devtools.evaluate(
        "({ready: document.documentElement.getAttribute('data-clearance-ready'),"
        " errors: document.documentElement.getAttribute('data-clearance-errors'),"
        " title: document.title, images: document.images.length,"
        " scripts: document.scripts.length, sections: document.querySelectorAll('.model').length,"
        " hrefs: Array.from(document.querySelectorAll('[href]'), e => e.getAttribute('href'))})"
    )
    assert root["ready"] == "1" and root["errors"] is None
    assert root["title"] == TITLE
    assert root["images"] == 0 and root["scripts"] == 1
    assert root["sections"] == len(example_result.models)
    assert all(re.fullmatch(r"#model-\d+", h) for h in root["hrefs"])


def test_print_media_expands_details_and_drops_backgrounds(
    example_result: AuditResult, devtools: DevTools, tmp_path: Path
) -> None:
    devtools.open(_write(tmp_path, render_html(example_result)).as_uri())
    hidden = (
        "Array.from(document.querySelectorAll('details > table'))"
        ".filter(e => !e.checkVisibility()).length"
    )
    assert devtools.evaluate(hidden) > 0  # on screen, closed <details> hide their content
    devtools.send("Emulation.setEmulatedMedia", {"media": "print"})
    assert devtools.evaluate(hidden) == 0
    backgrounds = devtools.evaluate(
        "Array.from(document.querySelectorAll('*'), e => getComputedStyle(e).backgroundColor)"
        ".filter(c => c !== 'rgba(0, 0, 0, 0)').length"
    )
    assert backgrounds == 0
    assert devtools.problems() == []


def test_screenshot(example_result: AuditResult, chromium: str, tmp_path: Path) -> None:
    page = _write(tmp_path, render_html(example_result))
    shot = tmp_path / "page.png"
    _run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--hide-scrollbars",
            f"--screenshot={shot}",
            "--window-size=1280,2000",
            page.as_uri(),
        ]
    )
    assert shot.is_file()
    data = shot.read_bytes()
    assert len(data) > 50_000, len(data)
    width, height, rows = _png_rows(data)
    assert (width, height) == (1280, 2000)
    assert len(rows) > 200, "the screenshot looks blank"


def test_injected_markup_stays_inert_in_dumped_dom(
    example_result: AuditResult, chromium: str, tmp_path: Path
) -> None:
    page = _write(tmp_path, render_html(_poisoned(example_result)))
    out, err = _run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            page.as_uri(),
        ]
    )
    dom = out.decode("utf-8")
    console = [line for line in err.splitlines() if "CONSOLE" in line]
    assert console == []
    root = re.search(r"<html[^>]*>", dom)
    assert root is not None
    assert 'data-clearance-ready="1"' in root.group(0)
    assert "data-clearance-errors" not in root.group(0)
    assert f"<title>{TITLE}</title>" in dom
    assert "pwned</title>" not in dom
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in dom
    assert "&lt;img src=x onerror=\"document.title='pwned'\"&gt;" in dom
    parsed = _parse(dom)
    tags = [tag for tag, _ in parsed.tags]
    assert tags.count("script") == 1 and "img" not in tags
    assert all(
        not name.startswith("on") and not (name == "href" and "javascript" in (value or ""))
        for _, attrs in parsed.tags
        for name, value in attrs.items()
    )
