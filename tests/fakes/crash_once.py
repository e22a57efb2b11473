"""Crashes (SIGSEGV-like, via abort) on relu/infinities; every other case is answered right."""

import os

import _port


def fragile(message):
    if message["id"] == "relu/infinities":
        os.abort()
    _port.write(_port.answer(message))


_port.serve(on_run=fragile)
