"""Crashes on its first case; restarted, it says hello as a float32 port of another name."""

import os
import sys

import _port

marker = os.path.join(os.environ["FAKE_STATE"], "started")
restarted = os.path.exists(marker)
open(marker, "a").close()


def crash(message):
    sys.exit(3)


if restarted:
    _port.serve(hello=dict(_port.HELLO, dtype="float32", name="another"))
else:
    _port.serve(on_run=crash)
