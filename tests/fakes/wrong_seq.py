"""Answers correctly but with the seq of the next request."""

import _port


def shifted(message):
    reply = _port.answer(message)
    reply["seq"] = message["seq"] + 1
    _port.write(reply)


_port.serve(on_run=shifted)
