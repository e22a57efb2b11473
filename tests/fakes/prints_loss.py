"""Prints `loss 1.09` on stdout (a debug print) before each correct reply."""

import _port


def chatty(message):
    print("loss", 1.09, flush=True)
    _port.write(_port.answer(message))


_port.serve(on_run=chatty)
