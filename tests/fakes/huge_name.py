"""Calls itself by a 20 MiB name, then answers every case correctly."""

import _port

_port.serve(
    hello=dict(
        _port.HELLO, name="n" * (20 * 1024 * 1024), language="l" * 100_000, version="v" * 100_000
    )
)
