"""Crashes on its first run request, and every later start fails before hello."""

import os
import sys

import _port

marker = os.path.join(os.environ["FAKE_STATE"], "started")
if os.path.exists(marker):
    sys.stderr.write("error: lock file exists\n")
    sys.exit(4)
open(marker, "w").close()
_port.serve(on_run=lambda message: sys.exit(3))
