"""A port with typical mistakes, for the plugin's tests: relu passes negatives through and
never reports errors, neuron crashes the process, accuracy is right."""

import json
import sys

HELLO = {"protocol": 1, "name": "broken-fake", "language": "python", "dtype": "float64",
         "stages": ["neuron", "relu", "accuracy"], "label_formats": ["sparse"]}


def answer(message):
    inputs = message["inputs"]
    if message["stage"] == "relu":
        return {"output": inputs["inputs"]}  # forgot max(0, x)
    if message["stage"] == "neuron":
        sys.stderr.write("ZeroDivisionError: float division by zero\n")
        sys.exit(3)
    predictions = [row.index(max(row)) for row in inputs["y_pred"]]
    hits = sum(p == t for p, t in zip(predictions, inputs["y_true"]))
    return {"predictions": predictions, "accuracy": hits / len(predictions)}


def main():
    for line in sys.stdin:
        message = json.loads(line)
        if message["cmd"] == "hello":
            reply = HELLO
        elif message["cmd"] == "run":
            reply = {"seq": message["seq"], "outputs": answer(message)}
        else:
            return
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
