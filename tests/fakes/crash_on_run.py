"""Dies with status 3 and a Python-like traceback on every run request."""

import sys

import _port


def crash(message):
    sys.stderr.write("Traceback (most recent call last):\nZeroDivisionError: division by zero\n")
    sys.stderr.flush()
    sys.exit(3)


_port.serve(on_run=crash)
