"""Answers with "seq" twice in one object: the wrong seq first, the right one last."""

import json
import sys

import _port


def twice(message):
    reply = json.dumps(_port.answer(message))
    sys.stdout.write('{"seq": 999, ' + reply[1:] + "\n")
    sys.stdout.flush()


_port.serve(on_run=twice)
