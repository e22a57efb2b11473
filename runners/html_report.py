"""Several runs as one static HTML page: `nnfs-conform report --html OUT.html RESULT.json...`.

One self-contained file (inline CSS and JS, no fonts, images or requests: a Content Security
Policy forbids them, and any script but ours): the headline numbers, a port x stage matrix whose
cells carry a text label and a symbol as well as a colour, and per-case details on demand in
<details> blocks (a matrix cell links to its block; the script opens it). Every port-controlled
string is escaped: a port's name, messages and replies are hostile by assumption.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections import Counter
from pathlib import Path
from typing import Any

from . import __version__, files, matrix
from .report_text import NOT_PASSING, details, diagnosis_parts, headline, one_line, summary_line
from .result import exit_status

MAX_JSON = 4000  # characters of a request or reply shown in a failure block

# matrix.kind -> symbol shown before the cell's text (colour is never the only signal)
SYMBOLS = {"pass": "✓", "partial": "◐", "fail": "✗", "na": "–"}
VERDICTS = {"green": "✓ green", "red": "✗ red", "INCOMPLETE": "⚠ INCOMPLETE"}

CSS = """
:root{--pass:#dafbe1;--pass-ink:#116329;--fail:#ffebe9;--fail-ink:#a40e26;--na:#f0f1f3;
--na-ink:#57606a;--partial:#fff8c5;--partial-ink:#7d4e00;--line:#d0d7de}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;
max-width:1240px;padding:20px 24px;color:#1f2328;background:#fff}
h1{font-size:24px;margin:0 0 2px}h2{font-size:19px;margin:28px 0 8px}
h3{font-size:16px;margin:18px 0 6px}
.sub{color:#57606a;margin:0 0 14px}
.headline{display:flex;flex-wrap:wrap;gap:10px;list-style:none;padding:0;margin:0 0 18px}
.headline li{border:1px solid var(--line);border-radius:8px;padding:8px 14px;min-width:110px}
.headline b{display:block;font-size:24px;line-height:1.1}
.headline .bad b{color:var(--fail-ink)}.headline .good b{color:var(--pass-ink)}
table{border-collapse:collapse}
.scroll{overflow-x:auto}
.matrix{width:100%;font-size:13.5px}
.matrix th,.matrix td{border:1px solid var(--line);padding:5px 7px;text-align:left;
white-space:nowrap}
.matrix thead th{background:#f6f8fa;font-weight:600;white-space:normal;vertical-align:bottom}
.matrix tbody th{white-space:normal;overflow-wrap:anywhere;min-width:150px;max-width:260px}
.matrix tbody th small{font-weight:400;color:#57606a}
.matrix td.cell{padding:0}
.matrix td.cell a{display:block;padding:6px 8px;color:inherit;text-decoration:none}
.matrix td.cell a:hover,.matrix td.cell a:focus{outline:2px solid #0969da;outline-offset:-2px}
.pass{background:var(--pass);color:var(--pass-ink)}
.fail{background:var(--fail);color:var(--fail-ink);font-weight:600}
.na{background:var(--na);color:var(--na-ink)}
.partial{background:var(--partial);color:var(--partial-ink)}
.verdict.green{color:var(--pass-ink);font-weight:600}
.verdict.red,.verdict.INCOMPLETE{color:var(--fail-ink);font-weight:700}
.legend{color:#57606a;font-size:13px;margin:8px 0 0}
.legend span{display:inline-block;padding:0 6px;border-radius:4px;margin-right:6px}
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
    """Port-controlled text as one inert line of HTML."""
    return html.escape(one_line(value, limit), quote=True)


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


def _verdict(result: dict[str, Any]) -> str:
    if exit_status(result) == 0:
        return "green"
    return "INCOMPLETE" if not result["complete"] else "red"


def _port_label(result: dict[str, Any]) -> str:
    port = result["port"]
    return f"{port['name']} ({port['language']})"


def _headline(results: list[dict[str, Any]], stages: list[str]) -> list[str]:
    verdicts = Counter(_verdict(r) for r in results)
    totals = Counter()
    for result in results:
        totals.update({k: v for k, v in result["summary"].items()})
    not_green = len(results) - verdicts["green"]
    items = [
        ("", len(results), "ports"),
        ("good", verdicts["green"], "green"),
        ("bad" if not_green else "", not_green, "red or incomplete"),
        ("", len(stages), "stages"),
        ("", totals["total"], "cases graded"),
        ("good", totals["passed"], "passed"),
        ("bad" if totals["failed"] else "", totals["failed"], "failed"),
        ("bad" if totals["errored"] else "", totals["errored"], "errored"),
    ]
    return ['<ul class="headline" id="headline">'] + [
        f'<li class="{cls}" data-key="{html.escape(label)}"><b>{value}</b> {html.escape(label)}'
        "</li>" for cls, value, label in items
    ] + ["</ul>"]


def _matrix(results: list[dict[str, Any]], stages: list[str]) -> list[str]:
    lines = ['<div class="scroll"><table class="matrix" id="matrix">',
             "<thead><tr><th>port</th><th>dtype</th>"]
    lines += [f'<th scope="col">{esc(stage).replace("_", "_<wbr>")}</th>' for stage in stages]
    lines += ["<th>verdict</th></tr></thead>", "<tbody>"]
    for i, result in enumerate(results):
        cells = [f'<tr data-port="{esc(result["port"]["name"])}">',
                 f'<th scope="row">{esc(result["port"]["name"])}'
                 f' <small>{esc(result["port"]["language"])}</small></th>',
                 f"<td>{esc(result['port']['dtype'])}</td>"]
        for j, stage in enumerate(stages):
            text = matrix.cell(result, stage)
            kind = matrix.kind(text)
            cells.append(
                f'<td class="cell {kind}" data-stage="{esc(stage)}" data-kind="{kind}">'
                f'<a href="#c-{i}-{j}" title="{esc(stage)}: {esc(text)}">'
                f"{SYMBOLS[kind]} {esc(text)}</a></td>")
        verdict = _verdict(result)
        cells.append(f'<td class="verdict {verdict}">{VERDICTS[verdict]}</td></tr>')
        lines.append("".join(cells))
    lines += ["</tbody>", "</table></div>"]
    legend = " ".join(f'<span class="{kind}">{SYMBOLS[kind]} {label}</span>' for kind, label in (
        ("pass", "every case passed"), ("partial", "passed, some xfailed or skipped"),
        ("fail", "FAIL failing/asked"), ("na", "not applicable: not declared")))
    lines.append(f'<p class="legend">{legend} Click a cell for its cases.</p>')
    return lines


def _failure(case: dict[str, Any], anchor: str, is_open: bool) -> list[str]:
    lines = [f'<details class="case" id="{anchor}" data-case="{esc(case["id"])}"'
             f'{" open" if is_open else ""}>',
             f"<summary><code>{esc(case['id'])}</code> ({esc(case['outcome'])}): "
             f"{esc(headline(case), 200)}</summary>", '<dl class="failure">']
    diagnosis = diagnosis_parts(case)
    for label, text in diagnosis:
        css = ' class="likely"' if label == "likely" else ""
        lines.append(f"<dt>{esc(label.strip())}</dt><dd{css}>{esc(text)}</dd>")
    worst = case.get("worst")
    if worst:
        lines += [f"<dt>got</dt><dd><code>{esc(worst.get('got'))}</code></dd>",
                  f"<dt>wanted</dt><dd><code>{esc(worst.get('want'))}</code></dd>"]
    if case.get("expected_error"):
        lines.append(f"<dt>wanted</dt><dd>error <code>{esc(case['expected_error'])}</code></dd>")
    lines.append("<dt>details</dt><dd><pre>"
                 + "\n".join(html.escape(line, quote=True) for line in details(case)
                             if not any(line == f"{label}: {text}"
                                        for label, text in diagnosis))
                 + "</pre></dd>")
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


def _port_details(i: int, result: dict[str, Any], stages: list[str]) -> list[str]:
    lines = [f'<section class="port" id="p-{i}">',
             f"<h3>{esc(_port_label(result))}: {esc(summary_line(result['summary']))}</h3>"]
    port = result["port"]
    lines.append(f'<p class="sub">{esc(port["dtype"])}, version {esc(port.get("version"))}, '
                 f"suite {esc(result['suite_version'])}, {esc(port['transport'])} transport, "
                 f"{result['duration_s']:.1f} s, started {esc(result['started_at'])}</p>")
    if not result["complete"]:
        lines.append(f'<p class="warn"><b>INCOMPLETE</b>: '
                     f"{esc(result.get('incomplete_reason') or 'no reason given')}</p>")
    first = True  # the port's first failure is shown open, its failing stages (first) too
    failing = [j for j, stage in enumerate(stages) if matrix.kind(matrix.cell(result, stage))
               == "fail"]
    for j in failing + [j for j in range(len(stages)) if j not in failing]:
        stage = stages[j]
        cases = [(k, c) for k, c in enumerate(result["cases"]) if c["stage"] == stage]
        text = matrix.cell(result, stage)
        kind = matrix.kind(text)
        lines += [f'<details class="stage {kind}" id="c-{i}-{j}" data-stage="{esc(stage)}"'
                  f'{" open" if kind == "fail" else ""}>',
                  f"<summary><b>{esc(stage)}</b>: {SYMBOLS[kind]} {esc(text)}</summary>"]
        for k, case in cases:
            if case["outcome"] in NOT_PASSING:
                lines += _failure(case, f"f-{i}-{k}", first)
                first = False
        if cases:
            lines.append('<table class="cases">')
            lines += [f'<tr><td><code>{esc(c["id"])}</code></td>'
                      f'<td class="outcome">{esc(c["outcome"])}</td><td>{_note(c)}</td></tr>'
                      for _, c in cases]
            lines.append("</table>")
        lines.append("</details>")
    return lines + ["</section>"]


def render_html(results: list[dict[str, Any]]) -> str:
    """The page, as one string."""
    stages = matrix.stages_of(results)
    suites = sorted({r["suite_version"] for r in results})
    runners = sorted({r["platform"]["runner_version"] for r in results})
    style, script = CSS.strip(), SCRIPT.strip()
    csp = (f"default-src 'none'; style-src {_csp_hash(style)}; script-src {_csp_hash(script)}; "
           "base-uri 'none'; form-action 'none'")
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
        f'<p class="sub">{len(results)} ports × {len(stages)} stages · suite '
        f"{esc(', '.join(suites))} · runner {esc(', '.join(runners))}</p>",
    ]
    if len(suites) > 1:
        lines.append('<p class="warn">These runs were graded against different suite versions: '
                     "their cells are not comparable.</p>")
    lines += _headline(results, stages) + ["</header>", "<main>"]
    lines += _matrix(results, stages)
    lines += ['<h2 id="details">Per-case details</h2>',
              '<div class="toolbar" id="toolbar" hidden>'
              '<button type="button" id="open-failures">open every failure</button>'
              '<button type="button" id="close-all">close all</button></div>']
    # the ports that are not green first: their failures are what the reader came for
    order = sorted(range(len(results)), key=lambda i: _verdict(results[i]) == "green")
    for i in order:
        lines += _port_details(i, results[i], stages)
    lines += ["</main>",
              f"<footer>Written by nnfs-conform {html.escape(__version__)} "
              "<code>report --html</code>; static, no network.</footer>",
              f"<script>{script}</script>", "</body>", "</html>"]
    return "\n".join(lines) + "\n"


def write_html(results: list[dict[str, Any]], path: str | Path) -> None:
    with files.atomic(path) as out:
        out.write(render_html(results))
