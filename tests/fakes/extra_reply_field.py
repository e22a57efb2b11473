"""Answers correctly with an extra top-level field the protocol does not define."""

import _port


def annotated(message):
    _port.write(dict(_port.answer(message), debug="took 3 ms"))


_port.serve(on_run=annotated)
