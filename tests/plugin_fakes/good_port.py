"""A small correct port (neuron, relu, accuracy with sparse labels) for the plugin's tests."""

import json
import sys

HELLO = {
    "protocol": 1,
    "name": "good-fake",
    "language": "python",
    "dtype": "float64",
    "stages": ["neuron", "relu", "accuracy"],
    "label_formats": ["sparse"],
    "checks_inputs": True,
}


def relu(inputs):
    if len({len(row) for row in inputs}) > 1:
        raise ValueError("ragged_rows")
    return {"output": [[max(0.0, x) for x in row] for row in inputs]}


def neuron(inputs, weights, bias):
    return {"output": sum(i * w for i, w in zip(inputs, weights)) + bias}


def accuracy(y_pred, y_true):
    predictions = [row.index(max(row)) for row in y_pred]
    hits = sum(p == t for p, t in zip(predictions, y_true))
    return {"predictions": predictions, "accuracy": hits / len(predictions)}


def answer(message):
    inputs = message["inputs"]
    try:
        if message["stage"] == "relu":
            return {"outputs": relu(inputs["inputs"])}
        if message["stage"] == "neuron":
            return {"outputs": neuron(inputs["inputs"], inputs["weights"], inputs["bias"])}
        return {"outputs": accuracy(inputs["y_pred"], inputs["y_true"])}
    except ValueError as exc:
        return {"error": {"kind": str(exc), "message": "rows differ in length"}}


def main(hello=HELLO, answer=answer):
    """The protocol loop; the broken fake reuses it with its own hello and answers."""
    for line in sys.stdin:
        message = json.loads(line)
        if message["cmd"] == "hello":
            reply = hello
        elif message["cmd"] == "run":
            reply = {"seq": message["seq"], **answer(message)}
        else:
            return
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
