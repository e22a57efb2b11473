"""nnfs-kit: the protocol of nnfs-conformance, so that a learner writes only the network.

    from nnfs_kit import serve

    def neuron(inputs, weights, bias):       # lists of floats in, a float out
        ...

    serve(name="my-port", dtype="float64", stages={"neuron": neuron})

serve() answers the runner on stdin and stdout (hello, one reply a case, bye) and never
returns. Before it calls a stage's function it checks the case's inputs, in the order
docs/STAGES.md gives, and answers an invalid one with its error kind itself: your function
receives only well-formed plain lists (floats; labels and masks as ints) and may read like the
book, which checks nothing. It returns the stage's output, or a tuple of its outputs in the
order of the table below (a dict by name works too). An exception becomes an `exception`
reply with its message; `raise Unsupported("reason")` declines the case. Importing the kit
moves stdout to stderr (print() and file descriptor 1 alike) and gives stdin an empty input:
only the protocol uses the real ones.
Standard library only (Python 3.8+).
"""

import inspect
import json
import math
import os
import struct
import sys
import sysconfig
import traceback
from difflib import get_close_matches
from typing import List, Union

__all__ = ["serve", "Unsupported", "Vector", "Matrix", "Labels"]

Vector = List[float]
Matrix = List[List[float]]
Labels = Union[List[int], List[List[int]]]  # class indices (sparse) or one-hot rows


class Unsupported(Exception):
    """Raise it to decline a case: `raise Unsupported("Optimizer_Adam is not written yet")`."""


# ---------------------------------------------------------------------------------------------
# Every stage, declared once: its inputs in the order your function takes them, then (after |)
# the params it is also given, then its outputs in the order it returns them.
#   name[B,K]   an array whose dimensions are named: one name is one size across the stage
#               (B samples, M validation samples, D a second batch, K inputs, N neurons,
#               C classes, H hidden units, S steps, E epochs; a digit is that size). An input
#               with B, M or D first is a batch: `[]` is empty_batch. `[*]` is rank 1 or 2,
#               `[=x]` the shape of input x, `[...]` anything rectangular. No brackets: a
#               single number.
#   name:kind   labels (sparse class indices or one-hot rows, per params.label_format, as
#               ints, one a sample of the batch their first dimension names), binary and mask
#               (ints 0 or 1), count (an int >= 0), steps (an int >= 1; `=S` names it as a
#               size), factor (>= 0), rate (in [0, 1)), int (an integer),
#               byte (an int 0-255), key (a permutation of 0..n-1),
#               layout (weights K x N as Layer_Dense keeps them: sent N x K when
#               params.weights_layout is neurons_inputs, and transposed here).
# Other inputs are floats (rounded to float32 for a float32 port).
STAGES = {
    "neuron": "inputs[K] weights[K] bias -> output",
    "layer": "inputs[K] weights[N,K] biases[N] -> output[N]",
    "dense_batch": "inputs[B,K] weights:layout[K,N] biases[N] -> output[B,N]",
    "relu": "inputs[*] -> output[=inputs]",
    "dense_relu": "inputs[B,K] weights[K,N] biases[N] -> dense[B,N] relu[B,N]",
    "softmax": "inputs[B,C] -> output[B,C]",
    "dense_relu_dense_softmax": "inputs[B,K] weights1[K,H] biases1[H] weights2[H,C] biases2[C]"
    " -> dense1[B,H] relu1[B,H] dense2[B,C] softmax[B,C]",
    "categorical_crossentropy": "y_pred[B,C] y_true:labels[B,C] -> sample_losses[B] loss",
    "accuracy": "y_pred[B,C] y_true:labels[B,C] -> predictions[B] accuracy",
    "forward": "inputs[B,K] weights1[K,H] biases1[H] weights2[H,C] biases2[C] y_true:labels[B,C]"
    " -> dense1[B,H] relu1[B,H] dense2[B,C] softmax[B,C] sample_losses[B] loss"
    " predictions[B] accuracy",
    "dense_backward": "inputs[B,K] weights[K,N] dvalues[B,N] -> dweights[K,N] dbiases[N]"
    " dinputs[B,K]",
    "relu_backward": "inputs[*] dvalues[=inputs] -> dinputs[=inputs]",
    "repeated_forward": "inputs1[B,K] inputs2[D,K] weights[K,N] biases[N] dvalues[D,N]"
    " -> output1[B,N] output2[D,N] dweights[K,N] dbiases[N] dinputs[D,K]",
    "softmax_backward": "output[B,C] dvalues[B,C] -> dinputs[B,C]",
    "categorical_crossentropy_backward": "y_pred[B,C] y_true:labels[B,C] -> dinputs[B,C]",
    "softmax_crossentropy_backward": "y_pred[B,C] y_true:labels[B,C] | path -> dinputs[B,C]",
    "regularization": "weights[K,N] biases[N] weight_regularizer_l1:factor"
    " weight_regularizer_l2:factor bias_regularizer_l1:factor"
    " bias_regularizer_l2:factor -> loss dweights[K,N] dbiases[N]",
    "dropout": "inputs[B,N] mask:mask[B,N] rate:rate dvalues[B,N] -> output[B,N] dinputs[B,N]",
    "sigmoid": "inputs[B,N] dvalues[B,N] -> output[B,N] dinputs[B,N]",
    "binary_crossentropy": "y_pred[B,O] y_true:binary[B,O] -> sample_losses[B] loss dinputs[B,O]",
    "binary_accuracy": "y_pred[B,O] y_true:binary[B,O] -> predictions[B,O] accuracy",
    "linear": "inputs[B,N] dvalues[B,N] -> output[B,N] dinputs[B,N]",
    "mean_squared_error": "y_pred[B,O] y_true[B,O] -> sample_losses[B] loss dinputs[B,O]",
    "mean_absolute_error": "y_pred[B,O] y_true[B,O] -> sample_losses[B] loss dinputs[B,O]",
    "regression_accuracy": "y_pred[B,O] y_true[B,O] precision:factor -> accuracy",
    "sgd_step": "weights[K,N] biases[N] dweights[K,N] dbiases[N] weight_momentums[K,N]"
    " bias_momentums[N] iterations:count learning_rate decay momentum"
    " -> weights[K,N] biases[N] weight_momentums[K,N] bias_momentums[N]"
    " learning_rate iterations",
    "adagrad_step": "weights[K,N] biases[N] dweights[K,N] dbiases[N] weight_cache[K,N]"
    " bias_cache[N] iterations:count learning_rate decay epsilon"
    " -> weights[K,N] biases[N] weight_cache[K,N] bias_cache[N]"
    " learning_rate iterations",
    "rmsprop_step": "weights[K,N] biases[N] dweights[K,N] dbiases[N] weight_cache[K,N]"
    " bias_cache[N] iterations:count learning_rate decay epsilon rho"
    " -> weights[K,N] biases[N] weight_cache[K,N] bias_cache[N]"
    " learning_rate iterations",
    "adam_step": "weights[K,N] biases[N] dweights[K,N] dbiases[N] weight_momentums[K,N]"
    " bias_momentums[N] weight_cache[K,N] bias_cache[N] iterations:count"
    " learning_rate decay epsilon beta_1 beta_2"
    " -> weights[K,N] biases[N] weight_momentums[K,N] bias_momentums[N]"
    " weight_cache[K,N] bias_cache[N] learning_rate iterations",
    "shared_optimizer": "weights1[K,H] biases1[H] weights2[H,C] biases2[C] dweights1[K,H]"
    " dbiases1[H] dweights2[H,C] dbiases2[C] steps:steps learning_rate decay epsilon beta_1"
    " beta_2 -> weights1[K,H] biases1[H] weights2[H,C] biases2[C]",
    "training": "inputs[B,K] y_true:labels[B,C] weights1[K,H] biases1[H] weights2[H,C]"
    " biases2[C] steps:steps=S learning_rate decay momentum epsilon rho beta_1"
    " beta_2 | optimizer -> loss[S] accuracy[S] learning_rate[S] weights1[S,K,H]"
    " biases1[S,H] weights2[S,H,C] biases2[S,C]",
    "preprocess": "images:byte[B,H,W] labels:int[B] keys:key[B] -> x[B,P] y[B]",
    "batches": "inputs[B,K] batch_size:steps -> steps batch_sizes[S] first_rows[S,K]"
    " last_rows[S,K]",
    "predictions": "inputs[B,N] | activation -> predictions[...]",
    "evaluate": "y_pred[B,C] y_true:labels[B,C] batch_size:steps -> loss accuracy",
    "model_training": "inputs[B,K] y_true:labels[B,C] validation_inputs[M,K]"
    " validation_y_true:labels[M,C] weights1[K,H] biases1[H] weights2[H,C] biases2[C]"
    " epochs:steps=E batch_size:steps weight_regularizer_l1:factor"
    " weight_regularizer_l2:factor bias_regularizer_l1:factor bias_regularizer_l2:factor"
    " learning_rate decay momentum epsilon rho beta_1 beta_2 | optimizer -> loss[E]"
    " data_loss[E] regularization_loss[E] accuracy[E] learning_rate[E] validation_loss[E]"
    " validation_accuracy[E] weights1[K,H] biases1[H] weights2[H,C] biases2[C]",
    "parameters": "inputs[B,K] weights1[K,H] biases1[H] weights2[H,C] biases2[C]"
    " -> weights1[K,H] biases1[H] weights2[H,C] biases2[C] output[B,C]",
    "rng": "seed:int calls:int[R,2] -> values[V]",
    "datasets": "seed:int samples:int classes:int | dataset -> x[P,D] y[...]",
    "init": "seed:int skip:int shapes:int[L,2] | scale -> weights[W]",
    "shuffle": "seed:int samples:int -> keys[N]",
    "chapters": "seed:int samples:int classes:int hidden:int steps:int"
    " | printed optimizer learning_rate decay momentum -> value[...]",
}

LABEL_FORMATS = ("sparse", "onehot")
_FLOATS = ("", "layout", "factor", "rate")  # the kinds given to the learner as floats
LAYOUTS = ("inputs_neurons", "neurons_inputs")
NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


class _Array:
    """One input or output of the table: `name:kind[dims]`, or `name:kind=size`."""

    def __init__(self, text):
        self.dims, self.size = (), ""
        if "[" in text:
            text, dims = text[:-1].split("[")
            self.dims = tuple(dims.split(","))
        else:
            text, _, self.size = text.partition("=")
        self.name, _, self.kind = text.partition(":")

    @property
    def batch(self):
        return self.dims[:1] in (("B",), ("M",), ("D",))


class _Stage:
    def __init__(self, name, text):
        inputs, _, outputs = text.partition(" -> ")
        inputs, _, params = inputs.partition(" | ")
        self.name = name
        self.inputs = [_Array(word) for word in inputs.split()]
        self.params = params.split()
        self.outputs = [_Array(word) for word in outputs.split()]


_TABLE = {name: _Stage(name, text) for name, text in STAGES.items()}


# ---------------------------------------------------------------------------------------------
# Input checks: the kinds of docs/STAGES.md, per input in the table's order: an empty batch,
# ragged rows, the rank and the sizes; then the labels; then the domains of single values.


class _Invalid(Exception):
    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


def _is_number(x):
    return type(x) in (float, int) or (type(x) is str and x in NON_FINITE)


def _is_integer(x):
    return type(x) in (float, int) and math.isfinite(x) and float(x).is_integer()


def _shape(name, value, numbers):
    """The shape of a nested list (ragged_rows if its rows differ); a leaf that is not a number
    is shape_mismatch when `numbers` (labels and masks are judged on their values later)."""
    if type(value) is not list:
        if numbers and not _is_number(value):
            raise _Invalid("shape_mismatch", f"{name} is {value!r}, not a number")
        return ()
    if not any(type(v) is list for v in value):  # a row of single values: the usual case
        if numbers:
            for i, v in enumerate(value):
                if not _is_number(v):
                    raise _Invalid("shape_mismatch", f"{name}[{i}] is {v!r}, not a number")
        return (len(value),)
    shapes = [_shape(f"{name}[{i}]", v, numbers) for i, v in enumerate(value)]
    for i, shape in enumerate(shapes):
        if shape != shapes[0]:
            raise _Invalid(
                "ragged_rows",
                f"{name}[0] is {_describe(shapes[0])}, {name}[{i}] is {_describe(shape)}",
            )
    return (len(value), *shapes[0])


def _describe(shape):
    if not shape:
        return "a single number"
    if len(shape) == 1:
        return f"a list of {_many(shape[0], 'number')}"
    if len(shape) == 2:
        return f"{_many(shape[0], 'row')} of {_many(shape[1], 'number')}"
    return f"an array of shape {list(shape)}"


def _many(n, unit):
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


_WANTED = {0: "a single number", 1: "a list of numbers", 2: "a list of rows"}


def _rank(array, dims, shape):
    if dims == ("*",):
        if len(shape) in (1, 2):
            return shape
        wanted = "a list of numbers or of rows (rank 1 or 2)"
    elif dims == ("...",) or len(shape) == len(dims):
        return shape
    else:
        wanted = f"{_WANTED[len(dims)]} [{', '.join(dims)}]" if dims else _WANTED[0]
    raise _Invalid("shape_mismatch", f"{array.name} must be {wanted}, not {_describe(shape)}")


def _bind(sizes, dims, shape, name):
    """Each named dimension has one size: the first input to show it sets it."""
    units = ("value",) if len(dims) == 1 else ("row", "column")
    for dim, size, unit in zip(dims, shape, units):
        if dim.isdigit() and size != int(dim):  # a fixed size: rng's [kind, count] pairs
            raise _Invalid(
                "shape_mismatch", f"{name} must have {_many(int(dim), unit)}, not {size}"
            )
        if dim not in sizes:
            sizes[dim] = (size, name, unit)
            continue
        have, source, source_unit = sizes[dim]
        if size != have:
            tail = "" if unit == source_unit else f" {unit}" + ("" if size == 1 else "s")
            raise _Invalid(
                "shape_mismatch",
                f"{source} has {_many(have, source_unit)}, {name} has {size}{tail}",
            )


def _check_labels(array, y_true, label_format, sizes):
    """The labels of the batch named by the array's first dimension (B, or M for validation)."""
    name, batch = array.name, array.dims[0]
    samples, classes = sizes[batch][0], sizes["C"][0]
    if label_format == "sparse":
        shape = _shape(name, y_true, numbers=False)
        if len(shape) != 1:
            raise _Invalid(
                "shape_mismatch",
                f"{name} must be a list of class indices "
                f"(label_format sparse), not {_describe(shape)}",
            )
        _bind(sizes, (batch,), shape, name)
        for b, y in enumerate(y_true):
            if not _is_integer(y):
                raise _Invalid("invalid_label", f"{name}[{b}] is {y!r}, not an integer")
            if not 0 <= y < classes:
                raise _Invalid(
                    "label_out_of_range", f"{name}[{b}] is {y}, not a class in [0, {classes})"
                )
        return [int(y) for y in y_true]
    shape = _shape(name, y_true, numbers=False)
    if len(shape) != 2:
        raise _Invalid(
            "shape_mismatch",
            f"{name} must be one-hot rows (label_format onehot) "
            f"[{samples}, {classes}], not {_describe(shape)}",
        )
    _bind(sizes, (batch, "C"), shape, name)
    for b, row in enumerate(y_true):
        if not all(_is_integer(y) and y in (0, 1) for y in row) or sum(row) != 1:
            raise _Invalid("invalid_label", f"{name}[{b}] is {row!r}, not one 1 among 0s")
    return [[int(y) for y in row] for row in y_true]


def _check_domain(array, value):
    """The single values whose domain the stage restricts: invalid_value (or invalid_label)."""
    kind, name = array.kind, array.name
    if kind in ("mask", "binary"):
        for b, row in enumerate(value):
            for n, v in enumerate(row):
                if not (_is_integer(v) and v in (0, 1)):
                    raise _Invalid(
                        "invalid_value" if kind == "mask" else "invalid_label",
                        f"{name}[{b}][{n}] is {v!r}, not 0 or 1",
                    )
        return [[int(v) for v in row] for row in value]
    if kind in ("count", "steps"):
        least = 1 if kind == "steps" else 0
        if not (_is_integer(value) and value >= least):
            raise _Invalid("invalid_value", f"{name} is {value!r}, not an integer >= {least}")
        return int(value)
    if kind == "factor" and not _float64(value) >= 0:  # NaN is outside every domain
        raise _Invalid("invalid_value", f"{name} is {value!r}, not >= 0")
    if kind == "rate" and not 0 <= _float64(value) < 1:
        raise _Invalid("invalid_value", f"{name} is {value!r}, not in [0, 1)")
    if kind == "int":
        return _ints(name, value)
    if kind == "byte":
        return _bytes(name, value)
    if kind == "key":
        if not all(map(_is_integer, value)) or sorted(value) != list(range(len(value))):
            raise _Invalid("invalid_value", f"{name} is not a permutation of 0..{len(value) - 1}")
        return [int(k) for k in value]
    return value


def _bytes(name, value):
    if type(value) is list:
        return [_bytes(name, v) for v in value]
    if not (_is_integer(value) and 0 <= value <= 255):
        raise _Invalid("invalid_value", f"{name} holds {value!r}, not a byte 0-255")
    return int(value)


def _ints(name, value):
    if type(value) is list:
        return [_ints(name, v) for v in value]
    if not _is_integer(value):
        raise _Invalid("shape_mismatch", f"{name} holds {value!r}, not an integer")
    return int(value)


def _f32(x):
    """The float32 nearest to x, as a Python float (struct rounds to nearest, ties to even)."""
    try:
        return struct.unpack("f", struct.pack("f", x))[0]
    except OverflowError:  # rounds past the largest float32
        return math.copysign(math.inf, x)


def _float64(x):
    return NON_FINITE[x] if type(x) is str else float(x)


def _float32(x):
    return _f32(NON_FINITE[x] if type(x) is str else float(x))


def _floats(value, rank, number):
    if rank == 0:
        return number(value)
    if rank == 1:
        return [number(x) for x in value]
    return [_floats(v, rank - 1, number) for v in value]


def check_inputs(stage, inputs, params, number=_float64):
    """The arguments of the learner's function for one case, and the sizes they showed.
    Raises _Invalid with the kind an invalid case wants."""
    sizes, shapes, checked = {}, {}, {}
    layout = params.get("weights_layout")
    for array in stage.inputs:  # every input's shape, in order
        value = inputs[array.name]
        if array.kind == "labels":
            continue  # once every size is known: C may come after y_true (training)
        if array.batch and value == []:
            raise _Invalid("empty_batch", f"{array.name} has no samples")
        shape = _shape(array.name, value, numbers=array.kind in _FLOATS)
        dims = array.dims
        if dims and dims[0].startswith("="):  # the shape of an earlier input
            like = dims[0][1:]
            if shape != shapes[like]:
                raise _Invalid(
                    "shape_mismatch",
                    f"{array.name} must have the shape of {like}, "
                    f"{list(shapes[like])}, not {list(shape)}",
                )
        else:
            shape = _rank(array, dims, shape)
            if array.kind == "layout" and layout == "neurons_inputs":
                dims = dims[::-1]  # one row per neuron, as in chapter 2
            if dims not in (("*",), ("...",)):
                _bind(sizes, dims, shape, array.name)
        shapes[array.name] = shape
    for array in stage.inputs:  # labels, then the domains of single values, then conversion
        value = inputs[array.name]
        if array.kind == "labels":
            checked[array.name] = _check_labels(array, value, params["label_format"], sizes)
        elif array.kind in ("", "layout"):
            checked[array.name] = value  # converted below, once every check has passed
        else:
            checked[array.name] = _check_domain(array, value)
            if array.size:
                sizes[array.size] = (checked[array.name], array.name, "value")
    args = []
    for array in stage.inputs:
        value = checked[array.name]
        if array.kind in _FLOATS:
            value = _floats(value, len(shapes[array.name]), number)
        if array.kind == "layout" and layout == "neurons_inputs":
            value = [list(column) for column in zip(*value)] if value else value
        args.append(value)
    # NOTE: a rank-1 array of a [*] stage (relu on chapter 4's list) reaches the learner as one
    #       row, as in every kit, so a batch ReLU passes it; its outputs go back as rank 1.
    if any(a.dims == ("*",) and len(shapes[a.name]) == 1 for a in stage.inputs):
        for i, array in enumerate(stage.inputs):
            args[i], shapes[array.name] = [args[i]], (1, *shapes[array.name])
        sizes[_ONE_ROW] = (True, "", "")
    return args + [params[name] for name in stage.params], shapes, sizes


# ---------------------------------------------------------------------------------------------
# Outputs: checked against the sizes the inputs showed, non-finite numbers as strings.


class _BadOutput(Exception):
    pass


def _encode(value):
    """A learner's output as JSON-ready nested lists, and its shape."""
    if hasattr(value, "tolist"):  # a NumPy array or scalar, for a learner who moved on
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        if not any(isinstance(v, (list, tuple)) or hasattr(v, "tolist") for v in value):
            return [_number(v, i) for i, v in enumerate(value)], (len(value),)
        encoded, shapes = [], []
        for i, v in enumerate(value):
            try:
                e, s = _encode(v)
            except _BadOutput as error:
                raise _BadOutput(f"[{i}]{error}") from None
            encoded.append(e)
            shapes.append(s)
        for i, shape in enumerate(shapes):
            if shape != shapes[0]:
                raise _BadOutput(
                    f" has ragged rows: [0] is {_describe(shapes[0])}, [{i}] is {_describe(shape)}"
                )
        return encoded, (len(value), *shapes[0])
    return _number(value, None), ()


def _number(x, index):
    if isinstance(x, float):
        if x - x == 0:
            return float(x)
        return "NaN" if x != x else ("Infinity" if x > 0 else "-Infinity")
    if isinstance(x, int) and not isinstance(x, bool):
        return int(x)
    where = "" if index is None else f"[{index}]"
    raise _BadOutput(f"{where} is {x!r}, not a number")


_ONE_ROW = "rank 1 given as one row"  # a key of `sizes`: unwrap the outputs


def encode_outputs(stage, result, shapes, sizes):
    """The reply's outputs: the learner's result by name, each checked for its shape."""
    names = [array.name for array in stage.outputs]
    if isinstance(result, dict):
        if set(result) != set(names):
            raise _BadOutput(f"returned a dict of {list(result)}; it must hold {names}")
        values = [result[name] for name in names]
    elif len(names) == 1:
        values = [result]
    elif isinstance(result, tuple) and len(result) == len(names):
        values = list(result)
    else:
        got = f"{len(result)} values" if isinstance(result, tuple) else type(result).__name__
        raise _BadOutput(f"must return the tuple ({', '.join(names)}), not {got}")
    outputs = {}
    for array, value in zip(stage.outputs, values):
        try:
            encoded, shape = _encode(value)
        except _BadOutput as error:
            raise _BadOutput(f"returned {array.name}{error}") from None
        _check_output(array, shape, shapes, sizes)
        outputs[array.name] = encoded[0] if _ONE_ROW in sizes else encoded
    return outputs


def _check_output(array, shape, shapes, sizes):
    dims = array.dims
    if dims == ("...",):
        return
    if dims and dims[0].startswith("="):
        wanted = list(shapes[dims[0][1:]])
        if list(shape) != wanted:
            raise _BadOutput(
                f"returned {array.name} of shape {list(shape)}; it must have the "
                f"shape of {dims[0][1:]}, {wanted}"
            )
        return
    wanted = [sizes[d][0] if d in sizes else d for d in dims]
    fits = len(shape) == len(dims) and all(
        w == s for w, s in zip(wanted, shape) if not isinstance(w, str)
    )
    if not fits:
        want = f"[{', '.join(dims)}] = {wanted}" if dims else "a single number"
        raise _BadOutput(f"returned {array.name} as {_describe(shape)}; it must be {want}")
    for d, s in zip(dims, shape):  # sizes only outputs show (rng's V) must agree among them
        sizes.setdefault(d, (s, array.name, ""))


# ---------------------------------------------------------------------------------------------
# The learner's errors, in their words: `ValueError: math domain error at port.py:42 in softmax`


_INSTALLED = {
    os.path.abspath(p)
    for key in ("stdlib", "platstdlib", "purelib", "platlib")
    for p in [sysconfig.get_paths().get(key)]
    if p
}


def _mine(filename, folder):
    """A frame of the learner's code: in their folder, not this kit nor an installed package."""
    if filename.startswith("<"):
        return False
    path = os.path.abspath(filename)
    return (
        path.startswith(folder + os.sep)
        and path != os.path.abspath(__file__)
        and not any(path.startswith(p + os.sep) for p in _INSTALLED)
    )


def describe_error(error, folder):
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    frames = [f for f in traceback.extract_tb(error.__traceback__) if _mine(f.filename, folder)]
    if not frames:
        return text
    frame = frames[-1]
    return f"{text} at {os.path.relpath(frame.filename, folder)}:{frame.lineno} in {frame.name}"


# ---------------------------------------------------------------------------------------------
# The protocol: JSON Lines on stdin and stdout.


class _Refused(Exception):
    """A request outside the protocol: one line on stderr, exit status 1."""


def _bare_constant(token):
    raise _Refused(f'a bare {token} is not JSON: the protocol writes it as the string "{token}"')


# The standard library's json, with its C scanner and encoder: it parses every number to the
# nearest double (float() does) and prints the shortest text that reads back as the same double
# (float repr). Only the non-finite numbers need help: the protocol sends them as strings.
_DECODER = json.JSONDecoder(parse_constant=_bare_constant)
_ENCODER = json.JSONEncoder(allow_nan=False, separators=(",", ":"))


class _Port:
    def __init__(self, name, stages, dtype, version, label_formats, folder):
        self.stages = stages  # stage name -> (table entry, the learner's function)
        self.number = _float32 if dtype == "float32" else _float64
        self.folder = folder
        self.label_formats = list(label_formats)
        self.hello = {
            "protocol": 1,
            "name": name,
            "language": "python",
            "dtype": dtype,
            "stages": list(stages),
            "label_formats": self.label_formats,
            "checks_inputs": True,
        }
        if version is not None:
            self.hello["version"] = version

    def answer(self, line):
        """The reply to one request line (None for bye); _Refused outside the protocol."""
        try:
            message = _DECODER.decode(line.decode("utf-8").rstrip("\r\n"))
        except (ValueError, UnicodeDecodeError) as error:
            raise _Refused(f"the request is not JSON ({error})") from None
        if type(message) is not dict:
            raise _Refused("the request is not a JSON object")
        cmd = message.get("cmd")
        if cmd == "hello":
            return self.hello
        if cmd == "bye":
            return None
        if cmd == "run":
            return self.run(message)
        raise _Refused(f"unknown cmd {cmd!r}")

    def run(self, message):
        seq = message.get("seq")
        if type(seq) is not int:
            raise _Refused("a run request needs an integer seq")
        name = message.get("stage")
        if name not in self.stages:
            raise _Refused(f"a run for stage {name!r}, which this port does not declare")
        stage, function = self.stages[name]
        inputs, params = message.get("inputs"), message.get("params", {})
        if type(inputs) is not dict or type(params) is not dict:
            raise _Refused("inputs and params must be JSON objects")
        missing = [a.name for a in stage.inputs if a.name not in inputs]
        if missing:
            raise _Refused(f"the {name} request has no input {missing[0]}")
        self.check_params(stage, params)
        try:
            args, shapes, sizes = check_inputs(stage, inputs, params, self.number)
        except _Invalid as error:
            return {"seq": seq, "error": {"kind": error.kind, "message": str(error)}}
        try:
            result = function(*args)
        except Unsupported as error:
            return {"seq": seq, "unsupported": str(error) or f"{name} declined this case"}
        except Exception as error:  # the learner's: the run goes on
            return {
                "seq": seq,
                "error": {"kind": "exception", "message": describe_error(error, self.folder)},
            }
        try:
            return {"seq": seq, "outputs": encode_outputs(stage, result, shapes, sizes)}
        except _BadOutput as error:
            return {"seq": seq, "error": {"kind": "exception", "message": f"{name} {error}"}}

    def check_params(self, stage, params):
        wanted = list(stage.params)
        if any(a.kind == "labels" for a in stage.inputs):
            wanted.append("label_format")
            if params.get("label_format") not in LABEL_FORMATS:
                raise _Refused(
                    f"label_format {params.get('label_format')!r} is not one of "
                    f"{list(LABEL_FORMATS)}"
                )
        if any(a.kind == "layout" for a in stage.inputs):
            wanted.append("weights_layout")
            if params.get("weights_layout") not in LAYOUTS:
                raise _Refused(
                    f"weights_layout {params.get('weights_layout')!r} is not one of {list(LAYOUTS)}"
                )
        missing = [p for p in wanted if p not in params]
        if missing:
            raise _Refused(f"the {stage.name} request has no param {missing[0]}")


def _refuse(program, text, status):
    sys.stderr.write(f"{program}: {text}\n")
    sys.stderr.flush()
    sys.exit(status)


def _declare(program, stages, dtype, label_formats):
    """The learner's stages in pipeline order, each checked against its table entry."""
    if dtype not in ("float64", "float32"):
        _refuse(program, f"dtype must be 'float64' or 'float32', not {dtype!r}", 2)
    if not set(label_formats) <= set(LABEL_FORMATS) or not label_formats:
        _refuse(program, f"label_formats must be some of {list(LABEL_FORMATS)}", 2)
    for name in stages:
        if name not in _TABLE:
            close = get_close_matches(str(name), list(_TABLE), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            _refuse(program, f"serve() got a function for {name!r}, which is not a stage{hint}", 2)
    declared = {}
    for name, stage in _TABLE.items():
        if name not in stages:
            continue
        function = stages[name]
        arguments = [a.name for a in stage.inputs] + stage.params
        try:
            inspect.signature(function).bind(*arguments)
        except TypeError:
            _refuse(
                program,
                f"the function for {name} cannot be called with its "
                f"{len(arguments)} arguments ({', '.join(arguments)})",
                2,
            )
        except ValueError:  # a builtin without a signature: take it on trust
            pass
        declared[name] = (stage, function)
    return declared


def _guard_stdio():
    """Keep the real stdin and stdout for the protocol; the learner's prints go to stderr and
    their reads see an empty input, so neither can disturb a reply. Done on import, so a print
    at the top of the learner's module, before serve(), is moved too."""
    sys.stdout.flush()
    replies = os.fdopen(os.dup(1), "wb")
    requests = os.fdopen(os.dup(0), "rb")
    os.dup2(2, 1)
    empty = os.open(os.devnull, os.O_RDONLY)
    os.dup2(empty, 0)
    os.close(empty)
    sys.stdout = sys.stderr
    sys.stdin = open(os.devnull)
    return requests, replies


def serve(name, stages, dtype="float64", version=None, label_formats=LABEL_FORMATS):
    """Answer the runner with these stage functions until bye or the end of input; exit 0.

    stages: {"neuron": neuron, ...}, any of the table's stages. A request outside the protocol
    is one line on stderr and exit status 1; a mistake in this call, exit status 2."""
    main = sys.modules.get("__main__")
    program = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "port"
    folder = os.path.dirname(os.path.abspath(getattr(main, "__file__", None) or "."))
    port = _Port(
        name, _declare(program, stages, dtype, label_formats), dtype, version, label_formats, folder
    )
    requests, replies = _STDIO
    while True:
        line = requests.readline()
        if not line:  # end of input: the one-shot transport, or the runner went away
            break
        if not line.strip():
            continue
        try:
            reply = port.answer(line)
            if reply is None:  # bye
                break
            text = _ENCODER.encode(reply)
        except _Refused as error:
            request = line[:200].decode("utf-8", "replace").strip()
            _refuse(program, f"cannot answer: {error}: {request}", 1)
        except Exception as error:  # a bug in this kit: said in one line all the same
            _refuse(program, f"cannot answer: {type(error).__name__}: {error} (nnfs_kit)", 1)
        replies.write(text.encode() + b"\n")
        replies.flush()
    sys.exit(0)


_STDIO = _guard_stdio()  # (requests, replies): the real stdin and stdout, kept for serve()
