"""Writes 8 MiB to stderr before each correct reply: a runner that does not drain stderr hangs."""

import sys

import _port


def noisy(message):
    line = "debug: " + "x" * 1017 + "\n"
    for _ in range(8 * 1024):
        sys.stderr.write(line)
    sys.stderr.write("debug: last words\n")
    sys.stderr.flush()
    _port.write(_port.answer(message))


_port.serve(on_run=noisy)
