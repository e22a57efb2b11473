"""Prints blank lines and a log line before each correct reply."""

import sys

import _port


def log_then_answer(message):
    sys.stdout.write("\n\nLoading model...\n")
    _port.write(_port.answer(message))


_port.serve(on_run=log_then_answer)
