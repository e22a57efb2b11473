"""The shared body of the fake ports: a correct port of the three test stages.

Each fake in this folder changes one behaviour of `serve`, so a test reads as "this one thing is
wrong". Every fake records its pid in $FAKE_PIDS (if set), so tests can prove that the runner
left no process behind. Standard library only: ports are run with the test's Python.
"""

import json
import math
import os
import sys

HELLO = {
    "protocol": 1,
    "name": "fake",
    "language": "python",
    "dtype": "float64",
    "stages": ["neuron", "relu", "accuracy"],
    "label_formats": ["sparse", "onehot"],
    "checks_inputs": True,
}

NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


class Reject(Exception):
    """The inputs are invalid; args[0] is the error kind."""


def record_pid():
    path = os.environ.get("FAKE_PIDS")
    if path:
        with open(path, "a") as f:
            f.write(f"{os.getpid()}\n")


def number(x):
    return NON_FINITE[x] if isinstance(x, str) else float(x)


def encode(x):
    if isinstance(x, list):
        return [encode(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")
    return x


def relu(x):
    return [relu(v) for v in x] if isinstance(x, list) else max(0.0, number(x))


def compute(stage, inputs, params):
    """The outputs of one case, or Reject(kind)."""
    if stage == "neuron":
        xs, ws = inputs["inputs"], inputs["weights"]
        if len(xs) != len(ws):
            raise Reject("shape_mismatch")
        return {
            "output": sum(number(x) * number(w) for x, w in zip(xs, ws)) + number(inputs["bias"])
        }
    if stage == "relu":
        return {"output": encode(relu(inputs["inputs"]))}
    if stage == "accuracy":
        preds = [row.index(max(row)) for row in inputs["y_pred"]]
        labels = inputs["y_true"]
        if params["label_format"] == "onehot":
            labels = [row.index(1) for row in labels]
        hits = sum(p == t for p, t in zip(preds, labels))
        return {"predictions": preds, "accuracy": hits / len(preds)}
    raise Reject("shape_mismatch")


def answer(message):
    """The correct reply to a run message."""
    try:
        return {
            "seq": message["seq"],
            "outputs": compute(message["stage"], message["inputs"], message["params"]),
        }
    except Reject as exc:
        return {"seq": message["seq"], "error": {"kind": exc.args[0], "message": "rejected"}}


def write(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def serve(on_run=None, hello=HELLO, on_hello=None):
    """Answer hello, run and bye on stdin/stdout until bye or EOF.

    on_run(message) replaces the correct reply: it writes whatever it likes (or nothing).
    """
    for line in sys.stdin:
        if not line.strip():
            continue
        message = json.loads(line)
        if message["cmd"] == "hello":
            if on_hello is not None:
                on_hello(message)
            else:
                write(hello)
        elif message["cmd"] == "run":
            if on_run is not None:
                on_run(message)
            else:
                write(answer(message))
        elif message["cmd"] == "bye":
            sys.exit(0)


record_pid()
