"""On a run request, writes the stderr text in $FAKE_STDERR (a file: a real port's crash) and
exits as that port did: with status $FAKE_EXIT, or killed by signal -$FAKE_EXIT."""

import os
import signal
import sys

import _port


def crash(message):
    with open(os.environ["FAKE_STDERR"], "rb") as f:
        sys.stderr.buffer.write(f.read())
    sys.stderr.flush()
    status = int(os.environ["FAKE_EXIT"])
    if status < 0:
        signal.signal(-status, signal.SIG_DFL)
        os.kill(os.getpid(), -status)
    sys.exit(status)


_port.serve(on_run=crash)
