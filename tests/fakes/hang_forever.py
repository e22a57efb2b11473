"""Shakes hands, then never answers a run request."""

import time

import _port

_port.serve(on_run=lambda message: time.sleep(3600))
