"""Prints blank lines (and a CR) before each correct reply, which JSON Lines readers skip."""

import sys

import _port


def airy(message):
    sys.stdout.write("\n \n\r\n")
    _port.write(_port.answer(message))


_port.serve(on_run=airy)
