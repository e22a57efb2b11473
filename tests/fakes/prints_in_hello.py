"""Prints a banner on stdout before its hello reply, as a learner's port often does."""

import sys

import _port


def banner_then_hello(message):
    sys.stdout.write("Neural network ready (2 layers)\n")
    _port.write(_port.HELLO)


_port.serve(on_hello=banner_then_hello)
