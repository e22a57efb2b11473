"""The plain-Python port of nnfs-conformance: protocol 1, JSON Lines over stdin and stdout.

Reads one message a line, answers each with one line, and flushes. Serves both transports:
a session (many messages, then {"cmd": "bye"}) and one-shot (one message, then end of input).
Run it under the suite's runner:  nnfs-conform run -- python3 ports/python/port.py
"""

import json
import math
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import book  # the book tier (docs/BOOK.md), beside this file
import nnfs  # the stages, beside this file

HELLO = {
    "protocol": 1,
    "name": "python-plain",
    "language": "python",
    "dtype": "float64",
    "stages": ["neuron", "layer", "dense_batch", "relu", "softmax",
               "categorical_crossentropy", "accuracy", "forward",
               "dense_backward", "relu_backward", "softmax_backward",
               "categorical_crossentropy_backward", "softmax_crossentropy_backward",
               "regularization", "dropout", "sigmoid", "binary_crossentropy",
               "mean_squared_error", "mean_absolute_error",
               "sgd_step", "adagrad_step", "rmsprop_step", "adam_step", "training",
               "rng", "datasets", "init", "chapters"],
    "label_formats": ["sparse", "onehot"],
    "checks_inputs": True,
    "version": "0.1.0",
}

BOOK = ("rng", "datasets", "init", "chapters")
STAGES = {name: getattr(book if name in BOOK else nnfs, name) for name in HELLO["stages"]}

# JSON has no NaN or infinities: the protocol writes them as these strings.
NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def decode(value):
    """Nested lists with "NaN"/"Infinity"/"-Infinity" strings -> nested lists of floats."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, str) and value in NON_FINITE:
        return NON_FINITE[value]
    return value


def encode(value):
    """The inverse of decode: non-finite floats become their string names."""
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, float) and math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def run(message):
    """Answer a run message: the stage's outputs, or the kind of error its inputs have."""
    stage = STAGES[message["stage"]]
    inputs = {name: decode(value) for name, value in message["inputs"].items()}
    try:
        outputs = stage(**inputs, **message.get("params", {}))
    except nnfs.StageError as error:
        return {"seq": message["seq"], "error": {"kind": error.kind, "message": error.message}}
    return {"seq": message["seq"], "outputs": {k: encode(v) for k, v in outputs.items()}}


def answer(line):
    """The reply to one line, or None for bye. Raises on anything that is not the protocol."""
    message = json.loads(line)
    cmd = message["cmd"]
    if cmd == "hello":
        return HELLO
    if cmd == "run":
        return run(message)
    if cmd == "bye":
        return None
    raise ValueError(f"unknown cmd {cmd!r}")


def main():
    while True:
        line = sys.stdin.buffer.readline()
        if not line:  # end of input: the one-shot transport, or the runner went away
            return 0
        if not line.strip():
            continue
        try:
            reply = answer(line.decode("utf-8"))
            if reply is None:  # bye
                return 0
            text = json.dumps(reply, allow_nan=False)
        except Exception:
            # A bad request or a bug in this port. The protocol has no error kind for that, so
            # say why on stderr and exit non-zero: the runner marks the case and restarts us.
            request = line[:200].decode("utf-8", "replace").strip()
            print(f"port.py: cannot answer: {request}", file=sys.stderr)
            traceback.print_exc()  # last, so its final line (the exception) ends stderr
            return 1
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
