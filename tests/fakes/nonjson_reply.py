"""Answers run requests with text that is not JSON."""

import sys

import _port


def prose(message):
    sys.stdout.write("output is [0, 2]\n")
    sys.stdout.flush()


_port.serve(on_run=prose)
