"""Answers every case with its outputs and 300,000 extra output names."""

import _port


def flood(message):
    reply = _port.answer(message)
    reply["outputs"].update({f"debug_{i}": 0 for i in range(300_000)})
    _port.write(reply)


_port.serve(on_run=flood)
