"""The HTML report's chart: per stage, how close each run comes to its tolerances.

One inline SVG (no script, no library, no network), one mark per run and stage: the largest
`worst.ratio` (error / tolerance of the case's worst element, which every graded case records)
over the stage's graded cases, on a log scale (its decades under 1 drawn taller than those over
it) with the tolerance, 1, drawn as a line. A stage fails exactly when its mark is above that
line: a failure with no finite ratio past 1 (an infinite or not-a-number element, a wrong error
kind, a crash) sits in a band at the top; a stage whose every element matched exactly sits on a
row for 0 at the bottom, a stage not graded (not declared, or every case held back) on a grey
row below it. Every string a port controls is escaped by the caller's `esc`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from . import matrix
from .report_text import NOT_PASSING

GRADED = ("passed", *NOT_PASSING)  # the outcomes whose ratio counts: xfailed is held back

# A colour and a shape per run, so that neither alone tells the runs apart (Okabe-Ito colours,
# readable on white and by the colour-blind).
COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#000000", "#e69f00", "#56b4e9")
SHAPES = ("circle", "square", "triangle", "diamond", "down", "cross")

SLOT = 36  # pixels per stage
GROUP_GAP = 14  # pixels between two groups of stages
LEFT, RIGHT, TOP = 96, 16, 40  # margins; the bottom one holds the stage names
BELOW, ABOVE = 160, 90  # pixels of the plot under the tolerance and over it: the scale is
# logarithmic on each side, and gives the passing side (how close to the bound) more room
ROW = 22  # pixels of each special row (failed without a number, exact 0, not graded)
LABELS = 180  # pixels under the plot for the rotated stage names
FLOOR, CEILING = -6, 6  # decades shown at most; marks further out sit on the edge, said so
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _ratio(value: Any) -> float | None:
    """A recorded ratio as a float (non-finite ones are strings in the JSON), or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        ratio = float(value)
    except ValueError:
        return None
    return math.inf if math.isnan(ratio) else ratio  # NaN is as far from the want as it gets


def stage_worst(result: dict[str, Any], stage: str) -> tuple[str, float | None, str]:
    """(kind, worst ratio, its case id) of one run's stage. kind: `ratio` (a finite worst
    ratio), `exact` (every compared element matched exactly), `past` (the stage fails with no
    finite ratio past 1), `none` (it passes with nothing numeric compared) or `na`."""
    graded = [c for c in result.get("cases", []) if c["stage"] == stage and c["outcome"] in GRADED]
    if not graded:
        return "na", None, ""
    measured = [
        (r, c["id"])
        for c in graded
        if (r := _ratio((c.get("worst") or {}).get("ratio"))) is not None
    ]
    worst, case = max(measured, key=lambda m: m[0]) if measured else (None, "")
    failing = matrix.kind(matrix.cell(result, stage)) == "fail"
    if failing and (worst is None or worst <= 1 or math.isinf(worst)):
        if worst is None or worst <= 1:
            case = next(c["id"] for c in graded if c["outcome"] in NOT_PASSING)
        return "past", worst, case
    if worst is None:
        return "none", None, ""
    return ("exact" if worst == 0 else "ratio"), worst, case


def _sup(exponent: int) -> str:
    if -2 <= exponent <= 3:
        return f"{10.0**exponent:g}"
    return f"10{str(exponent).translate(SUPERSCRIPT)}"


def _shape(shape: str, colour: str, hollow: bool = False) -> str:
    fill = "#ffffff" if hollow else colour
    paint = f'fill="{fill}" stroke="{colour if hollow else "#ffffff"}" stroke-width="1.2"'
    return {
        "circle": f'<circle r="5" {paint}/>',
        "square": f'<rect x="-4.5" y="-4.5" width="9" height="9" {paint}/>',
        "triangle": f'<polygon points="0,-6 5.5,4 -5.5,4" {paint}/>',
        "diamond": f'<polygon points="0,-6.5 6,0 0,6.5 -6,0" {paint}/>',
        "down": f'<polygon points="0,6 5.5,-4 -5.5,-4" {paint}/>',
        "cross": f'<polygon points="-2,-6 2,-6 2,-2 6,-2 6,2 2,2 2,6 -2,6 -2,2 -6,2 -6,-2 '
        f'-2,-2" {paint}/>',
    }[shape]


def swatch(i: int) -> str:
    """The run's marker, as a small inline SVG for the legend."""
    return (
        f'<svg class="swatch" width="14" height="14" viewBox="-7 -7 14 14" aria-hidden="true">'
        f"{_shape(SHAPES[i % len(SHAPES)], COLOURS[i % len(COLOURS)])}</svg>"
    )


def _measure(kind: str, worst: float | None, case: str) -> str:
    """What a mark stands for, in words (its tooltip)."""
    if kind == "na":
        return "not graded"
    if kind == "none":
        return "passed; no number compared (only error cases)"
    if kind == "exact":
        return "every compared element exact (0 x tol)"
    if kind == "past":
        if worst is not None and math.isinf(worst):
            return f"FAILS: an infinite or not-a-number error, in {case}"
        return f"FAILS without an element past its tolerance (error reply or crash), in {case}"
    assert worst is not None  # a `ratio` mark always carries its ratio
    verb = "FAILS: worst" if worst > 1 else "worst"
    return f"{verb} {worst:.3g} x tol, in {case}"


def render_chart(
    results: list[dict[str, Any]],
    labels: list[str],
    groups: list[tuple[str, list[str]]],
    esc: Callable[..., str],
) -> list[str]:
    """The <svg> element, as lines: `labels` name the runs (already unique), `groups` are the
    stages as the matrix groups them."""
    marks = {
        (i, stage): stage_worst(result, stage)
        for i, result in enumerate(results)
        for _, stages in groups
        for stage in stages
    }
    finite = [w for kind, w, _ in marks.values() if kind == "ratio" and w is not None]
    low = min((w for w in finite if w > 0), default=0.1)
    high = max(finite, default=1.0)
    lo = max(FLOOR, min(-1, math.floor(math.log10(low))))
    hi = min(CEILING, max(1, math.ceil(math.log10(high))))
    top = TOP + ROW + 8  # the plot's top edge: the failed-without-a-number band is above it
    one = top + ABOVE  # the tolerance
    bottom = one + BELOW
    exact_y, na_y = bottom + ROW, bottom + 2 * ROW

    def y_at(decade: float) -> float:
        decade = min(hi, max(lo, decade))
        return one - decade / hi * ABOVE if decade > 0 else one + decade / lo * BELOW

    def y_of(kind: str, worst: float | None) -> float:
        if kind == "past":
            return TOP + ROW / 2
        if kind == "exact":
            return exact_y
        if kind in ("na", "none"):
            return na_y
        assert worst is not None  # a `ratio` mark always carries its ratio
        return y_at(math.log10(worst))

    xs: dict[str, float] = {}
    spans: list[tuple[str, float, float]] = []
    x: float = LEFT
    for group, stages in groups:
        start = x
        for stage in stages:
            xs[stage] = x + SLOT / 2
            x += SLOT
        spans.append((group, start, x))
        x += GROUP_GAP
    width = x - GROUP_GAP + RIGHT
    height = na_y + ROW / 2 + LABELS

    n = len(results)
    title = "Worst error as a fraction of its tolerance, per stage and run"
    desc = (
        f"One mark per run and stage ({n} runs x {len(xs)} stages): the largest "
        "error / tolerance over the stage's graded cases, on a log scale from "
        f"{_sup(lo)} to {_sup(hi)} (the decades under 1 drawn taller than those over it). "
        "The dashed line at 1 is the tolerance: a stage fails "
        "exactly when its mark is above it; the top band holds failures with no finite "
        "ratio (an infinite or not-a-number element, a wrong error, a crash). Marks on the "
        "row 0 matched exactly; grey hollow marks at the bottom were not graded."
    )
    lines = [
        f'<svg class="chart" id="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'aria-labelledby="chart-title chart-desc" data-lo="{lo}" data-hi="{hi}">',
        f'<title id="chart-title">{title}</title>',
        f'<desc id="chart-desc">{desc}</desc>',
    ]
    # the groups: a shaded column each, named above the plot
    for k, (group, start, end) in enumerate(spans):
        if k % 2 == 0:
            lines.append(
                f'<rect class="band" x="{start}" y="{TOP}" width="{end - start}" '
                f'height="{na_y + ROW / 2 - TOP}" fill="#f6f8fa"/>'
            )
        lines.append(
            f'<text class="group" x="{(start + end) / 2}" y="{TOP - 14}" '
            f'text-anchor="middle" font-weight="600">{esc(group)}</text>'
        )
    # above the tolerance: where failing stages sit
    lines += [
        f'<rect x="{LEFT}" y="{TOP}" width="{width - RIGHT - LEFT}" height="{one - TOP}" '
        'fill="#ffebe9" fill-opacity="0.55"/>',
        f'<text class="axis" x="{LEFT - 8}" y="{TOP + ROW / 2 + 4}" '
        'text-anchor="end">∞, no number</text>',
    ]
    for decade in range(lo, hi + 1):
        y = y_at(decade)
        edge = "≤ " if decade == lo else "≥ " if decade == hi else ""
        lines += [
            f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#d0d7de" stroke-width="0.8"/>',
            f'<text class="axis" x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">'
            f"{edge}{_sup(decade)}</text>",
        ]
        if lo <= decade < 0 and BELOW / -lo >= 60:  # room for 2 and 5 times the decade
            for factor in (2, 5):
                y = y_at(decade + math.log10(factor))
                lines += [
                    f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                    'stroke="#d0d7de" stroke-width="0.5" stroke-dasharray="2 3"/>',
                    f'<text class="axis minor" x="{LEFT - 8}" y="{y + 4:.1f}" '
                    f'text-anchor="end">{factor * 10.0**decade:g}</text>',
                ]
    lines += [
        f'<line class="tol" x1="{LEFT}" x2="{width - RIGHT}" y1="{one:.1f}" '
        f'y2="{one:.1f}" stroke="#a40e26" stroke-width="1.6" stroke-dasharray="6 4"/>',
        f'<text x="{width - RIGHT - 4}" y="{one - 5:.1f}" text-anchor="end" '
        'fill="#a40e26" font-weight="600">tolerance (1): above it the stage fails</text>',
        f'<text class="axis" x="{LEFT - 8}" y="{exact_y + 4}" text-anchor="end">0 exact</text>',
        f'<text class="axis" x="{LEFT - 8}" y="{na_y + 4}" text-anchor="end">not graded</text>',
        f'<text class="axis" transform="translate(14 {(top + bottom) / 2:.0f}) rotate(-90)" '
        'text-anchor="middle">worst error / tolerance (log)</text>',
    ]
    # the stage names, under the plot, rotated to fit the slot
    for stage, sx in xs.items():
        lines.append(
            f'<text class="stage" transform="translate({sx + 4:.0f} {na_y + ROW:.0f}) '
            f'rotate(-50)" text-anchor="end">{esc(stage, 60)}</text>'
        )
    step = min(7.0, (SLOT - 10) / max(n - 1, 1))
    for (i, stage), (kind, worst, case) in marks.items():
        mx = xs[stage] + (i - (n - 1) / 2) * step
        my = y_of(kind, worst)
        ratio = f' data-ratio="{worst:.6g}"' if worst is not None and math.isfinite(worst) else ""
        lines.append(
            f'<g class="mark" data-run="{i}" data-stage="{esc(stage)}" data-kind="{kind}"'
            f'{ratio} transform="translate({mx:.1f} {my:.1f})">'
            f"<title>{esc(labels[i])}, {esc(stage)}: {esc(_measure(kind, worst, case))}</title>"
            f"{_shape(SHAPES[i % len(SHAPES)], COLOURS[i % len(COLOURS)], kind in ('na', 'none'))}"
            "</g>"
        )
    return lines + ["</svg>"]
