"""A correct port that declares accuracy but declines its cases: `unsupported` with a reason."""

import _port


def on_run(message):
    if message["stage"] == "accuracy":
        _port.write({"seq": message["seq"], "unsupported": "accuracy is not written yet"})
    else:
        _port.write(_port.answer(message))


_port.serve(on_run=on_run)
