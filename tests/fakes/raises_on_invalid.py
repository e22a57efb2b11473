"""A port that declares checks_inputs but fails with kind `exception` where it should reject."""

import _port


def on_run(message):
    reply = _port.answer(message)
    if "error" in reply:
        reply["error"] = {"kind": "exception", "message": "IndexError: list index out of range"}
    _port.write(reply)


_port.serve(on_run=on_run)
