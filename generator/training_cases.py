"""The training stages' cases: backward passes, regularization, dropout, more losses, optimizer
steps and training trajectories (docs/STAGES.md, "Training").

Same rules as generator/cases.py: ids never change meaning, random cases draw from a fixed seed
per case, every input of an `exact` case is a float32 and its results are exact in both tiers.
"""

from __future__ import annotations

import math
from dataclasses import replace

from nnfs_conform.reference.training import STATE

from .cases import BOOK_PROBS, BOOK_PROBS_EXACT, BOOK_W, BOOK_X, _bad_labels, bad, ok
from .values import Values, one_hot, transpose

DEFAULTS = {  # the book's constructor defaults
    "sgd": {"learning_rate": 1.0, "decay": 0.0, "momentum": 0.0},
    "adagrad": {"learning_rate": 1.0, "decay": 0.0, "epsilon": 1e-7},
    "rmsprop": {"learning_rate": 0.001, "decay": 0.0, "epsilon": 1e-7, "rho": 0.9},
    "adam": {"learning_rate": 0.001, "decay": 0.0, "epsilon": 1e-7, "beta_1": 0.9,
             "beta_2": 0.999},
}


def _inexact_tagged(spec):
    """Add `inexact-inputs` where a hyperparameter such as 0.001 is not a float32 (the build
    still checks every tag against the inputs)."""
    import numpy as np

    def floats(value):
        if isinstance(value, list):
            for v in value:
                yield from floats(v)
        elif isinstance(value, float):
            yield value
    inexact = any(float(np.float32(x)) != x for v in spec.inputs.values() for x in floats(v))
    if inexact and "inexact-inputs" not in spec.tags and "invalid" not in spec.tags:
        return replace(spec, tags=(*spec.tags, "inexact-inputs"))
    return spec


def _zeros(rows, cols=None):
    return [0.0] * rows if cols is None else [[0.0] * cols for _ in range(rows)]


# -- backward passes ------------------------------------------------------------------------------
def _dense_back(slug, description, tags, inputs, weights, dvalues):
    return ok(slug, description, tags, inputs=inputs, weights=weights, dvalues=dvalues)


def dense_backward():
    v = Values(9101)
    cases = [
        _dense_back("book-batch", "the book's batch with dvalues 1, 2, 3 gives dinputs 0.44, "
                    "-0.38, -0.07, 1.37 doubled and tripled, dbiases 6", "book inexact-inputs",
                    BOOK_X, transpose(BOOK_W), [[1.0] * 3, [2.0] * 3, [3.0] * 3]),
        _dense_back("book-single-neuron", "the book's neuron x = 1, -2, 3, w = -3, -1, 2 with "
                    "dvalue 1 gives dx = w, dw = x, db = 1", "book exact",
                    [[1.0, -2.0, 3.0]], [[-3.0], [-1.0], [2.0]], [[1.0]]),
        _dense_back("dbiases-sum-batch", "dbiases sum the batch: four samples, distinct values",
                    "edge exact", [[1.0, 0.0]] * 4, [[0.5, -1.0, 2.0], [0.25, 0.0, 1.0]],
                    [[1.0, 2.0, 3.0], [0.5, -1.0, 0.25], [4.0, 0.0, -2.0], [-1.5, 0.125, 8.0]]),
        _dense_back("non-square", "batch 3, 2 inputs, 5 neurons: every transpose shows",
                    "edge exact", v.matrix(3, 2, v.dyadic), v.matrix(2, 5, v.dyadic),
                    v.matrix(3, 5, v.dyadic)),
        _dense_back("square-asymmetric", "square asymmetric weights tell weights from weights.T "
                    "apart in dinputs", "edge exact", v.matrix(3, 3, v.dyadic),
                    v.matrix(3, 3, v.dyadic), v.matrix(3, 3, v.dyadic)),
        _dense_back("batch-of-one", "a batch of one: dbiases equal dvalues", "edge exact",
                    [[0.5, -2.0, 1.5]], v.matrix(3, 2, v.dyadic), [[0.75, -0.25]]),
        _dense_back("zero-dvalues", "zero incoming gradients give zero gradients", "edge exact",
                    v.matrix(2, 3, v.dyadic), v.matrix(3, 2, v.dyadic), _zeros(2, 2)),
        _dense_back("cancelling-dbiases", "a bias gradient that sums to nearly zero is judged "
                    "against its terms", "edge", [[1.0], [1.0], [1.0]], [[1.0]],
                    [[0.10000000149011612], [-0.30000001192092896], [0.20000000298023224]]),
        _dense_back("wide-batch-64", "64 samples summed into each weight and bias gradient",
                    "edge random", v.matrix(64, 3, v.full), v.matrix(3, 2, v.full),
                    v.matrix(64, 2, v.full)),
        bad("dvalues-width", "dvalues wider than the layer's neurons are refused",
            "shape_mismatch", inputs=[[1.0, 2.0]], weights=[[0.5], [0.25]], dvalues=[[1.0, 2.0]]),
        bad("dvalues-batch", "dvalues for another batch size are refused", "shape_mismatch",
            inputs=[[1.0, 2.0]], weights=[[0.5], [0.25]], dvalues=[[1.0], [2.0]]),
        bad("weights-mismatch", "weights that do not fit the inputs are refused",
            "shape_mismatch", inputs=[[1.0, 2.0]], weights=[[0.5, 1.0]], dvalues=[[1.0, 2.0]]),
        bad("ragged-dvalues", "dvalues rows of different lengths are refused", "ragged_rows",
            inputs=[[1.0], [2.0]], weights=[[0.5, 1.0]], dvalues=[[1.0, 2.0], [1.0]]),
        bad("empty-batch", "a batch with no samples is refused", "empty_batch",
            inputs=[], weights=[[0.5]], dvalues=[]),
    ]
    for i, (b, k, n) in enumerate(((2, 3, 4), (4, 2, 3), (5, 5, 2), (3, 7, 6), (8, 2, 3),
                                   (1, 4, 4), (6, 3, 1), (10, 6, 5), (12, 2, 64), (3, 33, 3),
                                   (7, 1, 7))):
        r = Values(9150 + i)
        cases.append(_dense_back(f"random-b{b}-k{k}-n{n}", f"batch {b}, {k} inputs, {n} neurons",
                                 "random", r.matrix(b, k, r.full), r.matrix(k, n, r.full),
                                 r.matrix(b, n, r.full)))
    return cases


def relu_backward():
    cases = [
        ok("book-derivative", "the book's example: 1 2 0 0 / 5 0 0 8 / 0 10 11 0", "book exact",
           inputs=[[1.0, 2.0, -3.0, -4.0], [2.0, -7.0, -1.0, 3.0], [-1.0, 2.0, 5.0, -1.0]],
           dvalues=[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0]]),
        ok("zero-input-blocks", "an input of exactly 0 passes no gradient", "edge exact",
           inputs=[[0.0, 1.0, -1.0]], dvalues=[[5.0, 5.0, 5.0]]),
        ok("negative-zero-input-blocks", "an input of -0.0 passes no gradient either", "edge exact",
           inputs=[[-0.0, 0.0, 2.0]], dvalues=[[3.0, 3.0, 3.0]]),
        ok("mask-on-inputs-not-dvalues", "negative gradients pass where the input is positive, "
           "positive ones stop where it is negative", "edge exact",
           inputs=[[1.0, -1.0, 2.0, -2.0]], dvalues=[[-4.0, 4.0, -0.5, 0.5]]),
        ok("tiny-inputs", "the smallest positive input passes, the smallest negative one stops",
           "edge exact", inputs=[[1.401298464324817e-45, -1.401298464324817e-45]],
           dvalues=[[1.5, 1.5]]),
        ok("flat-vector", "a rank-1 input works element by element", "edge exact",
           inputs=[3.0, -3.0, 0.0], dvalues=[1.0, 1.0, 1.0]),
        ok("infinite-inputs", "+Infinity passes the gradient, -Infinity stops it", "edge exact",
           inputs=[[math.inf, -math.inf]], dvalues=[[2.0, 2.0]]),
        ok("zero-inputs-negative-dvalues", "inputs of 0 and -0.0 stop negative gradients too "
           "(a mask on dvalues would stop them for another reason)", "edge exact",
           inputs=[[0.0, -0.0, 0.0, -0.0]], dvalues=[[-2.0, -3.0, 4.0, 5.0]]),
        ok("signed-zeros-in-batch", "zeros of both signs among positive and negative inputs, "
           "gradients of both signs: only the positive inputs pass", "edge exact",
           inputs=[[0.0, 1.5, -0.0, -2.0], [-0.0, -0.25, 0.0, 3.0], [2.5, 0.0, -1.0, -0.0]],
           dvalues=[[1.0, -2.0, 3.0, -4.0], [-0.5, 0.75, -1.25, 2.0], [4.0, -8.0, 16.0, 0.5]]),
        bad("shape-mismatch", "dvalues of another shape are refused", "shape_mismatch",
            inputs=[[1.0, 2.0]], dvalues=[[1.0, 2.0, 3.0]]),
        bad("ragged-inputs", "input rows of different lengths are refused", "ragged_rows",
            inputs=[[1.0, 2.0], [3.0]], dvalues=[[1.0, 2.0], [3.0]]),
        bad("rank-three", "a rank-3 array is refused", "shape_mismatch",
            inputs=[[[1.0]]], dvalues=[[[1.0]]]),
    ]
    for i, (b, n) in enumerate(((2, 3), (4, 5), (1, 16), (8, 2), (5, 7), (3, 3), (6, 4),
                                (10, 10), (2, 64), (16, 3), (4, 1), (7, 9), (9, 2), (1, 1),
                                (12, 6))):
        r = Values(9200 + i)
        cases.append(ok(f"random-{b}x{n}", f"a random {b}x{n} batch", "random",
                        inputs=r.matrix(b, n, r.full), dvalues=r.matrix(b, n, r.full)))
    return cases


def softmax_backward():
    v = Values(9301)
    book = [[0.7, 0.1, 0.2]] * 3
    cases = [
        ok("book-jacobian", "unit gradients read out the book's Jacobian of 0.7, 0.1, 0.2: "
           "0.21 -0.07 -0.14 / -0.07 0.09 -0.02 / -0.14 -0.02 0.16", "book inexact-inputs",
           output=book, dvalues=[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]),
        ok("uniform-ones", "a uniform output with equal gradients gives zero: softmax ignores "
           "shifts", "edge exact", output=[[0.25] * 4], dvalues=[[1.5] * 4]),
        ok("one-hot-output", "a certain output (1, 0, 0) passes no gradient", "edge exact",
           output=[[1.0, 0.0, 0.0]], dvalues=[[2.0, -1.0, 3.0]]),
        ok("two-classes", "two classes: p(1 - p) times the difference", "edge exact",
           output=[[0.75, 0.25], [0.5, 0.5]], dvalues=[[1.0, 0.0], [0.0, 2.0]]),
        ok("rows-independent", "each row uses its own Jacobian", "edge",
           output=v.probabilities(3, 4), dvalues=v.matrix(3, 4, v.dyadic)),
        ok("last-class", "a gradient on the last class only", "edge",
           output=[[0.125, 0.25, 0.5, 0.125]], dvalues=[[0.0, 0.0, 0.0, -4.0]]),
        bad("shape-mismatch", "dvalues of another shape are refused", "shape_mismatch",
            output=[[0.5, 0.5]], dvalues=[[1.0, 2.0, 3.0]]),
        bad("empty-batch", "a batch with no rows is refused", "empty_batch",
            output=[], dvalues=[]),
        bad("ragged-output", "output rows of different lengths are refused", "ragged_rows",
            output=[[0.5, 0.5], [1.0]], dvalues=[[1.0, 2.0], [1.0]]),
    ]
    for i, (b, c) in enumerate(((2, 3), (4, 5), (1, 10), (6, 2), (3, 7), (5, 3), (8, 4),
                                (2, 16), (4, 2), (1, 3), (3, 12), (10, 3), (6, 6), (2, 33),
                                (7, 5), (1, 2))):
        r = Values(9350 + i)
        cases.append(ok(f"random-{b}x{c}", f"random {b}x{c} probabilities and gradients",
                        "random", output=r.probabilities(b, c), dvalues=r.matrix(b, c, r.full)))
    return cases


def _labelled(slug, description, tags, y_pred, y_true, label_format="sparse", **params):
    return ok(slug, description, tags, y_pred=y_pred, y_true=y_true,
              params={"label_format": label_format, **params})


def categorical_crossentropy_backward():
    v = Values(9401)
    cases = [
        _labelled("book-batch-sparse", "the book's predictions with targets 0, 1, 1",
                  "book inexact-inputs", BOOK_PROBS, [0, 1, 1]),
        _labelled("book-batch-one-hot", "the same with one-hot targets", "book inexact-inputs",
                  BOOK_PROBS, one_hot([0, 1, 1], 3), "onehot"),
        _labelled("divides-by-samples", "four samples: every gradient is divided by 4",
                  "edge exact", [[0.5, 0.5], [0.25, 0.75], [0.125, 0.875], [1.0, 0.0625]],
                  [0, 1, 0, 0]),
        _labelled("no-clip-tiny", "no clipping: a target probability of 2^-40 gives -2^40/B",
                  "edge exact", [[9.094947017729282e-13, 0.5]], [0]),
        _labelled("no-clip-one", "no clipping: a target probability of 1 gives -1/B",
                  "edge exact", [[1.0, 0.5], [0.5, 1.0]], [0, 1]),
        _labelled("last-class-one-hot", "a target in the last class, one-hot", "edge exact",
                  [[0.25, 0.25, 0.5]], one_hot([2], 3), "onehot"),
        _labelled("five-by-four", "5 samples by 4 classes", "edge", v.probabilities(5, 4),
                  v.labels(5, 4)),
    ] + [_with_params(c, {}) for c in _bad_labels(BOOK_PROBS_EXACT)]
    for i, (b, c) in enumerate(((3, 3), (6, 2), (2, 8), (8, 5), (1, 4), (4, 3), (10, 2),
                                (5, 6))):
        r = Values(9450 + i)
        labels, fmt = r.labels(b, c), ("onehot" if i % 2 else "sparse")
        cases.append(_labelled(f"random-{b}x{c}-{fmt}", f"{b} random predictions over {c} "
                               f"classes, {fmt} labels", "random", r.probabilities(b, c),
                               one_hot(labels, c) if fmt == "onehot" else labels, fmt))
    for i, (b, c) in enumerate(((2, 5), (6, 4), (3, 7))):
        r = Values(9480 + i)
        cases.append(_labelled(f"samples-not-classes-{b}x{c}", f"{b} samples over {c} classes: "
                               f"divided by the {b} samples, not the {c} classes", "edge",
                               r.probabilities(b, c), r.labels(b, c)))
    return cases


def _with_params(spec, extra):
    return replace(spec, params={**spec.params, **extra})


def softmax_crossentropy_backward():
    v = Values(9501)
    families = [
        ("book-batch", "the book's softmax outputs with targets 0, 1, 1 give -0.1, 0.0333, "
         "0.0667 first", "book inexact-inputs", BOOK_PROBS, [0, 1, 1], "sparse"),
        ("book-batch-one-hot", "the same with one-hot targets", "book inexact-inputs", BOOK_PROBS,
         one_hot([0, 1, 1], 3), "onehot"),
        ("divides-by-samples", "two samples over four classes: divided by 2, not by 4",
         "edge exact", [[0.25, 0.25, 0.25, 0.25], [0.5, 0.125, 0.125, 0.25]], [3, 0], "sparse"),
        ("confident-correct", "a confident correct prediction gives a gradient near 0", "edge",
         [[0.9990234375, 0.0009765625]], [0], "sparse"),
        ("confident-wrong", "a confident wrong prediction gives a gradient near -1/B", "edge",
         [[0.0009765625, 0.9990234375]], [0], "sparse"),
        ("rows-not-summing-to-one", "rows that do not sum to 1 exactly: the two paths still "
         "agree", "edge", v.probabilities(4, 3, bits=6), v.labels(4, 3), "sparse"),
        ("single-class", "a single class: the gradient is exactly 0", "edge exact",
         [[1.0], [1.0]], [0, 0], "sparse"),
    ]
    for i, (b, c) in enumerate(((3, 3), (5, 4), (2, 10), (8, 3))):
        r = Values(9550 + i)
        labels, fmt = r.labels(b, c), ("onehot" if i % 2 else "sparse")
        families.append((f"random-{b}x{c}-{fmt}", f"{b} random softmax outputs over {c} "
                         f"classes, {fmt} labels", "random", r.probabilities(b, c),
                         one_hot(labels, c) if fmt == "onehot" else labels, fmt))
    for i, (b, c) in enumerate(((2, 5), (6, 4), (3, 7))):
        r = Values(9580 + i)
        families.append((f"samples-not-classes-{b}x{c}", f"{b} samples over {c} classes: "
                         f"divided by the {b} samples, not the {c} classes", "edge",
                         r.probabilities(b, c), r.labels(b, c), "sparse"))
    cases = []
    for slug, description, tags, y_pred, y_true, fmt in families:
        for path in ("combined", "separate"):
            cases.append(_labelled(f"{slug}-{path}", f"{description} ({path})", tags, y_pred,
                                   y_true, fmt, path=path))
    cases += [_with_params(c, {"path": "combined"}) for c in _bad_labels(BOOK_PROBS_EXACT)]
    return cases


# -- regularization and dropout -------------------------------------------------------------------
def _reg(slug, description, tags, weights, biases, l1w=0.0, l2w=0.0, l1b=0.0, l2b=0.0):
    return ok(slug, description, tags, weights=weights, biases=biases, weight_regularizer_l1=l1w,
              weight_regularizer_l2=l2w, bias_regularizer_l1=l1b, bias_regularizer_l2=l2b)


def regularization():
    v = Values(9601)
    w, b = v.matrix(3, 4, v.dyadic), v.vector(4, v.dyadic)
    cases = [
        _reg("book-chapter14-l2", "the book's chapter 14 layer: L2 5e-4 on weights and biases",
             "book inexact-inputs", v.matrix(2, 4, v.full), v.vector(4, v.full),
             l2w=5e-4, l2b=5e-4),
        _reg("l1-weights", "an L1 penalty on weights: the sum of magnitudes, gradient the sign",
             "edge exact",
             w, b, l1w=0.5),
        _reg("l2-weights", "an L2 penalty on weights: the sum of squares, gradient 2·l2·w",
             "edge exact",
             w, b, l2w=0.25),
        _reg("l1-biases", "an L1 penalty on biases only", "edge exact", w, b, l1b=0.125),
        _reg("l2-biases", "an L2 penalty on biases only", "edge exact", w, b, l2b=2.0),
        _reg("all-four", "all four regularizers at once", "edge exact", w, b,
             l1w=0.5, l2w=0.25, l1b=0.125, l2b=2.0),
        _reg("sign-of-zero", "d|w|/dw is +1 at 0 and at -0.0, as the book has it", "edge exact",
             [[0.0, -0.0], [1.0, -1.0]], [0.0, -0.0], l1w=1.0, l1b=0.5),
        _reg("no-regularization", "all factors zero: no loss, no gradient", "edge exact", w, b),
        _reg("sign-of-zero-weights", "weights of +0.0 and -0.0 among others: d|w|/dw is +1 at "
             "both zeros, L1 on weights only", "edge exact",
             [[0.0, 1.5, -0.0], [-2.0, -0.0, 0.0], [0.25, 0.0, -0.5]], [1.0, -1.0, 0.5], l1w=0.25),
        _reg("sign-of-negative-zero-biases", "biases of -0.0 get +1 from L1, not -1 or 0",
             "edge exact", [[1.0, -1.0]], [-0.0, -0.0], l1b=2.0),
        _reg("sign-of-zero-with-l2", "at +0.0 and -0.0 the L2 term is 0 and L1 gives +l1: "
             "the gradient is l1 exactly", "edge exact",
             [[0.0, -0.0, 0.75], [-0.0, -1.5, 0.0]], [-0.0, 0.0, 1.0], l1w=0.5, l2w=0.125,
             l1b=0.0625, l2b=4.0),
        _reg("factor-two", "the L2 gradient keeps its factor 2", "edge exact", [[3.0]], [-5.0],
             l2w=1.0, l2b=1.0),
        bad("negative-factor", "a negative factor is refused", "invalid_value",
            weights=[[1.0]], biases=[1.0], weight_regularizer_l1=-0.5, weight_regularizer_l2=0.0,
            bias_regularizer_l1=0.0, bias_regularizer_l2=0.0),
        bad("bias-count", "a bias count other than the neurons is refused", "shape_mismatch",
            weights=[[1.0, 2.0]], biases=[1.0], weight_regularizer_l1=0.0,
            weight_regularizer_l2=0.5, bias_regularizer_l1=0.0, bias_regularizer_l2=0.0),
        bad("vector-factor", "a list as a factor is refused", "shape_mismatch",
            weights=[[1.0]], biases=[1.0], weight_regularizer_l1=[0.5], weight_regularizer_l2=0.0,
            bias_regularizer_l1=0.0, bias_regularizer_l2=0.0),
        bad("ragged-weights", "weight rows of different lengths are refused", "ragged_rows",
            weights=[[1.0, 2.0], [1.0]], biases=[1.0, 2.0], weight_regularizer_l1=0.0,
            weight_regularizer_l2=0.5, bias_regularizer_l1=0.0, bias_regularizer_l2=0.0),
    ]
    for i, (k, n) in enumerate(((2, 3), (4, 4), (8, 2), (3, 16), (1, 1), (6, 5), (2, 64),
                                (16, 3), (5, 7), (1, 9), (10, 10), (3, 2))):
        r = Values(9650 + i)
        cases.append(_reg(f"random-{k}x{n}", f"random {k}x{n} weights, all four factors",
                          "random", r.matrix(k, n, r.full), r.vector(n, r.full),
                          r.full(-12, -8, False), r.full(-12, -8, False),
                          r.full(-12, -8, False), r.full(-12, -8, False)))
    return cases


def _drop(slug, description, tags, inputs, mask, rate, dvalues):
    return ok(slug, description, tags, inputs=inputs, mask=mask, rate=rate, dvalues=dvalues)


def dropout():
    book = [[0.27, -1.03, 0.67, 0.99, 0.05, -0.37, -2.01, 1.13, -0.07, 0.73]]
    cases = [
        _drop("book-example", "the book's example outputs, half of them dropped at rate 0.5",
              "book inexact-inputs", book, [[1, 0, 0, 1, 1, 0, 1, 0, 0, 1]], 0.5, [[1.0] * 10]),
        _drop("rate-one-tenth", "the book's Layer_Dropout(0.1): kept values grow by 1/0.9",
              "edge inexact-inputs", [[1.0, -2.0, 3.0], [0.5, 0.25, -4.0]],
              [[1, 1, 0], [1, 0, 1]], 0.1, [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]),
        _drop("rate-zero", "a rate of 0 keeps everything unchanged", "edge exact",
              [[1.5, -2.0]], [[1, 1]], 0.0, [[0.25, 4.0]]),
        _drop("rate-half", "a rate of 0.5 doubles what it keeps", "edge exact",
              [[1.5, -2.0, 3.0]], [[1, 0, 1]], 0.5, [[0.25, 4.0, -1.0]]),
        _drop("all-dropped", "a mask of zeros drops everything", "edge exact",
              [[1.5, -2.0], [3.0, 4.0]], [[0, 0], [0, 0]], 0.25, [[1.0, 1.0], [1.0, 1.0]]),
        _drop("mask-scales-gradient", "the backward pass scales dvalues by the same mask",
              "edge exact", [[0.0, 0.0, 0.0]], [[1, 0, 1]], 0.75, [[1.0, 2.0, 3.0]]),
        bad("mask-not-binary", "a mask value of 0.5 is refused", "invalid_value",
            inputs=[[1.0, 2.0]], mask=[[1, 0.5]], rate=0.5, dvalues=[[1.0, 1.0]]),
        bad("rate-one", "a rate of 1 (nothing kept, division by zero) is refused",
            "invalid_value", inputs=[[1.0, 2.0]], mask=[[0, 0]], rate=1.0, dvalues=[[1.0, 1.0]]),
        bad("negative-rate", "a negative rate is refused", "invalid_value",
            inputs=[[1.0, 2.0]], mask=[[1, 1]], rate=-0.25, dvalues=[[1.0, 1.0]]),
        bad("mask-shape", "a mask of another shape is refused", "shape_mismatch",
            inputs=[[1.0, 2.0]], mask=[[1, 1, 0]], rate=0.5, dvalues=[[1.0, 1.0]]),
        bad("dvalues-shape", "dvalues of another shape are refused", "shape_mismatch",
            inputs=[[1.0, 2.0]], mask=[[1, 1]], rate=0.5, dvalues=[[1.0], [1.0]]),
        bad("empty-batch", "a batch with no samples is refused", "empty_batch",
            inputs=[], mask=[], rate=0.5, dvalues=[]),
    ]
    for i, (b, n, rate) in enumerate(((2, 8, 0.125), (4, 4, 0.375), (3, 16, 0.25), (8, 3, 0.5),
                                      (1, 5, 0.0625), (6, 6, 0.75), (2, 32, 0.5), (5, 2, 0.25),
                                      (3, 3, 0.875), (10, 4, 0.125), (4, 7, 0.3125),
                                      (1, 1, 0.5), (7, 3, 0.625))):
        r = Values(9750 + i)
        mask = [[r.integer(0, 1) for _ in range(n)] for _ in range(b)]
        cases.append(_drop(f"random-{b}x{n}", f"random {b}x{n} inputs, "
                           f"drop rate {rate}", "random", r.matrix(b, n, r.full), mask, rate,
                           r.matrix(b, n, r.full)))
    return cases


# -- sigmoid and the losses of chapters 16-17 -----------------------------------------------------
def sigmoid():
    cases = [
        ok("book-layer-outputs", "the book's layer outputs 4.8, 1.21, 2.385... through the sigmoid",
           "book inexact-inputs", inputs=[[4.8, 1.21, 2.385], [8.9, -1.81, 0.2],
                                          [1.41, 1.051, 0.026]],
           dvalues=[[1.0, 1.0, 1.0], [2.0, 2.0, 2.0], [3.0, 3.0, 3.0]]),
        ok("zero", "sigmoid(0) is 0.5 and its slope 0.25", "edge exact",
           inputs=[[0.0, -0.0]], dvalues=[[1.0, 4.0]]),
        ok("symmetric", "sigmoid(-x) = 1 - sigmoid(x)", "edge",
           inputs=[[2.0, -2.0, 0.5, -0.5]], dvalues=[[1.0, 1.0, 1.0, 1.0]]),
        ok("saturated-positive", "large inputs give 1 and a vanishing gradient", "edge",
           inputs=[[20.0, 40.0, 100.0]], dvalues=[[1.0, 1.0, 1.0]]),
        ok("saturated-negative", "very negative inputs give tiny outputs, not NaN", "edge",
           inputs=[[-20.0, -40.0, -100.0, -800.0]], dvalues=[[1.0, 1.0, 1.0, 1.0]]),
        ok("float32-exp-overflow-edge", "inputs near -88.7, where float32 exp(-x) overflows",
           "edge", inputs=[[-88.5, -89.0, -87.5, 88.75]], dvalues=[[1.0, 1.0, 1.0, 1.0]]),
        ok("tiny-inputs", "inputs near 1e-30 give 0.5 and a slope of 0.25", "edge",
           inputs=[[7.888609052210118e-31, -7.888609052210118e-31]], dvalues=[[1.0, 1.0]]),
        ok("gradient-scales", "the backward pass multiplies dvalues by s(1 - s)", "edge",
           inputs=[[1.0, 1.0, 1.0]], dvalues=[[-2.0, 0.0, 3.5]]),
        ok("beyond-float64-exp-overflow", "inputs of ±710 to ±1000, where float64 exp(x) "
           "overflows: 0 or 1, never exp(x)/(1 + exp(x)) = NaN", "edge",
           inputs=[[710.0, 800.0, -710.0, -800.0], [1000.0, -1000.0, 709.0, -709.0]],
           dvalues=[[1.0, 2.0, 3.0, 4.0], [-1.0, -2.0, 0.5, 0.25]]),
        ok("beyond-float32-exp-overflow", "inputs of ±89 to ±200, where float32 exp(x) "
           "overflows: 0 or 1 and a vanishing gradient, never NaN", "edge",
           inputs=[[89.0, 100.0, 200.0], [-89.0, -100.0, 88.0]],
           dvalues=[[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]),
        bad("shape-mismatch", "dvalues of another shape are refused", "shape_mismatch",
            inputs=[[1.0, 2.0]], dvalues=[[1.0]]),
        bad("empty-batch", "a batch with no samples is refused", "empty_batch",
            inputs=[], dvalues=[]),
        bad("ragged-inputs", "input rows of different lengths are refused", "ragged_rows",
            inputs=[[1.0, 2.0], [1.0]], dvalues=[[1.0, 2.0], [1.0]]),
    ]
    for i, (b, n, lo, hi) in enumerate(((2, 3, -2, 1), (4, 5, -1, 3), (1, 16, 0, 4), (6, 2, -3, 2),
                                        (3, 3, -6, -2), (8, 4, 2, 5), (5, 1, -1, 1),
                                        (2, 8, 3, 6), (4, 4, -3, 3), (1, 32, -2, 2),
                                        (7, 2, 0, 3), (3, 6, -4, 0), (10, 3, -1, 2),
                                        (2, 2, 4, 6))):
        r = Values(9850 + i)
        cases.append(ok(f"random-{b}x{n}", f"random {b}x{n} inputs up to 2^{hi + 1}", "random",
                        inputs=r.matrix(b, n, lambda r=r, lo=lo, hi=hi: r.full(lo, hi)),
                        dvalues=r.matrix(b, n, r.full)))
    return cases


def _pair(slug, description, tags, y_pred, y_true):
    return ok(slug, description, tags, y_pred=y_pred, y_true=y_true)


def binary_crossentropy():
    v = Values(9901)
    cases = [
        _pair("book-predictions", "the book's predictions read as three sigmoid outputs a "
              "sample, targets 0, 1, 1 as binary rows", "book inexact-inputs", BOOK_PROBS,
              [[1, 0, 0], [0, 1, 0], [0, 1, 0]]),
        _pair("halves", "a prediction of 0.5 costs ln 2 whatever the target", "edge",
              [[0.5], [0.5]], [[1], [0]]),
        _pair("clip-upper", "a certain prediction of 1 is clipped in the loss and the gradient",
              "edge", [[1.0], [1.0]], [[1], [0]]),
        _pair("clip-lower", "a prediction of 0 is clipped in the loss and the gradient", "edge",
              [[0.0], [0.0]], [[1], [0]]),
        _pair("near-one-float32", "just below 1: kept in float64, clipped in float32", "edge",
              [[0.9999999403953552], [0.9999999403953552]], [[1], [0]]),
        _pair("all-ones", "every target 1", "edge", [[0.25, 0.5], [0.75, 0.125]], [[1, 1], [1, 1]]),
        _pair("all-zeros", "every target 0", "edge", [[0.25, 0.5], [0.75, 0.125]],
              [[0, 0], [0, 0]]),
        _pair("several-outputs", "three outputs per sample: the loss is their mean, the "
              "gradient divided by 3", "edge", [[0.25, 0.75, 0.5], [0.125, 0.875, 0.5]],
              [[0, 1, 1], [1, 0, 0]]),
        _pair("book-shape", "labels as a column, one output per sample, as the book's "
              "y.reshape(-1, 1)", "edge", v.probabilities(4, 1, bits=8), [[1], [0], [1], [1]]),
        bad("label-two", "a target of 2 is refused", "invalid_label",
            y_pred=[[0.5], [0.5]], y_true=[[1], [2]]),
        bad("label-fraction", "a target of 0.5 is refused", "invalid_label",
            y_pred=[[0.5], [0.5]], y_true=[[1], [0.5]]),
        bad("target-shape", "targets of another shape are refused", "shape_mismatch",
            y_pred=[[0.5], [0.5]], y_true=[1, 0]),
        bad("empty-batch", "a batch with no samples is refused", "empty_batch",
            y_pred=[], y_true=[]),
    ]
    for i, (b, n) in enumerate(((4, 1), (3, 3), (8, 2), (2, 5), (1, 1), (6, 4), (10, 1),
                                (3, 7), (5, 2), (16, 1), (2, 2), (7, 3))):
        r = Values(9950 + i)
        preds = [[r.integer(1, 2**12 - 1) / 2**12 for _ in range(n)] for _ in range(b)]
        cases.append(_pair(f"random-{b}x{n}", f"random {b}x{n} predictions and targets",
                           "random", preds, [[r.integer(0, 1) for _ in range(n)]
                                             for _ in range(b)]))

    def draw(r, b, n):
        return (r.matrix(b, n, lambda: r.full(-6, -2, False)),
                [[r.integer(0, 1) for _ in range(n)] for _ in range(b)])
    return cases + _samples_not_outputs(9990, draw)


def _regression_cases(seed):
    v = Values(seed)
    cases = [
        _pair("equal", "predictions equal to the targets cost 0, with a zero gradient",
              "edge exact", [[0.5, -1.5]], [[0.5, -1.5]]),
        _pair("one-output", "one output per sample, as the book's sine regression", "edge exact",
              [[0.5], [-0.25], [1.0], [0.0]], [[0.25], [0.25], [-1.0], [0.0]]),
        _pair("several-outputs", "three outputs: the mean over outputs, the gradient divided "
              "by outputs and samples", "edge exact",
              [[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]], [[1.5, 2.0, 2.0], [0.25, -1.0, 1.0]]),
        _pair("signs", "predictions above and below the targets pull opposite ways", "edge exact",
              [[2.0, -2.0]], [[1.0, 1.0]]),
        _pair("large-differences", "differences of 2000 keep their accuracy", "edge exact",
              [[1000.0, -1000.0]], [[-1000.0, 1000.0]]),
        _pair("tiny-differences", "a difference of one float32 step at 1", "edge exact",
              [[1.0000001192092896, 1.0]], [[1.0, 1.0000001192092896]]),
        _pair("negative-zero", "-0.0 against 0.0 is no error", "edge exact",
              [[-0.0, 0.0]], [[0.0, -0.0]]),
        _pair("many-outputs", "sixteen outputs in one sample", "edge exact",
              [[i / 8 for i in range(16)]], [[(15 - i) / 4 for i in range(16)]]),
        _pair("book-sine-points", "the book's sine regression shape: sin(x) targets, one output",
              "book inexact-inputs", [[0.1], [0.2], [0.3]], [[0.0998], [0.1987], [0.2955]]),
        bad("target-shape", "targets of another shape are refused", "shape_mismatch",
            y_pred=[[0.5, 1.0]], y_true=[[0.5]]),
        bad("empty-batch", "a batch with no samples is refused", "empty_batch",
            y_pred=[], y_true=[]),
        bad("flat-predictions", "a flat list is refused: a batch is a matrix", "shape_mismatch",
            y_pred=[0.5, 1.0], y_true=[0.5, 1.0]),
    ]
    for i, (b, n) in enumerate(((4, 1), (3, 3), (8, 2), (16, 1), (1, 1), (5, 4), (2, 8),
                                (10, 2), (6, 1), (3, 5), (12, 3), (7, 2), (1, 6))):
        r = Values(seed + 50 + i)
        cases.append(_pair(f"random-{b}x{n}", f"random {b}x{n} predictions and targets",
                           "random", r.matrix(b, n, r.full), r.matrix(b, n, r.full)))
    cases += _samples_not_outputs(seed + 80, lambda r, b, n: (r.matrix(b, n, r.full),
                                                              r.matrix(b, n, r.full)))
    del v
    return cases


def _samples_not_outputs(seed, draw):
    """Batches whose sample count differs from the output count (neither 1), every element a
    full-precision number: a gradient divided by only one of the two is off by the other."""
    cases = []
    for i, (b, n) in enumerate(((2, 5), (6, 4), (3, 7))):
        r = Values(seed + i)
        y_pred, y_true = draw(r, b, n)
        cases.append(_pair(f"samples-not-outputs-{b}x{n}", f"{b} samples of {n} outputs: the "
                           f"gradient is divided by both, {n} and {b}", "edge", y_pred, y_true))
    return cases


def mean_squared_error():
    return _regression_cases(10001)


def mean_absolute_error():
    return _regression_cases(10101)


# -- optimizer steps -------------------------------------------------------------------------------
def _step(optimizer, slug, description, tags, weights, biases, dweights, dbiases,
          iterations=0, state=None, **hyper):
    inputs = {"weights": weights, "biases": biases, "dweights": dweights, "dbiases": dbiases}
    k, n = len(weights), len(biases)
    for name in STATE[optimizer]:
        given = (state or {}).get(name)
        inputs[name] = given if given is not None else (
            _zeros(k, n) if name.startswith("weight") else _zeros(n))
    inputs["iterations"] = iterations
    inputs.update({**DEFAULTS[optimizer], **hyper})
    return _inexact_tagged(ok(slug, description, tags, **inputs))


def _layer(r, k=3, n=2, lo=-3, hi=0):
    return r.matrix(k, n, lambda: r.full(lo, hi)), r.vector(n, lambda: r.full(lo, hi))


def _state_values(r, optimizer, k=3, n=2):
    """A mid-training state: momentums of either sign, caches positive."""
    state = {}
    for name in STATE[optimizer]:
        def draw(name=name):
            return r.full(-10, -4, signed=name.endswith("momentums"))
        state[name] = r.matrix(k, n, draw) if name.startswith("weight") else r.vector(n, draw)
    return state


def _optimizer_cases(optimizer, seed):
    r = Values(seed)
    w, b = _layer(r)
    g, gb = _layer(r, lo=-8, hi=-2)
    state = _state_values(r, optimizer)
    tiny = r.matrix(3, 2, lambda: r.full(-27, -27)), r.vector(2, lambda: r.full(-27, -27))
    huge = r.matrix(3, 2, lambda: r.full(10, 13)), r.vector(2, lambda: r.full(10, 13))
    zero = _zeros(3, 2), _zeros(2)
    s = _step
    cases = [
        s(optimizer, "defaults-first-step", "the book's defaults, first step (iteration 0)",
          "edge", w, b, g, gb),
        s(optimizer, "defaults-second-step", "the book's defaults at iteration 1, from a state",
          "edge", w, b, g, gb, 1, state),
        s(optimizer, "defaults-iteration-10", "the book's defaults at iteration 10, from a state",
          "edge", w, b, g, gb, 10, state),
        s(optimizer, "decay-iteration-10", "decay 0.1 at iteration 10 halves the rate",
          "edge", w, b, g, gb, 10, state, decay=0.1),
        s(optimizer, "decay-iteration-0", "decay does not touch the first step's rate",
          "edge", w, b, g, gb, 0, None, decay=0.5),
        s(optimizer, "tiny-gradients", "gradients near 1e-8, where epsilon's place matters",
          "edge", w, b, *tiny),
        s(optimizer, "tiny-gradients-later", "gradients near 1e-8 at iteration 10, from a state",
          "edge", w, b, *tiny, 10, state),
        s(optimizer, "zero-gradients", "zero gradients leave the parameters where they are",
          "edge", w, b, *zero),
        s(optimizer, "zero-gradients-with-state", "zero gradients from a state at iteration 1",
          "edge", w, b, *zero, 1, state),
        s(optimizer, "large-gradients", "gradients near 1e4", "edge", w, b, *huge),
        s(optimizer, "large-gradients-later", "gradients near 1e4 at iteration 1, from a state",
          "edge", w, b, *huge, 1, state),
        bad("dweights-shape", "gradients of another shape are refused", "shape_mismatch",
            **_step(optimizer, "x", "x", "", [[1.0, 2.0]], [0.5, 0.5], [[1.0]], [0.5, 0.5]).inputs),
        bad("state-shape", "a state array of another shape is refused", "shape_mismatch",
            **_step(optimizer, "x", "x", "", [[1.0, 2.0]], [0.5, 0.5], [[1.0, 2.0]], [0.5, 0.5],
                    0, {STATE[optimizer][0]: [[0.0]]}).inputs),
        bad("negative-iterations", "a negative iteration count is refused", "invalid_value",
            **_step(optimizer, "x", "x", "", [[1.0]], [0.5], [[1.0]], [0.5], -1).inputs),
        bad("fractional-iterations", "an iteration count of 1.5 is refused", "invalid_value",
            **_step(optimizer, "x", "x", "", [[1.0]], [0.5], [[1.0]], [0.5], 1.5).inputs),
        bad("ragged-weights", "weight rows of different lengths are refused", "ragged_rows",
            **_step(optimizer, "x", "x", "", [[1.0, 2.0], [1.0]], [0.5, 0.5],
                    [[1.0, 2.0], [1.0]], [0.5, 0.5]).inputs),
    ]
    for i, (k, n, it) in enumerate(((2, 3, 0), (4, 4, 3), (1, 6, 7), (5, 2, 1), (3, 3, 2),
                                    (6, 1, 9), (2, 8, 4))):
        rr = Values(seed + 50 + i)
        cases.append(s(optimizer, f"random-{k}x{n}-iteration-{it}", f"random {k}x{n} layer at "
                       f"iteration {it}", "random", *_layer(rr, k, n), *_layer(rr, k, n, -8, -2),
                       it, _state_values(rr, optimizer, k, n) if it else None))
    return cases


def sgd_step():
    r = Values(10201)
    w, b = _layer(r)
    g, gb = _layer(r, lo=-8, hi=-2)
    state = _state_values(r, "sgd")
    return _optimizer_cases("sgd", 10200) + [
        _step("sgd", "book-single-neuron", "the book's neuron w = -3, -1, 2, b = 1 with "
              "lr 0.001 becomes -3.001, -0.998, 1.997, 0.999", "book inexact-inputs",
              [[-3.0], [-1.0], [2.0]], [1.0], [[1.0], [-2.0], [3.0]], [1.0], learning_rate=0.001),
        _step("sgd", "book-decay-toy", "the book's decay toy: lr 1, decay 0.1 at step 1 uses "
              "0.9090909090909091", "book inexact-inputs", w, b, g, gb, 1, decay=0.1),
        _step("sgd", "momentum-first-step", "momentum 0.9 from zero state equals plain SGD",
              "edge inexact-inputs", w, b, g, gb, momentum=0.9),
        _step("sgd", "momentum-with-state", "momentum 0.5 carries half the previous update",
              "edge", w, b, g, gb, 3, state, momentum=0.5),
        _step("sgd", "momentum-and-decay", "the book's Optimizer_SGD(decay=1e-3, momentum=0.9) "
              "at iteration 10: the decayed rate is inside the momentum", "edge inexact-inputs",
              w, b, g, gb, 10, state, decay=1e-3, momentum=0.9),
        _step("sgd", "no-momentum-keeps-state", "without momentum the momentum arrays come "
              "back unchanged", "edge", w, b, g, gb, 2, state),
        _step("sgd", "learning-rate-085", "the book's Optimizer_SGD(learning_rate=.85)",
              "edge inexact-inputs", w, b, g, gb, learning_rate=0.85),
        _step("sgd", "exact-step", "binary fractions step exactly", "edge exact",
              [[0.5, -0.25]], [1.0, 2.0], [[0.125, 1.0]], [-0.5, 0.25], 0, None,
              learning_rate=0.5),
    ]


def adagrad_step():
    r = Values(10301)
    w, b = _layer(r)
    g, gb = _layer(r, lo=-8, hi=-2)
    return _optimizer_cases("adagrad", 10300) + [
        _step("adagrad", "book-decay-1e-4", "the book's Optimizer_Adagrad(decay=1e-4) at "
              "iteration 10", "book inexact-inputs", w, b, g, gb, 10,
              _state_values(r, "adagrad"), decay=1e-4),
        _step("adagrad", "first-step-moves-lr", "the first step moves every parameter by about "
              "the learning rate: g / sqrt(g²) = ±1", "edge inexact-inputs", w, b, g, gb,
              learning_rate=0.5),
    ]


def rmsprop_step():
    r = Values(10401)
    w, b = _layer(r)
    g, gb = _layer(r, lo=-8, hi=-2)
    return _optimizer_cases("rmsprop", 10400) + [
        _step("rmsprop", "rho-zero", "rho 0 keeps only the latest squared gradient",
              "edge inexact-inputs", w, b, g, gb, 2, _state_values(r, "rmsprop"), rho=0.0),
        _step("rmsprop", "book-rho-0999", "the book's Optimizer_RMSprop(learning_rate=0.02, "
              "decay=1e-5, rho=0.999) at iteration 10", "book inexact-inputs", w, b, g, gb, 10,
              _state_values(r, "rmsprop"), learning_rate=0.02, decay=1e-5, rho=0.999),
    ]


def adam_step():
    r = Values(10501)
    w, b = _layer(r)
    g, gb = _layer(r, lo=-8, hi=-2)
    return _optimizer_cases("adam", 10500) + [
        _step("adam", "book-final", "the book's final Optimizer_Adam(learning_rate=0.05, "
              "decay=5e-7) at iteration 10", "book inexact-inputs", w, b, g, gb, 10,
              _state_values(r, "adam"), learning_rate=0.05, decay=5e-7),
        _step("adam", "first-step-moves-lr", "the first step moves every parameter by about "
              "the learning rate: the corrected m / sqrt(v) is ±1", "edge inexact-inputs",
              w, b, g, gb, learning_rate=0.02),
    ]


# -- training trajectories -------------------------------------------------------------------------
def spiral(points: int, classes: int, seed: int):
    """A small spiral dataset as data, the book's shape, coordinates rounded to 1/4096 so
    every number is exact in float32 and nothing depends on the platform's sin and cos."""
    r = Values(seed)
    xs, ys = [], []
    for c in range(classes):
        for i in range(points):
            radius = (i + 1) / points
            angle = c * 4 + radius * 4 + (r.integer(-256, 256) / 1024)
            xs.append([round(radius * math.sin(angle * 2.5) * 4096) / 4096,
                       round(radius * math.cos(angle * 2.5) * 4096) / 4096])
            ys.append(c)
    return xs, ys


def _train(slug, description, tags, data, hidden, optimizer, steps, seed, label_format="sparse",
           scale=(-3, -1), **hyper):
    r = Values(seed)
    xs, ys = data
    k, classes = len(xs[0]), max(ys) + 1
    settings = {**DEFAULTS["sgd"], **DEFAULTS["adagrad"], **DEFAULTS["rmsprop"],
                **DEFAULTS["adam"], **DEFAULTS[optimizer], **hyper}

    def draw():
        return r.full(*scale)
    return _inexact_tagged(ok(slug, description, tags, inputs=xs,
              y_true=one_hot(ys, classes) if label_format == "onehot" else ys,
              weights1=r.matrix(k, hidden, draw), biases1=r.vector(hidden, draw),
              weights2=r.matrix(hidden, classes, draw), biases2=r.vector(classes, draw),
              steps=steps, **{n: settings[n] for n in TRAINING_HYPERPARAMETERS},
              params={"label_format": label_format, "optimizer": optimizer}))


def _tiny_gradients(slug, description, data, seed, **hyper):
    """An Adam run whose inputs are scaled to about 2^-20 and whose first-layer biases are
    tiny: most weight gradients come out near 1e-7, the size of epsilon."""
    xs, ys = data
    spec = _train(slug, description, "edge", ([[v * 2.0**-20 for v in row] for row in xs], ys),
                  4, "adam", 3, seed, learning_rate=0.01, **hyper)
    r = Values(seed + 1)
    biases1 = [r.full(-26, -23) for _ in spec.inputs["biases1"]]
    return replace(spec, inputs={**spec.inputs, "biases1": biases1})


def _zero_row_case():
    """A sample at the origin meets a zero bias: its hidden pre-activation is exactly 0, where
    ReLU's gradient must be 0 (the first step's biases1 gradient shows it)."""
    spec = _train("zero-preactivation", "a sample at the origin and a zero bias: ReLU's "
                  "gradient at exactly 0 is 0", "edge", spiral(2, 3, 11801), 3, "sgd", 3,
                  11802, learning_rate=0.2)
    inputs = [[0.0, 0.0], *spec.inputs["inputs"][1:]]
    biases1 = [0.0, *spec.inputs["biases1"][1:]]
    return replace(spec, inputs={**spec.inputs, "inputs": inputs, "biases1": biases1})


TRAINING_HYPERPARAMETERS = ("learning_rate", "decay", "momentum", "epsilon", "rho", "beta_1",
                            "beta_2")


def training():
    data = spiral(4, 3, 11001)
    small = spiral(2, 3, 11002)
    t = _train
    cases = [
        t("sgd-ten-steps", "plain SGD, lr 0.5, ten steps on 12 spiral points", "edge", data, 4,
          "sgd", 10, 11101, learning_rate=0.5),
        t("sgd-book-rate-four-steps", "plain SGD at the book's default rate 1, four steps", "edge",
          data, 4, "sgd", 4, 11107),
        t("sgd-decay-ten-steps",
          "plain SGD with decay 1e-1: the rate is recomputed, not compounded",
          "edge", data, 4, "sgd", 10, 11102, learning_rate=0.3, decay=1e-1),
        t("sgd-momentum-ten-steps", "the book's SGD(decay=1e-3, momentum=0.9) at rate 0.2",
          "book", data, 4, "sgd", 10, 11103, learning_rate=0.2, decay=1e-3, momentum=0.9),
        t("sgd-momentum-large-decay", "momentum 0.5 with decay 0.1: decay and momentum "
          "interleave", "edge", data, 4, "sgd", 10, 11104, learning_rate=0.5, decay=0.1,
          momentum=0.5),
        t("sgd-one-hot", "plain SGD with one-hot targets", "edge", data, 4, "sgd", 10, 11105,
          "onehot",
          learning_rate=0.2),
        t("sgd-wide-hidden", "plain SGD with 16 hidden units on 6 points", "edge", small, 16, "sgd",
          10, 11106, learning_rate=0.05, decay=1e-2),
        t("adagrad-three-steps", "three steps of AdaGrad(decay=1e-4)", "edge", data, 4, "adagrad",
          3, 11201, learning_rate=0.05, decay=1e-4),
        t("adagrad-small-rate", "an AdaGrad run at rate 0.02 on 6 points", "edge", small, 3,
          "adagrad", 3, 11202, learning_rate=0.02),
        t("rmsprop-three-steps", "three steps of RMSprop(decay=1e-4)", "edge", data, 4, "rmsprop",
          3, 11301, decay=1e-4),
        t("rmsprop-rho-0999", "the book's RMSprop(decay=1e-5, rho=0.999), rate 0.001: "
          "steps of about 30 times the rate", "edge", data, 4, "rmsprop", 3,
          11302, learning_rate=0.001, decay=1e-5, rho=0.999),
        t("adam-three-steps", "three steps of Adam with the book's defaults", "edge", data, 4,
          "adam", 3, 11401),
        t("adam-book-final", "the book's Adam(learning_rate=0.05, decay=5e-7)", "book", data, 4,
          "adam", 3, 11402, learning_rate=0.05, decay=5e-7),
        t("adam-one-hot", "the book's Adam(learning_rate=0.02, decay=1e-5) on one-hot targets",
          "edge",
          small, 5, "adam", 3, 11403, "onehot", learning_rate=0.02, decay=1e-5),
        t("single-step", "one SGD step: loss and accuracy before, parameters after", "edge",
          small, 3, "sgd", 1, 11501),
        _zero_row_case(),
        t("random-sgd-b9-h5", "plain SGD, rate 0.2, 9 points, 5 hidden units", "random",
          spiral(3, 3, 11701), 5, "sgd", 10, 11702, learning_rate=0.2),
        t("random-sgd-momentum-b6-h8", "momentum 0.8, 6 points, 8 hidden units",
          "random", spiral(2, 3, 11703), 8, "sgd", 8, 11704, learning_rate=0.1, momentum=0.8),
        t("random-adagrad-b8-h3", "an AdaGrad run at rate 0.03 on two classes", "random",
          spiral(4, 2, 11705), 3, "adagrad", 3, 11707, learning_rate=0.03),
        t("random-rmsprop-b12-h6", "an RMSprop run at rate 0.005 with decay 1e-3", "random",
          spiral(3, 4, 11707), 6, "rmsprop", 3, 11708, learning_rate=0.005, decay=1e-3),
        t("random-adam-b10-h4", "an Adam run at rate 0.01 on five classes", "random",
          spiral(2, 5, 11709), 4, "adam", 3, 11710, learning_rate=0.01),
        t("random-adam-b4-h2", "two hidden units under Adam with decay 0.1", "random",
          spiral(2, 2, 11711), 2, "adam", 3, 11712, learning_rate=0.005, decay=0.1),
        _tiny_gradients("adam-tiny-gradients", "inputs near 1e-6 under Adam: weight gradients "
                        "near epsilon, where the scale of a gradient and epsilon's value show",
                        spiral(4, 3, 11801), 11802),
        _tiny_gradients("adam-tiny-gradients-six-samples", "the same on 6 samples with "
                        "epsilon 1e-6", spiral(2, 3, 11803), 11804, epsilon=1e-6),
        bad("zero-steps", "zero steps are refused", "invalid_value",
            **_train("x", "x", "", small, 2, "sgd", 0, 11601).inputs,
            params={"label_format": "sparse", "optimizer": "sgd"}),
        bad("weights2-mismatch", "second-layer weights that do not fit the hidden layer are "
            "refused", "shape_mismatch",
            **{**_train("x", "x", "", small, 2, "sgd", 1, 11602).inputs,
                                             "weights2": [[0.5, 0.5, 0.5]]},
            params={"label_format": "sparse", "optimizer": "sgd"}),
        bad("label-out-of-range", "a label beyond the classes is refused", "label_out_of_range",
            **{**_train("x", "x", "", small, 2, "sgd", 1, 11603).inputs,
               "y_true": [0, 1, 2, 3, 0, 1]},
            params={"label_format": "sparse", "optimizer": "sgd"}),
        bad("empty-batch", "a batch with no samples is refused", "empty_batch",
            **{**_train("x", "x", "", small, 2, "sgd", 1, 11604).inputs, "inputs": [],
               "y_true": []}, params={"label_format": "sparse", "optimizer": "sgd"}),
        bad("fractional-steps", "a step count of 2.5 is refused", "invalid_value",
            **_train("x", "x", "", small, 2, "sgd", 2.5, 11605).inputs,
            params={"label_format": "sparse", "optimizer": "adam"}),
    ]
    return cases


CATALOGUE = {
    "dense_backward": dense_backward, "relu_backward": relu_backward,
    "softmax_backward": softmax_backward,
    "categorical_crossentropy_backward": categorical_crossentropy_backward,
    "softmax_crossentropy_backward": softmax_crossentropy_backward,
    "regularization": regularization, "dropout": dropout, "sigmoid": sigmoid,
    "binary_crossentropy": binary_crossentropy, "mean_squared_error": mean_squared_error,
    "mean_absolute_error": mean_absolute_error, "sgd_step": sgd_step,
    "adagrad_step": adagrad_step, "rmsprop_step": rmsprop_step, "adam_step": adam_step,
    "training": training,
}

DESCRIPTIONS = {
    "dense_backward": "The dense layer's backward pass: dweights = inputs.T @ dvalues, dbiases "
                      "summed over the batch, dinputs = dvalues @ weights.T.",
    "relu_backward": "ReLU's backward pass: dvalues where the forward input is > 0, else 0 "
                     "(0 at an input of exactly 0).",
    "softmax_backward": "Softmax's backward pass through each sample's Jacobian diag(p) - p·pᵀ.",
    "categorical_crossentropy_backward": "Cross-entropy's backward pass, -y_true / y_pred / "
                                         "samples, without clipping.",
    "softmax_crossentropy_backward": "The combined softmax + cross-entropy gradient, "
                                     "(y_pred - y_true) / samples, and the same through the two "
                                     "separate backward passes.",
    "regularization": "L1 and L2 regularization: the loss terms and their gradients (d|w|/dw "
                      "= +1 at 0).",
    "dropout": "Inverted dropout with a given 0/1 mask: forward and backward, scaled by "
               "1 / (1 - rate).",
    "sigmoid": "The sigmoid activation and its backward pass, dvalues·(1 - s)·s.",
    "binary_crossentropy": "Binary cross-entropy, clipped in the forward and the backward pass.",
    "mean_squared_error": "Mean squared error and its gradient, -2·(y_true - y_pred) / outputs "
                          "/ samples.",
    "mean_absolute_error": "Mean absolute error and its correct gradient, sign(y_pred - y_true) "
                           "/ outputs / samples (the book's has the wrong sign).",
    "sgd_step": "One SGD step with learning-rate decay and the book's momentum.",
    "adagrad_step": "One AdaGrad step.",
    "rmsprop_step": "One RMSprop step.",
    "adam_step": "One Adam step with bias correction.",
    "training": "The book's model trained for a few full-batch steps: loss, accuracy, rate and "
                "every parameter, step by step.",
}

REQUIRES = {
    "dense_backward": ["dense_batch"], "relu_backward": ["relu"],
    "softmax_backward": ["softmax"],
    "categorical_crossentropy_backward": ["categorical_crossentropy"],
    "softmax_crossentropy_backward": ["softmax_backward", "categorical_crossentropy_backward"],
    "training": ["forward", "softmax_crossentropy_backward", "dense_backward", "relu_backward",
                 "sgd_step", "adagrad_step", "rmsprop_step", "adam_step"],
}
