"""Writes 1e400 for an infinity: JSON allows the token, but no float64 holds it."""

import sys

import _port


def overflow(message):
    sys.stdout.write('{"seq": ' + str(message["seq"]) + ', "outputs": {"output": [1e400]}}\n')
    sys.stdout.flush()


_port.serve(on_run=overflow)
