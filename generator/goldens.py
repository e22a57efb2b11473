"""Exact goldens shared by the forward stages' modules (generator/stages/): dot products, dense
rows, softmax rows, losses and accuracy, with their tolerances at one tier.

Inputs arrive as the tier reads them (already rounded to its dtype); a stage's `golden` returns
{output name: (value, tol)} with nested lists of float64.
"""

from __future__ import annotations

import math
from fractions import Fraction

from . import oracle as o
from . import tolerance as t


def _dot_golden(xs, ws, bias, tier, propagated=0.0):
    terms = [Fraction(x) * Fraction(w) for x, w in zip(xs, ws)] + [Fraction(bias)]
    exact = sum(terms, Fraction(0))
    # a port that reads subnormal operands as 0 (DAZ) loses those products entirely
    propagated += sum(
        abs(float(x) * float(w))
        for x, w in zip(xs, ws)
        if t.is_subnormal(x, tier) or t.is_subnormal(w, tier)
    )
    propagated += abs(float(bias)) if t.is_subnormal(bias, tier) else 0.0
    return exact, t.dot_tol(terms, exact, tier, propagated)


def _dense_exact(inputs, weights_kn, biases, tier, propagated=None):
    """Exact rows and tolerances; `propagated[b][k]` is an error already in inputs[b][k]."""
    columns = list(zip(*weights_kn))
    values, tols = [], []
    for i, row in enumerate(inputs):
        v_row, t_row = [], []
        for col, b in zip(columns, biases):
            carried = 0.0
            if propagated is not None:
                carried = sum(abs(float(w)) * e for w, e in zip(col, propagated[i]))
            value, tol = _dot_golden(row, col, b, tier, carried)
            v_row.append(value)
            t_row.append(tol)
        values.append(v_row)
        tols.append(t_row)
    return values, tols


def _softmax_rows(rows, tier, logit_errors=None):
    """(exact 256-bit rows, float64 rows, tolerances)."""
    exact, values, tols = [], [], []
    for i, row in enumerate(rows):
        probs = o.softmax_row(row)
        p = [float(v) for v in probs]
        tol = t.softmax_row_tol([float(v) for v in row], p, tier)
        if logit_errors is not None:
            # logits off by at most Δ move log p_i by at most 2Δ: |Δp_i| <= p_i·expm1(2Δ)
            spread = math.expm1(2 * max(logit_errors[i]))
            tol = [t.up(e * (1 + spread) + q * spread) for e, q in zip(tol, p)]
        exact.append(probs)
        values.append(p)
        tols.append(tol)
    return exact, values, tols


def _losses(probs, prob_tols, y_true, label_format, tier):
    confidences = o.confidences(probs, y_true, label_format, tier)
    losses = [o.neg_log(c) for c in confidences]
    labels = o.labels_of(y_true, label_format)
    values, tols = [], []
    for b, loss in enumerate(losses):
        rho = 0.0
        if prob_tols is not None:  # probabilities computed by the port, each off by a tol
            # clipping is 1-Lipschitz, so the clipped confidence is off by at most the same tol
            rho = prob_tols[b][labels[b]] / float(confidences[b])
            assert rho < 0.5, "a forward case whose loss tolerance would not be meaningful"
        values.append(float(loss))
        tols.append(t.neg_log_tol(float(loss), rho, tier))
    mean = o.rounded(sum(losses, start=0) / len(losses))
    return values, tols, mean, t.mean_tol(values, tols, mean, tier)


def _accuracy_of(predictions, y_true, label_format, tier):
    labels = o.labels_of(y_true, label_format)
    return _share(sum(1 for a, b in zip(predictions, labels) if a == b), len(labels), tier)


def _share(hits, count, tier):
    """An accuracy, hits / count: (value, tol), the tolerance covering a count divided by the
    count, a mean of 0s and 1s, or count additions of 1/count."""
    value = Fraction(hits, count)
    tol = t.up(t.gamma(count + 1, tier) * float(value) + t.U_R * float(value))
    return float(value), tol


def _plain(value):
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return float(value)
