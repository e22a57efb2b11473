"""How cases are declared, and the inputs several stages share (the book's numbers). Each
stage's own cases are in generator/stages/<stage>.py; the generator owns values, ids and files.

A case id is `<stage>/<slug>` and never changes meaning: to change a case, add a new slug.
Descriptions are short present-tense facts. Random cases draw from a fixed seed per case.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .values import Values, one_hot

INF = float("inf")


@dataclass(frozen=True)
class Spec:
    slug: str
    description: str
    tags: tuple[str, ...]
    inputs: dict
    params: dict = field(default_factory=dict)
    error: str | None = None


def ok(slug, description, tags, **inputs):
    params = inputs.pop("params", {})
    return Spec(slug, description, tuple(tags.split()), inputs, params)


def bad(slug, description, kind, **inputs):
    params = inputs.pop("params", {})
    return Spec(slug, description, ("invalid",), inputs, params, kind)


# The book's chapter 1-3 numbers (not exact in float32: tagged inexact-inputs).
BOOK_X = [[1, 2, 3, 2.5], [2.0, 5.0, -1.0, 2.0], [-1.5, 2.7, 3.3, -0.8]]
BOOK_W = [[0.2, 0.8, -0.5, 1.0], [0.5, -0.91, 0.26, -0.5], [-0.26, -0.27, 0.17, 0.87]]
BOOK_B = [2, 3, 0.5]
BOOK_W2 = [[0.1, -0.14, 0.5], [-0.5, 0.12, -0.33], [-0.44, 0.73, -0.13]]
BOOK_B2 = [-1, 2, -0.5]
BOOK_LAYER1 = [[4.8, 1.21, 2.385], [8.9, -1.81, 0.2], [1.41, 1.051, 0.026]]
BOOK_PROBS = [[0.7, 0.1, 0.2], [0.1, 0.5, 0.4], [0.02, 0.9, 0.08]]
# float32-exact probabilities for the invalid-label cases (their values never matter).
BOOK_PROBS_EXACT = [[0.75, 0.125, 0.125], [0.125, 0.5, 0.375], [0.0625, 0.875, 0.0625]]


def random_labelled(sizes, seed, noun="predictions"):
    """Seeded random batches of probabilities with their labels, one per (batch, classes) size,
    the label format alternating sparse and one-hot: (slug, description, tags, y_pred, y_true,
    label_format), the case `seed + i` drawing the i-th."""
    for i, (b, c) in enumerate(sizes):
        r = Values(seed + i)
        labels, fmt = r.labels(b, c), ("onehot" if i % 2 else "sparse")
        yield (
            f"random-{b}x{c}-{fmt}",
            f"{b} random {noun} over {c} classes, {fmt} labels",
            "random",
            r.probabilities(b, c),
            one_hot(labels, c) if fmt == "onehot" else labels,
            fmt,
        )


def _bad_labels(y_pred_probs):
    """Invalid label cases shared by the two stages that read labels."""

    def b(slug, description, kind, y_pred, y_true, label_format="sparse"):
        return bad(
            slug,
            description,
            kind,
            y_pred=y_pred,
            y_true=y_true,
            params={"label_format": label_format},
        )

    p = y_pred_probs
    return [
        b(
            "label-equals-classes",
            "a label equal to the class count is out of range",
            "label_out_of_range",
            p,
            [0, 3, 1],
        ),
        b(
            "negative-label",
            "a negative label is out of range",
            "label_out_of_range",
            p,
            [0, -1, 1],
        ),
        b("fractional-label", "a label of 1.5 is not a class", "invalid_label", p, [0, 1.5, 1]),
        b(
            "one-hot-two-ones",
            "a one-hot row with two ones is refused",
            "invalid_label",
            p,
            [[1, 0, 0], [0, 1, 1], [0, 1, 0]],
            "onehot",
        ),
        b(
            "one-hot-all-zero",
            "a one-hot row of zeros is refused",
            "invalid_label",
            p,
            [[1, 0, 0], [0, 0, 0], [0, 1, 0]],
            "onehot",
        ),
        b("label-count", "fewer labels than samples is refused", "shape_mismatch", p, [0, 1]),
        b(
            "one-hot-width",
            "one-hot rows wider than the classes are refused",
            "shape_mismatch",
            p,
            [[1, 0, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0]],
            "onehot",
        ),
        b(
            "one-hot-as-sparse",
            "one-hot rows sent as sparse labels are refused",
            "shape_mismatch",
            p,
            [[1, 0, 0], [0, 1, 0], [0, 1, 0]],
        ),
        b("empty-batch", "a batch with no samples is refused", "empty_batch", [], []),
        b(
            "ragged-predictions",
            "prediction rows of different lengths are refused",
            "ragged_rows",
            [[0.5, 0.5], [0.2, 0.3, 0.5], [1.0, 0.0]],
            [0, 1, 1],
        ),
    ]
