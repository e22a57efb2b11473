"""A port with typical mistakes, for the plugin's tests: relu passes negatives through and
never reports errors, neuron crashes the process, accuracy is right."""

import sys

import good_port

HELLO = {**good_port.HELLO, "name": "broken-fake"}


def answer(message):
    inputs = message["inputs"]
    if message["stage"] == "relu":
        return {"outputs": {"output": inputs["inputs"]}}  # forgot max(0, x)
    if message["stage"] == "neuron":
        sys.stderr.write("ZeroDivisionError: float division by zero\n")
        sys.exit(3)
    return {"outputs": good_port.accuracy(inputs["y_pred"], inputs["y_true"])}


if __name__ == "__main__":
    good_port.main(HELLO, answer)
