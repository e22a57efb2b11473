"""Several runs as one static HTML page: `nnfs-conform report --html OUT.html RESULT.json...`.

One self-contained file (inline CSS, JS and SVG, no fonts, images or requests: a Content Security
Policy forbids them, and any script but ours): the headline numbers (graded apart from not
applicable), a port x stage matrix grouped as the console groups it (forward, training, book)
with a total per group, whose cells carry a text label and a symbol as well as a colour, and
which scrolls both ways under a sticky port column and stage header; a chart of each stage's
worst error as a fraction of its tolerance (html_chart); per-case details on demand in
<details> blocks (a matrix cell links to its block; the script opens it). Runs of one port name
are told apart by dtype and start time. An absent optional field is left out, never shown as
None. Every port-controlled string is escaped: a port's name, messages and replies are hostile
by assumption.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections import Counter
from pathlib import Path
from typing import Any

from .. import __version__, files
from ..grading.result import RAN, exit_status, summarize
from . import matrix
from .html_chart import render_chart, swatch
from .report_text import NOT_PASSING, details, diagnosis_parts, headline, one_line, summary_line

MAX_JSON = 4000  # characters of a request or reply shown in a failure block

# matrix.kind -> symbol shown before the cell's text (colour is never the only signal)
SYMBOLS = {"pass": "✓", "partial": "◐", "fail": "✗", "na": "–"}
VERDICTS = {"green": "✓ green", "red": "✗ red", "INCOMPLETE": "⚠ INCOMPLETE"}

CSS = """
:root{--pass:#dafbe1;--pass-ink:#116329;--fail:#ffebe9;--fail-ink:#a40e26;--na:#f0f1f3;
--na-ink:#57606a;--partial:#fff8c5;--partial-ink:#7d4e00;--line:#d0d7de;--head:#f6f8fa}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;
padding:20px 24px;color:#1f2328;background:#fff}
header,.prose,section.port,.toolbar{max-width:1240px}
h1{font-size:24px;margin:0 0 2px}h2{font-size:19px;margin:28px 0 8px}
h3{font-size:16px;margin:18px 0 6px}
.sub{color:#57606a;margin:0 0 14px}
.tally{display:flex;flex-wrap:wrap;gap:10px;margin:0 0 18px}
.headline{display:flex;flex-wrap:wrap;gap:10px;list-style:none;padding:0;margin:0}
.headline li{border:1px solid var(--line);border-radius:8px;padding:8px 14px;min-width:110px}
.headline b{display:block;font-size:24px;line-height:1.1}
.headline .bad b{color:var(--fail-ink)}.headline .good b{color:var(--pass-ink)}
.tally section{border:1px solid var(--line);border-radius:8px;padding:8px 14px}
.tally section>b{font-size:22px}
.tally section ul{list-style:none;display:flex;flex-wrap:wrap;gap:2px 14px;padding:0;
margin:2px 0 0}
.tally section li b{font-size:16px}
.tally section .bad b{color:var(--fail-ink)}.tally section .good b{color:var(--pass-ink)}
.tally .na-box{background:#fafbfc;color:#57606a}
table{border-collapse:collapse}
.scroll{overflow:auto;max-height:85vh;border:1px solid var(--line);border-radius:6px}
.matrix{border-collapse:separate;border-spacing:0;font-size:13px;min-width:100%}
.matrix th,.matrix td{border:0 solid var(--line);border-width:0 1px 1px 0;padding:4px 6px;
text-align:left;white-space:nowrap}
.matrix thead{position:sticky;top:0;z-index:2}
.matrix thead th{background:var(--head);font-weight:600;vertical-align:bottom}
.matrix thead th.stage{white-space:normal;min-width:62px;max-width:120px}
.matrix thead th.group{text-align:center;border-bottom-color:#8c959f}
.matrix thead th.group small{font-weight:400;color:#57606a}
.matrix .first{border-left:2px solid #8c959f}
.matrix th.port{position:sticky;left:0;z-index:1;background:#fff;white-space:normal;
overflow-wrap:anywhere;min-width:180px;max-width:260px;box-shadow:1px 0 0 var(--line)}
.matrix thead th.port{z-index:3;background:var(--head)}
.matrix th.port small{display:block;font-weight:400;color:#57606a}
.matrix td.cell{padding:0}
.matrix td.cell a{display:block;padding:5px 6px;color:inherit;text-decoration:none}
.matrix td.cell a:hover,.matrix td.cell a:focus{outline:2px solid #0969da;outline-offset:-2px}
.matrix td.total{font-weight:600}
.matrix td.total span{display:block;font-weight:400;font-size:12px}
.pass{background:var(--pass);color:var(--pass-ink)}
.fail{background:var(--fail);color:var(--fail-ink);font-weight:600}
.na{background:var(--na);color:var(--na-ink)}
.partial{background:var(--partial);color:var(--partial-ink)}
.verdict.green{color:var(--pass-ink);font-weight:600}
.verdict.red,.verdict.INCOMPLETE{color:var(--fail-ink);font-weight:700}
.legend{color:#57606a;font-size:13px;margin:8px 0 0}
.legend span{display:inline-block;padding:0 6px;border-radius:4px;margin-right:6px}
.runs{list-style:none;display:flex;flex-wrap:wrap;gap:4px 18px;padding:0;margin:6px 0;
font-size:13.5px}
.runs .swatch{vertical-align:-2px;margin-right:5px}
.chart-box{overflow-x:auto}
svg.chart{font:12px system-ui,-apple-system,"Segoe UI",sans-serif;fill:#1f2328}
svg.chart .axis,svg.chart .stage{fill:#57606a}svg.chart .minor{font-size:10.5px}
.warn{border-left:4px solid var(--fail-ink);background:var(--fail);padding:6px 10px}
details{margin:4px 0}
details>summary{cursor:pointer}
details.stage{border:1px solid var(--line);border-radius:6px;padding:4px 10px;
color:#1f2328;font-weight:400}
details.stage.pass>summary{color:var(--pass-ink)}details.stage.fail>summary{color:var(--fail-ink)}
details.stage.na>summary{color:var(--na-ink)}details.stage.partial>summary{color:var(--partial-ink)}
details.stage[open]{padding-bottom:10px}
details.case{margin:6px 0 6px 4px;border-left:4px solid var(--fail-ink);padding:2px 10px;
background:#fffafa}
.cases{font-size:13px;margin-top:6px}
.cases td{padding:2px 10px 2px 0;vertical-align:top}
.cases td.outcome{font-weight:600}
code,pre{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:#f6f8fa;border:1px solid var(--line);border-radius:6px;padding:8px;
white-space:pre-wrap;word-break:break-all;max-height:360px;overflow:auto;margin:4px 0}
dl.failure{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:6px 0}
dl.failure dt{font-weight:600;color:#57606a}dl.failure dd{margin:0;min-width:0}
.likely{color:var(--fail-ink);font-weight:600}
.toolbar{margin:10px 0}
.toolbar button{font:inherit;font-size:13px;margin-right:6px;padding:3px 10px;
border:1px solid var(--line);border-radius:6px;background:#f6f8fa;cursor:pointer}
footer{color:#57606a;font-size:12px;margin-top:30px}
"""

SCRIPT = """
(function () {
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id ? document.getElementById(id) : null;
    if (!el) return;
    for (var p = el; p; p = p.parentElement) {
      if (p.tagName === 'DETAILS') p.open = true;
    }
    el.scrollIntoView();
  }
  function setAll(open) {
    var blocks = document.querySelectorAll('details.stage.fail, details.case');
    for (var i = 0; i < blocks.length; i++) blocks[i].open = open;
  }
  window.addEventListener('hashchange', openTarget);
  document.getElementById('open-failures').addEventListener('click', function () {
    setAll(true);
  });
  document.getElementById('close-all').addEventListener('click', function () {
    var blocks = document.querySelectorAll('details');
    for (var i = 0; i < blocks.length; i++) blocks[i].open = false;
  });
  document.getElementById('toolbar').hidden = false;
  openTarget();
  document.body.setAttribute('data-script', 'ran');
})();
"""


def esc(value: Any, limit: int = 300) -> str:
    """Port-controlled text as one inert line of HTML; an absent value (None) as nothing."""
    return "" if value is None else html.escape(one_line(value, limit), quote=True)


def _json(value: Any) -> str:
    """A request or reply as escaped JSON (ASCII, so no control character survives)."""
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=True)  # raw text the port wrote: quoted, escaped
    else:
        text = json.dumps(value, ensure_ascii=True, allow_nan=True, default=str)
    if len(text) > MAX_JSON:
        text = text[:MAX_JSON] + f"\n... ({len(text) - MAX_JSON} more characters)"
    return html.escape(text, quote=True)


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _summary(result: dict[str, Any]) -> dict[str, int]:
    """The result's counts; every key present (results of runner 0.1 lack the not-applicable
    split), recounted from the cases when a hand-made result has no summary."""
    counted = summarize(result.get("cases", []))
    return counted | (result.get("summary") or counted)


def _verdict(result: dict[str, Any]) -> str:
    complete = result.get("complete", not result.get("incomplete_reason"))
    if exit_status({"summary": _summary(result), "complete": complete}) == 0:
        return "green"
    return "INCOMPLETE" if not complete else "red"


def _when(started_at: Any) -> str:
    """`2026-12-02T13:03:22Z` as `2026-12-02 13:03:22 UTC`; other text as it is; None as ''."""
    if not isinstance(started_at, str):
        return ""
    return one_line(
        started_at.replace("T", " ", 1).removesuffix("Z")
        + (" UTC" if started_at.endswith("Z") else ""),
        40,
    )


def run_labels(results: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(name, qualifier) per run: the qualifier (dtype, start time) only when another run has
    the same port name, so that two runs never look alike; runs alike even then are numbered."""
    names = Counter(r["port"]["name"] for r in results)
    labels = []
    for result in results:
        port = result["port"]
        qualifier = ""
        if names[port["name"]] > 1:
            qualifier = " · ".join(
                part
                for part in (one_line(port.get("dtype") or "", 20), _when(result.get("started_at")))
                if part
            )
        labels.append((port["name"], qualifier))
    alike, seen = Counter(labels), Counter[tuple[str, str]]()
    for k, label in enumerate(labels):
        if alike[label] > 1:
            seen[label] += 1
            labels[k] = (label[0], " · ".join(p for p in (label[1], f"run {seen[label]}") if p))
    return labels


def _plain(label: tuple[str, str]) -> str:
    return label[0] + (f" ({label[1]})" if label[1] else "")


def _headline(results: list[dict[str, Any]], stages: list[str]) -> list[str]:
    verdicts = Counter(_verdict(r) for r in results)
    totals: Counter = Counter()
    for result in results:
        totals.update(_summary(result))
    not_green = len(results) - verdicts["green"]

    def item(cls: str, value: int, key: str, label: str | None = None) -> str:
        return (
            f'<li class="{cls}" data-key="{html.escape(key)}"><b>{value}</b> '
            f"{html.escape(label or key)}</li>"
        )

    runs = [
        item("", len(results), "ports"),
        item("good", verdicts["green"], "green"),
        item("bad" if not_green else "", not_green, "red or incomplete"),
        item("", len(stages), "stages"),
    ]
    graded = [item("good", totals["passed"], "passed")]
    graded += [
        item("bad" if totals[key] else "", totals[key], key)
        for key in ("failed", "errored", "xpassed", "xfailed")
        if key in ("failed", "errored") or totals[key]
    ]
    na = totals["not_applicable"]
    undeclared = na - totals["not_applicable_input_checks"] - totals["declined"]
    held = [
        item("", undeclared, "not_declared", "not declared"),
        item(
            "", totals["not_applicable_input_checks"], "not_applicable_input_checks", "input checks"
        ),
        item("", totals["declined"], "declined"),
        item("", totals["skipped"], "skipped"),
    ]
    return [
        '<div class="tally">',
        '<ul class="headline" id="headline">',
        *runs,
        "</ul>",
        f'<section class="graded-box" data-key="graded"><b>{sum(totals[o] for o in RAN)}'
        "</b> graded",
        "<ul>",
        *graded,
        "</ul></section>",
        f'<section class="na-box" data-key="not graded"><b>{na + totals["skipped"]}'
        f"</b> not graded ({na} not applicable, {totals['skipped']} skipped)",
        "<ul>",
        *held,
        "</ul></section>",
        "</div>",
    ]


def _tally(result: dict[str, Any], stages: list[str]) -> dict[str, int]:
    """Cases of these stages: passed, failed (or errored, or xpassed), n/a, held (skipped or
    xfailed by the expectations file)."""
    outcomes = Counter(c["outcome"] for c in result.get("cases", []) if c["stage"] in stages)
    return {
        "passed": outcomes["passed"],
        "failed": sum(outcomes[o] for o in NOT_PASSING),
        "na": outcomes["not_applicable"],
        "held": outcomes["skipped"] + outcomes["xfailed"],
    }


def _total_cell(result: dict[str, Any], group: str, stages: list[str]) -> str:
    n = _tally(result, stages)
    kind = (
        "fail"
        if n["failed"]
        else "na"
        if not n["passed"] + n["held"]
        else "partial"
        if n["held"]
        else "pass"
    )
    parts = [f"{n['passed']} passed", f"{n['failed']} failed", f"{n['na']} n/a"]
    if n["held"]:
        parts.append(f"{n['held']} held")
    stage_text = matrix.group_cell(result, stages)
    data = " ".join(f'data-{key}="{value}"' for key, value in n.items())
    return (
        f'<td class="total first {kind}" data-group="{esc(group)}" data-kind="{kind}" {data}'
        f' title="{esc(group)}: {", ".join(parts)} (cases); stages {esc(stage_text)}">'
        f"{SYMBOLS[kind]} {esc(stage_text)}<span>{' · '.join(parts)}</span></td>"
    )


def _matrix(
    results: list[dict[str, Any]],
    groups: list[tuple[str, list[str]]],
    labels: list[tuple[str, str]],
) -> list[str]:
    stages = [stage for _, members in groups for stage in members]
    top = [
        '<tr><th rowspan="2" scope="col" class="port">port</th>'
        '<th rowspan="2" scope="col">dtype</th>'
    ]
    top += [
        f'<th colspan="{len(members) + 1}" scope="colgroup" class="group first" '
        f'data-group="{esc(group)}">{esc(group)} <small>{len(members)} stages</small></th>'
        for group, members in groups
    ]
    top.append('<th rowspan="2" scope="col">verdict</th></tr>')
    names = ["<tr>"]
    for group, members in groups:
        names.append(f'<th scope="col" class="first" data-group="{esc(group)}">total</th>')
        names += [
            f'<th scope="col" class="stage" data-stage="{esc(stage)}">'
            f"{esc(stage).replace('_', '_<wbr>')}</th>"
            for stage in members
        ]
    names.append("</tr>")
    lines = [
        '<div class="scroll" id="matrix-scroll"><table class="matrix" id="matrix">',
        "<thead>",
        "".join(top),
        "".join(names),
        "</thead>",
        "<tbody>",
    ]
    for i, result in enumerate(results):
        port = result["port"]
        name, qualifier = labels[i]
        cells = [
            f'<tr data-port="{esc(name)}" data-label="{esc(_plain(labels[i]))}">',
            f'<th scope="row" class="port">{esc(name)}'
            + (f"<small>{esc(qualifier)}</small>" if qualifier else "")
            + (f"<small>{esc(port['language'])}</small>" if port.get("language") else "")
            + "</th>",
            f"<td>{esc(port.get('dtype'))}</td>",
        ]
        for group, members in groups:
            cells.append(_total_cell(result, group, members))
            for stage in members:
                j = stages.index(stage)
                text = matrix.cell(result, stage)
                kind = matrix.kind(text)
                n = _tally(result, [stage])
                data = " ".join(f'data-{key}="{value}"' for key, value in n.items())
                cells.append(
                    f'<td class="cell {kind}" data-stage="{esc(stage)}" data-kind="{kind}" '
                    f'{data}><a href="#c-{i}-{j}" title="{esc(stage)}: {esc(text)}">'
                    f"{SYMBOLS[kind]} {esc(text)}</a></td>"
                )
        verdict = _verdict(result)
        cells.append(f'<td class="verdict {verdict}">{VERDICTS[verdict]}</td></tr>')
        lines.append("".join(cells))
    lines += ["</tbody>", "</table></div>"]
    legend = " ".join(
        f'<span class="{kind}">{SYMBOLS[kind]} {label}</span>'
        for kind, label in (
            ("pass", "every case passed"),
            ("partial", "passed, some xfailed or skipped"),
            ("fail", "FAIL failing/asked"),
            ("na", "not applicable: not declared"),
        )
    )
    lines.append(
        f'<p class="legend">{legend} A group\'s total counts its stages (passed whole / '
        "asked) and its cases. Click a cell for its cases.</p>"
    )
    return lines


def _chart(
    results: list[dict[str, Any]],
    groups: list[tuple[str, list[str]]],
    labels: list[tuple[str, str]],
) -> list[str]:
    runs = "".join(
        f'<li data-run="{i}">{swatch(i)}{esc(_plain(label))}</li>' for i, label in enumerate(labels)
    )
    return [
        '<h2 id="margins">How close each run comes to its tolerances</h2>',
        '<p class="sub prose">Per stage, the worst error of its graded cases as a fraction '
        "of the case's tolerance (log scale): under the dashed line at 1 the stage passes, "
        "above it the stage fails. Hover a mark for the case.</p>",
        f'<ul class="runs" id="chart-legend">{runs}</ul>',
        '<div class="chart-box">',
        *render_chart(results, [_plain(label) for label in labels], groups, esc),
        "</div>",
    ]


def _failure(case: dict[str, Any], anchor: str, is_open: bool) -> list[str]:
    lines = [
        f'<details class="case" id="{anchor}" data-case="{esc(case["id"])}"'
        f"{' open' if is_open else ''}>",
        f"<summary><code>{esc(case['id'])}</code> ({esc(case['outcome'])}): "
        f"{esc(headline(case), 200)}</summary>",
        '<dl class="failure">',
    ]
    diagnosis = diagnosis_parts(case)
    for label, text in diagnosis:
        css = ' class="likely"' if label == "likely" else ""
        lines.append(f"<dt>{esc(label.strip())}</dt><dd{css}>{esc(text)}</dd>")
    worst = case.get("worst")
    if worst:
        lines += [
            f"<dt>got</dt><dd><code>{esc(worst.get('got'))}</code></dd>",
            f"<dt>wanted</dt><dd><code>{esc(worst.get('want'))}</code></dd>",
        ]
    if case.get("expected_error"):
        lines.append(f"<dt>wanted</dt><dd>error <code>{esc(case['expected_error'])}</code></dd>")
    lines.append(
        "<dt>details</dt><dd><pre>"
        + "\n".join(
            html.escape(line, quote=True)
            for line in details(case)
            if not any(line == f"{label}: {text}" for label, text in diagnosis)
        )
        + "</pre></dd>"
    )
    if case.get("request") is not None:
        lines.append(f"<dt>sent</dt><dd><pre>{_json(case['request'])}</pre></dd>")
    if case.get("response") is not None:
        lines.append(f"<dt>reply</dt><dd><pre>{_json(case['response'])}</pre></dd>")
    if case.get("rerun"):
        lines.append(f"<dt>rerun</dt><dd><pre>{esc(case['rerun'], 2000)}</pre></dd>")
    return lines + ["</dl>", "</details>"]


def _note(case: dict[str, Any]) -> str:
    if case["outcome"] == "passed":
        worst = case.get("worst")
        if worst and isinstance(worst.get("ratio"), (int, float)):
            return f"worst {worst['ratio']:.3g} x tol"
        return ""
    return esc(headline(case), 200)


def _facts(result: dict[str, Any]) -> str:
    """dtype, version, suite, transport, duration, start: those the result has, no placeholder."""
    port = result["port"]
    duration = result.get("duration_s")
    facts = [
        esc(port.get("dtype")),
        f"version {esc(port['version'])}" if port.get("version") else "",
        f"suite {esc(result['suite_version'])}" if result.get("suite_version") else "",
        f"{esc(port['transport'])} transport" if port.get("transport") else "",
        f"{duration:.1f} s" if isinstance(duration, (int, float)) else "",
        f"started {esc(_when(result.get('started_at')))}" if result.get("started_at") else "",
    ]
    return ", ".join(fact for fact in facts if fact)


def _not_graded(summary: dict[str, int]) -> str:
    na, checks, declined = (
        summary["not_applicable"],
        summary["not_applicable_input_checks"],
        summary["declined"],
    )
    if not na:
        return ""
    parts = [
        f"{n} {what}"
        for n, what in (
            (na - checks - declined, "not declared"),
            (checks, "input checks"),
            (declined, "declined"),
        )
        if n
    ]
    return f"; {na} not applicable ({', '.join(parts)})"


def _port_details(
    i: int, result: dict[str, Any], stages: list[str], label: tuple[str, str]
) -> list[str]:
    summary = _summary(result)
    language = result["port"].get("language")
    lines = [
        f'<section class="port" id="p-{i}">',
        f"<h3>{esc(_plain(label))}{f' ({esc(language)})' if language else ''}: "
        f"{esc(summary_line(summary))}{esc(_not_graded(summary))}</h3>",
    ]
    facts = _facts(result)
    if facts:
        lines.append(f'<p class="sub">{facts}</p>')
    if _verdict(result) == "INCOMPLETE":
        lines.append(
            f'<p class="warn"><b>INCOMPLETE</b>: '
            f"{esc(result.get('incomplete_reason') or 'no reason given')}</p>"
        )
    first = True  # the port's first failure is shown open, its failing stages (first) too
    failing = [
        j for j, stage in enumerate(stages) if matrix.kind(matrix.cell(result, stage)) == "fail"
    ]
    for j in failing + [j for j in range(len(stages)) if j not in failing]:
        stage = stages[j]
        cases = [(k, c) for k, c in enumerate(result["cases"]) if c["stage"] == stage]
        text = matrix.cell(result, stage)
        kind = matrix.kind(text)
        lines += [
            f'<details class="stage {kind}" id="c-{i}-{j}" data-stage="{esc(stage)}"'
            f"{' open' if kind == 'fail' else ''}>",
            f"<summary><b>{esc(stage)}</b>: {SYMBOLS[kind]} {esc(text)}</summary>",
        ]
        for k, case in cases:
            if case["outcome"] in NOT_PASSING:
                lines += _failure(case, f"f-{i}-{k}", first)
                first = False
        if cases:
            lines.append('<table class="cases">')
            lines += [
                f"<tr><td><code>{esc(c['id'])}</code></td>"
                f'<td class="outcome">{esc(c["outcome"])}</td><td>{_note(c)}</td></tr>'
                for _, c in cases
            ]
            lines.append("</table>")
        lines.append("</details>")
    return lines + ["</section>"]


def render_html(results: list[dict[str, Any]]) -> str:
    """The page, as one string."""
    groups = matrix.grouped(matrix.stages_of(results))
    stages = [stage for _, members in groups for stage in members]
    labels = run_labels(results)
    suites = sorted({r["suite_version"] for r in results if r.get("suite_version")})
    runners = sorted(
        {
            r["platform"]["runner_version"]
            for r in results
            if (r.get("platform") or {}).get("runner_version")
        }
    )
    style, script = CSS.strip(), SCRIPT.strip()
    csp = (
        f"default-src 'none'; style-src {_csp_hash(style)}; script-src {_csp_hash(script)}; "
        "base-uri 'none'; form-action 'none'"
    )
    sub = [
        f"{len(results)} ports × {len(stages)} stages",
        f"suite {esc(', '.join(suites))}" if suites else "",
        f"runner {esc(', '.join(runners))}" if runners else "",
    ]
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="nnfs-conformance ' + html.escape(__version__) + '">',
        "<title>nnfs-conformance report</title>",
        f"<style>{style}</style>",
        "</head>",
        "<body>",
        "<header>",
        "<h1>nnfs-conformance report</h1>",
        f'<p class="sub">{" · ".join(part for part in sub if part)}</p>',
    ]
    if len(suites) > 1:
        lines.append(
            '<p class="warn">These runs were graded against different suite versions: '
            "their cells are not comparable.</p>"
        )
    lines += _headline(results, stages) + ["</header>", "<main>"]
    lines += _matrix(results, groups, labels)
    lines += _chart(results, groups, labels)
    lines += [
        '<h2 id="details">Per-case details</h2>',
        '<div class="toolbar" id="toolbar" hidden>'
        '<button type="button" id="open-failures">open every failure</button>'
        '<button type="button" id="close-all">close all</button></div>',
    ]
    # the ports that are not green first: their failures are what the reader came for
    order = sorted(range(len(results)), key=lambda i: _verdict(results[i]) == "green")
    for i in order:
        lines += _port_details(i, results[i], stages, labels[i])
    lines += [
        "</main>",
        f"<footer>Written by nnfs-conform {html.escape(__version__)} "
        "<code>report --html</code>; static, no network.</footer>",
        f"<script>{script}</script>",
        "</body>",
        "</html>",
    ]
    return "\n".join(lines) + "\n"


def write_html(results: list[dict[str, Any]], path: str | Path) -> None:
    with files.atomic(path) as out:
        out.write(render_html(results))
