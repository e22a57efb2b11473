"""Answers correctly plus an output the stage does not have."""

import _port


def chatty(message):
    reply = _port.answer(message)
    if "outputs" in reply:
        reply["outputs"]["debug"] = [1, 2]
    _port.write(reply)


_port.serve(on_run=chatty)
