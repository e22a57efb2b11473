"""Closes its stdout on the first run request and keeps running."""

import os
import time

import _port


def close(message):
    os.close(1)
    time.sleep(3600)


_port.serve(on_run=close)
