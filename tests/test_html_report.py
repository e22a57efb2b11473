"""`nnfs-conform report --html`: one static page, checked as a browser sees it.

Two real runs on the real vectors (the bundled Python port, and a broken copy of it with a
hostile name and hostile error messages) become one page; headless Chromium loads it from disk
(one browser for the module, a tab per page: tests/browser.py), runs its script, and the DOM it
holds then is checked: the port x stage cells, a failure's details
opened through the page's own script, nothing injected. A screenshot is taken and checked too.
Layout (the sticky port column and stage header, the full width) is measured in Chromium by a
probe script added to a copy of the page. Chromium is required: without it the test fails and
says how to install it.
"""

from __future__ import annotations

import copy
import json
import math
import re
import shutil
import struct
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser import Browser

from nnfs_conform.cli import main
from nnfs_conform.grading.engine import INPUT_CHECK as ENGINE_INPUT_CHECK
from nnfs_conform.grading.result import summarize
from nnfs_conform.reports.html_report import render_html, run_labels
from nnfs_conform.reports.matrix import GROUPS, cell, group_of, kind, load_result

REPO = Path(__file__).resolve().parent.parent
HOSTILE_NAME = "my-port<script>document.title='pwned'</script><img src=x onerror=alert(1)>"
HOSTILE_MESSAGE = "</pre></dd><script>document.title='pwned'</script>\x1b[31mred"
BROKEN_PORT = f"""
import math, sys
sys.path[:0] = [{str(REPO / "ports" / "python")!r}, {str(REPO / "kits" / "python")!r}]
import nnfs
from nnfs_kit import serve

def exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf

def softmax(inputs):  # the classic mistake: exp(x) without subtracting the row maximum
    out = []
    for row in inputs:
        e = [exp(x) for x in row]
        out.append([v / sum(e) for v in e])
    return out

def relu(inputs):  # fails everything, with a hostile message
    raise ValueError({HOSTILE_MESSAGE!r})

def neuron(inputs, weights, bias):  # a little off: finitely past its tolerance
    return nnfs.neuron(inputs, weights, bias) * (1 + 1e-9)

stages = {{name: getattr(nnfs, name) for name in ("layer", "dense_batch", "accuracy",
                                                   "categorical_crossentropy")}}
serve(name={HOSTILE_NAME!r}, dtype="float64",
      stages=dict(stages, softmax=softmax, relu=relu, neuron=neuron))
"""


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(
        "chromium is not installed: `apt-get install -y chromium` (Debian) to run the "
        "HTML report's browser test",
        pytrace=False,
    )


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """One headless Chromium for the module's pages (tests/browser.py)."""
    with Browser(chromium(), tmp_path_factory.mktemp("chromium")) as browser:
        yield browser


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
        return [
            e
            for e in self.elements
            if all(e["attrs"].get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

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
    assert (
        main(
            [
                "run",
                "-q",
                "--report-json",
                str(good_json),
                "--",
                sys.executable,
                str(REPO / "ports" / "python" / "port.py"),
            ]
        )
        == 0
    )
    assert (
        main(["run", "-q", "--report-json", str(broken_json), "--", sys.executable, str(broken)])
        == 1
    )
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


def test_chromium_renders_the_matrix_and_opens_a_failure_from_its_link(page, browser):
    broken = load_result(page.parent / "broken.json")
    failures = [
        k
        for k, c in enumerate(broken["cases"])
        if c["stage"] == "softmax" and c["outcome"] == "failed"
    ]
    target = f"f-1-{failures[-1]}"  # not the first failure: only the script can open it
    dom = Dom(browser.page(f"{page.as_uri()}#{target}").dom())
    (title,) = [
        e for e in dom.elements if e["tag"] == "title" and e["parents"][-1]["tag"] == "head"
    ]
    assert text(title) == "nnfs-conformance report"
    (body,) = [e for e in dom.elements if e["tag"] == "body"]
    assert body["attrs"].get("data-script") == "ran", "the page's script did not run"
    assert len([e for e in dom.elements if e["tag"] == "script"]) == 1

    rows = [e for e in dom.elements if e["tag"] == "tr" and "data-port" in e["attrs"]]
    assert [r["attrs"]["data-port"] for r in rows] == ["python-plain", HOSTILE_NAME]
    cells = {
        (row["attrs"]["data-port"], cell["attrs"]["data-stage"]): cell
        for row in rows
        for cell in dom.elements
        if cell["tag"] == "td" and "data-stage" in cell["attrs"] and row in cell["parents"]
    }
    stages = {stage for _, stage in cells}
    assert len(stages) >= 8 and {"softmax", "relu", "forward"} <= stages
    for stage in stages:
        assert cells["python-plain", stage]["attrs"]["data-kind"] == "pass"
        assert text(cells["python-plain", stage]).startswith("✓ pass ")
    assert cells[HOSTILE_NAME, "softmax"]["attrs"]["data-kind"] == "fail"
    assert re.fullmatch(r"✗ FAIL \d+/28", text(cells[HOSTILE_NAME, "softmax"]))
    assert text(cells[HOSTILE_NAME, "relu"]).startswith("✗ FAIL ")
    assert (
        cells[HOSTILE_NAME, "forward"]["attrs"]["data-kind"],
        text(cells[HOSTILE_NAME, "forward"]),
    ) == ("na", "– n/a")
    verdicts = [text(e) for e in dom.elements if e["attrs"].get("class", "").startswith("verdict")]
    assert verdicts == ["✓ green", "✗ red"]
    headline = {
        e["attrs"]["data-key"]: text(e)
        for e in dom.elements
        if e["tag"] == "li" and "data-key" in e["attrs"]
    }
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


def test_chromium_takes_a_screenshot_of_the_page(page, browser):
    data = browser.page(page.as_uri(), 1280, 800).screenshot()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 800)
    assert 10_000 < len(data) < 400_000  # a rendered page, not a blank one


def test_the_screenshot_in_the_docs_is_a_small_png():
    data = (REPO / "docs" / "report.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) < 200_000


# Layout, measured in Chromium: a probe script, added to a copy of the page (the page's own
# Content Security Policy admits only its own script), scrolls the matrix to its far corner and
# records where the port column and the stage header ended up.

PROBE = """
window.addEventListener('load', function () {
  var box = document.getElementById('matrix-scroll');
  box.scrollLeft = box.scrollWidth;
  box.scrollTop = box.scrollHeight;
  var inner = box.getBoundingClientRect();
  var port = document.querySelector('#matrix tbody tr:last-child th.port');
  var head = document.querySelector('#matrix thead');
  var stage = document.querySelector('#matrix thead th.stage');
  var out = {
    window: window.innerWidth, width: inner.width,
    scrollLeft: box.scrollLeft, scrollTop: box.scrollTop,
    portPosition: getComputedStyle(port).position, portLeft: getComputedStyle(port).left,
    portOffset: port.getBoundingClientRect().left - inner.left - box.clientLeft,
    headPosition: getComputedStyle(head).position, headTop: getComputedStyle(head).top,
    headOffset: head.getBoundingClientRect().top - inner.top - box.clientTop,
    stageOffset: stage.getBoundingClientRect().bottom - inner.top,
    stageHeight: head.getBoundingClientRect().height
  };
  document.body.setAttribute('data-probe', JSON.stringify(out));
});
"""


def probe(browser: Browser, tmp_path: Path, html: str, width: int, height: int) -> dict:
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    html = html.replace("</body>", f"<script>{PROBE}</script></body>")
    page = tmp_path / f"probe-{width}.html"
    page.write_text(html, encoding="utf-8")
    (body,) = [
        e
        for e in Dom(browser.page(page.as_uri(), width, height).dom()).elements
        if e["tag"] == "body"
    ]
    return json.loads(body["attrs"]["data-probe"])


@pytest.fixture(scope="module")
def results(page) -> list[dict]:
    return [load_result(page.parent / "good.json"), load_result(page.parent / "broken.json")]


def test_the_port_column_and_the_stage_header_stay_put_while_the_matrix_scrolls(
    results, browser, tmp_path
):
    """Eight runs x 28 stages in a 1200 x 700 window: the matrix scrolls both ways inside its box,
    the port column stays at the box's left edge and the stage header at its top."""
    html = render_html(results * 4)
    at = probe(browser, tmp_path, html, 1200, 700)
    assert at["scrollLeft"] > 500 and at["scrollTop"] > 100, at  # it did scroll both ways
    assert (at["portPosition"], at["portLeft"]) == ("sticky", "0px")
    assert (at["headPosition"], at["headTop"]) == ("sticky", "0px")
    assert abs(at["portOffset"]) < 1.5 and abs(at["headOffset"]) < 1.5, at
    assert 0 < at["stageOffset"] <= at["stageHeight"] + 1.5, at  # the stage names in view


def test_the_matrix_takes_the_full_width_of_a_wide_window(results, browser, tmp_path):
    at = probe(browser, tmp_path, render_html(results * 4), 3000, 1000)
    assert at["window"] == 3000 and at["width"] > 2900, at  # no 1240 px cap
    assert at["portOffset"] < 1.5 and at["headOffset"] < 1.5


def test_the_stage_columns_are_grouped_and_each_group_total_is_the_sum_of_its_stages(page, results):
    dom = Dom(page.read_text(encoding="utf-8"))
    groups = [
        e["attrs"]["data-group"]
        for e in dom.elements
        if e["tag"] == "th" and "group" in e["attrs"].get("class", "").split()
    ]
    assert groups == list(GROUPS)
    rows = [e for e in dom.elements if e["tag"] == "tr" and "data-port" in e["attrs"]]
    assert len(rows) == len(results)
    for row, result in zip(rows, results):
        cells = [e for e in dom.elements if e["tag"] == "td" and row in e["parents"]]
        totals = {e["attrs"]["data-group"]: e for e in cells if "data-group" in e["attrs"]}
        stages = [e for e in cells if "data-stage" in e["attrs"]]
        assert list(totals) == list(GROUPS)
        for group, total in totals.items():
            members = [e for e in stages if group_of(e["attrs"]["data-stage"]) == group]
            assert members
            for key in ("passed", "failed", "na", "held"):
                assert int(total["attrs"][f"data-{key}"]) == sum(
                    int(e["attrs"][f"data-{key}"]) for e in members
                ), (group, key)
            outcomes = [c["outcome"] for c in result["cases"] if group_of(c["stage"]) == group]
            assert int(total["attrs"]["data-passed"]) == outcomes.count("passed")
            assert int(total["attrs"]["data-na"]) == outcomes.count("not_applicable")
            failing = any(kind(cell(result, e["attrs"]["data-stage"])) == "fail" for e in members)
            assert (total["attrs"]["data-kind"] == "fail") == failing
            assert f"{total['attrs']['data-passed']} passed" in text(total)


def test_runs_of_one_port_name_are_labelled_by_dtype_and_start_time(results):
    good, broken = results
    float32 = copy.deepcopy(good)
    float32["port"]["dtype"], float32["started_at"] = "float32", "2025-06-07T08:09:10Z"
    again = copy.deepcopy(good)  # the same result twice: numbered, still never alike
    labels = run_labels([good, broken, float32, again])
    assert labels[1] == (broken["port"]["name"], "")  # a name met once stays plain
    assert labels[2] == ("python-plain", "float32 · 2025-06-07 08:09:10 UTC")
    assert labels[0][1].startswith("float64 · ") and labels[0][1].endswith("· run 1")
    assert labels[3][1].endswith("· run 2") and len(set(labels)) == 4
    dom = Dom(render_html([good, broken, float32, again]))
    rows = [e for e in dom.elements if e["tag"] == "tr" and "data-label" in e["attrs"]]
    shown = [
        text(next(e for e in dom.elements if e["tag"] == "th" and row in e["parents"]))
        for row in rows
    ]
    assert len(set(shown)) == 4 and "float32 · 2025-06-07 08:09:10 UTC" in shown[2]
    legend = [text(e) for e in dom.elements if e["tag"] == "li" and "data-run" in e["attrs"]]
    assert len(set(legend)) == 4
    assert text(dom.by_id("p-1")).count("python-plain") == 0  # the broken one: plain name


def test_the_headline_splits_graded_from_not_applicable_as_the_summaries_do(results):
    book = copy.deepcopy(results[0])  # a port without checks_inputs: its input checks n/a
    for case in book["cases"]:
        if case["expected_error"]:
            case["outcome"], case["reason"] = "not_applicable", ENGINE_INPUT_CHECK
    book["summary"] = summarize(book["cases"])
    runs = [*results, book]
    dom = Dom(render_html(runs))
    shown = {
        e["attrs"]["data-key"]: int(text(e).split()[0])
        for e in dom.elements
        if "data-key" in e["attrs"]
    }
    total = {
        key: sum(r["summary"].get(key, 0) for r in runs)
        for key in (*runs[0]["summary"], "not_applicable_input_checks", "declined")
    }
    assert total["not_applicable_input_checks"] > 0
    assert shown["graded"] == sum(
        total[o] for o in ("passed", "failed", "errored", "xfailed", "xpassed")
    )
    for key in (
        "passed",
        "failed",
        "errored",
        "not_applicable_input_checks",
        "declined",
        "skipped",
    ):
        assert shown[key] == total[key], key
    assert shown["not_declared"] == (
        total["not_applicable"] - total["not_applicable_input_checks"] - total["declined"]
    )
    assert shown["not graded"] == total["not_applicable"] + total["skipped"]
    assert shown["graded"] + shown["not graded"] == total["total"]
    assert "cases graded" not in render_html(runs)  # the old count mixed the two


def _bare(result: dict, nulls: bool) -> dict:
    """A result with every optional field left out (or null, where the schema allows it)."""
    empty = dict.fromkeys(
        (
            "message",
            "reason",
            "expected_error",
            "got_error",
            "worst",
            "request",
            "response",
            "rerun",
            "wanted",
            "diagnosis",
            "candidates",
            "description",
        )
    )
    return {
        "port": {"name": result["port"]["name"]}
        | ({"version": None, "command": None} if nulls else {}),
        "complete": result["complete"],
        **({"incomplete_reason": None, "summary": result["summary"]} if nulls else {}),
        "cases": [
            {"id": c["id"], "stage": c["stage"], "outcome": c["outcome"]} | (empty if nulls else {})
            for c in result["cases"]
        ],
    }


def test_no_placeholder_text_appears_when_optional_fields_are_absent(results, browser, tmp_path):
    good, broken = results
    page = tmp_path / "bare.html"
    page.write_text(
        render_html([_bare(good, False), _bare(broken, True), _bare(good, True)]), encoding="utf-8"
    )
    shown = browser.page(page.as_uri()).dom()
    dom = Dom(re.sub(r"<(script|style)\b.*?</\1>", "", shown, flags=re.S))
    (body,) = [e for e in dom.elements if e["tag"] == "body"]
    visible = [text(body)] + [
        e["attrs"][a] for e in dom.elements for a in ("title", "aria-label") if e["attrs"].get(a)
    ]
    assert "python-plain" in visible[0] and "FAIL" in visible[0]
    for line in visible:
        found = re.search(r"\b(None|null|undefined|NaN)\b", line)
        assert not found, line[max(0, found.start() - 200) : found.end() + 50]


def test_the_chart_marks_each_stage_of_each_run_above_the_tolerance_exactly_when_it_fails(
    page, results
):
    html = page.read_text(encoding="utf-8")
    dom = Dom(html)
    (svg,) = [e for e in dom.elements if e["tag"] == "svg" and e["attrs"].get("id") == "chart"]
    assert svg["attrs"]["role"] == "img" and svg["attrs"]["aria-labelledby"]
    for ident in svg["attrs"]["aria-labelledby"].split():
        assert text(dom.by_id(ident)) and svg in dom.by_id(ident)["parents"]
    assert "tolerance" in text(dom.by_id("chart-title")).lower()
    (tol,) = [e for e in dom.elements if e["tag"] == "line" and e["attrs"].get("class") == "tol"]
    one = float(tol["attrs"]["y1"])
    marks = [e for e in dom.elements if e["attrs"].get("class") == "mark"]
    stages = sorted({c["stage"] for c in results[0]["cases"]})
    assert sorted((int(m["attrs"]["data-run"]), m["attrs"]["data-stage"]) for m in marks) == [
        (i, stage) for i in range(len(results)) for stage in stages
    ]
    names = {
        text(e) for e in dom.elements if e["tag"] == "text" and e["attrs"].get("class") == "stage"
    }
    assert set(stages) <= names  # every stage named on the axis
    seen = set()
    for mark in marks:
        result = results[int(mark["attrs"]["data-run"])]
        stage = mark["attrs"]["data-stage"]
        y = float(re.fullmatch(r"translate\(\S+ (\S+)\)", mark["attrs"]["transform"])[1])
        failing = kind(cell(result, stage)) == "fail"
        assert (y < one) == failing, (result["port"]["name"], stage, y, one)
        ratios = [
            float(c["worst"]["ratio"])
            for c in result["cases"]
            if c["stage"] == stage and c["outcome"] in ("passed", "failed") and c["worst"]
        ]
        if "data-ratio" in mark["attrs"]:
            assert math.isclose(float(mark["attrs"]["data-ratio"]), max(ratios), rel_tol=1e-5)
        seen.add(mark["attrs"]["data-kind"])
        assert text(mark)  # a <title>: what the mark stands for
    # the broken port fails finitely (neuron), infinitely (softmax) and with no number (relu)
    assert {"ratio", "past", "na"} <= seen
