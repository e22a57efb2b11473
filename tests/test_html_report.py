"""`nnfs-conform report --html`: one static page, checked as a browser sees it.

Two real runs on the real vectors (the bundled Python port, and a broken copy of it with a
hostile name and hostile error messages) become one page; headless Chromium loads it from disk,
runs its script, and the DOM it dumps is checked: the port x stage cells, a failure's details
opened through the page's own script, nothing injected. A screenshot is taken and checked too.
Chromium is required: without it the test fails and says how to install it.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from nnfs_conform.cli import main
from nnfs_conform.html_report import render_html
from nnfs_conform.matrix import load_result

REPO = Path(__file__).resolve().parent.parent
HOSTILE_NAME = "my-port<script>document.title='pwned'</script><img src=x onerror=alert(1)>"
HOSTILE_MESSAGE = "</pre></dd><script>document.title='pwned'</script>\x1b[31mred"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars"]

BROKEN_PORT = f"""
import math, sys
sys.path.insert(0, {str(REPO / "ports" / "python")!r})
import port

def exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf

def softmax(inputs):  # the classic mistake: exp(x) without subtracting the row maximum
    rows = port.nnfs.batch("inputs", inputs)
    out = []
    for row in rows:
        e = [exp(x) for x in row]
        out.append([v / sum(e) for v in e])
    return {{"output": out}}

def relu(inputs):  # refuses everything, with a hostile message
    raise port.nnfs.StageError("shape_mismatch", {HOSTILE_MESSAGE!r})

port.STAGES["softmax"] = softmax
port.STAGES["relu"] = relu
port.HELLO["name"] = {HOSTILE_NAME!r}
port.HELLO["stages"] = [s for s in port.HELLO["stages"] if s != "forward"]
sys.exit(port.main())
"""


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("chromium is not installed: `apt-get install -y chromium` (Debian) to run the "
                "HTML report's browser test", pytrace=False)


def browse(tmp_path: Path, url: str, *extra: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    profile.mkdir()
    return subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra,
                           url], capture_output=True, text=True, timeout=120)


class Dom(HTMLParser):
    """Just enough of a DOM: every element's tag, attributes and text, and who contains whom."""

    VOID = {"meta", "link", "br", "img", "wbr", "input", "hr"}

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []
        self.stack: list[dict] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": [], "parents": list(self.stack)}
        self.elements.append(element)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        for element in self.stack:
            element["text"].append(data)

    def find(self, **attrs) -> list[dict]:
        return [e for e in self.elements
                if all(e["attrs"].get(k.rstrip("_")) == v for k, v in attrs.items())]

    def by_id(self, ident: str) -> dict:
        (element,) = self.find(id=ident)
        return element


def text(element: dict) -> str:
    return " ".join("".join(element["text"]).split())


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("html")
    broken = work / "broken_port.py"
    broken.write_text(BROKEN_PORT)
    good_json, broken_json = work / "good.json", work / "broken.json"
    assert main(["run", "-q", "--report-json", str(good_json), "--",
                 sys.executable, str(REPO / "ports" / "python" / "port.py")]) == 0
    assert main(["run", "-q", "--report-json", str(broken_json), "--",
                 sys.executable, str(broken)]) == 1
    out = work / "report.html"
    assert main(["report", "--html", str(out), str(good_json), str(broken_json)]) == 1
    return out


def test_the_page_is_self_contained_and_escapes_what_ports_write(page):
    html = page.read_text(encoding="utf-8")
    assert html.count("<script") == 1 and "pwned'</script>" not in html
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in html
    assert "\x1b" not in html and "\\x1b[31mred" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html), "a network reference"
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    good = load_result(page.parent / "good.json")
    assert "<h1>nnfs-conformance report</h1>" in render_html([good])


def test_chromium_renders_the_matrix_and_opens_a_failure_from_its_link(page, tmp_path):
    broken = load_result(page.parent / "broken.json")
    failures = [k for k, c in enumerate(broken["cases"])
                if c["stage"] == "softmax" and c["outcome"] == "failed"]
    target = f"f-1-{failures[-1]}"  # not the first failure: only the script can open it
    run = browse(tmp_path, f"{page.as_uri()}#{target}", "--virtual-time-budget=5000",
                 "--dump-dom")
    assert run.returncode == 0 and "</html>" in run.stdout, run.stderr[-2000:]
    dom = Dom(run.stdout)
    (title,) = [e for e in dom.elements if e["tag"] == "title"]
    assert text(title) == "nnfs-conformance report"
    (body,) = [e for e in dom.elements if e["tag"] == "body"]
    assert body["attrs"].get("data-script") == "ran", "the page's script did not run"
    assert len([e for e in dom.elements if e["tag"] == "script"]) == 1

    rows = [e for e in dom.elements if e["tag"] == "tr" and "data-port" in e["attrs"]]
    assert [r["attrs"]["data-port"] for r in rows] == ["python-plain", HOSTILE_NAME]
    cells = {(row["attrs"]["data-port"], cell["attrs"]["data-stage"]): cell
             for row in rows for cell in dom.elements
             if cell["tag"] == "td" and "data-stage" in cell["attrs"] and row in cell["parents"]}
    stages = {stage for _, stage in cells}
    assert len(stages) >= 8 and {"softmax", "relu", "forward"} <= stages
    for stage in stages:
        assert cells["python-plain", stage]["attrs"]["data-kind"] == "pass"
        assert text(cells["python-plain", stage]).startswith("✓ pass ")
    assert cells[HOSTILE_NAME, "softmax"]["attrs"]["data-kind"] == "fail"
    assert re.fullmatch(r"✗ FAIL \d+/28", text(cells[HOSTILE_NAME, "softmax"]))
    assert text(cells[HOSTILE_NAME, "relu"]).startswith("✗ FAIL ")
    assert (cells[HOSTILE_NAME, "forward"]["attrs"]["data-kind"], text(
        cells[HOSTILE_NAME, "forward"])) == ("na", "– n/a")
    verdicts = [text(e) for e in dom.elements if e["attrs"].get("class", "").startswith("verdict")]
    assert verdicts == ["✓ green", "✗ red"]
    headline = {e["attrs"]["data-key"]: text(e) for e in dom.elements
                if e["tag"] == "li" and "data-key" in e["attrs"]}
    assert headline["ports"] == "2 ports" and headline["green"] == "1 green"

    failure = dom.by_id(target)
    assert "open" in failure["attrs"], "the link did not open the failure's details"
    stage_block = failure["parents"][-1]  # the <details> of the port's softmax
    assert stage_block["attrs"]["data-stage"] == "softmax" and "open" in stage_block["attrs"]
    details = text(failure)
    assert "likely" in details and "softmax-no-max-shift" in details
    assert "fix" in details and "exp(x - max(row))" in details
    assert "sent" in details and '"stage": "softmax"' in details and "reply" in details
    assert "wanted" in details and "got" in details and "nnfs-conform run --case" in details
    relu = [e for e in dom.elements if e["attrs"].get("data-case", "").startswith("relu/")]
    assert relu and "pwned" in text(relu[0]) and "\\x1b[31mred" in text(relu[0])


def test_chromium_takes_a_screenshot_of_the_page(page, tmp_path):
    shot = tmp_path / "report.png"
    run = browse(tmp_path, page.as_uri(), "--window-size=1280,800", f"--screenshot={shot}")
    assert run.returncode == 0 and shot.exists(), run.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 800)
    assert 10_000 < len(data) < 400_000  # a rendered page, not a blank one


def test_the_screenshot_in_the_docs_is_a_small_png():
    data = (REPO / "docs" / "report.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) < 200_000
