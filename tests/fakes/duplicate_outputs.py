"""Answers with "outputs" twice in one object: a wrong one first, the right one last."""

import json
import sys

import _port


def twice(message):
    right = _port.answer(message)
    wrong = json.dumps({name: 0 for name in right.get("outputs", {})})
    text = json.dumps(right)
    sys.stdout.write('{"outputs": ' + wrong + ", " + text[1:] + "\n")
    sys.stdout.flush()


_port.serve(on_run=twice)
