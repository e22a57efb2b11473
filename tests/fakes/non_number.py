"""Answers with a boolean, a numeric string and null where numbers belong."""

import _port


def typed(message):
    reply = _port.answer(message)
    if "outputs" in reply:
        reply["outputs"] = {name: [True, "2", None] for name in reply["outputs"]}
    _port.write(reply)


_port.serve(on_run=typed)
