"""Starts but never answers hello."""

import time

import _port

_port.serve(on_hello=lambda message: time.sleep(3600))
