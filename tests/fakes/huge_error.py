"""Answers every case with an error whose kind and message are megabytes long."""

import _port

_port.serve(
    on_run=lambda m: _port.write(
        {"seq": m["seq"], "error": {"kind": "k" * 1_000_000, "message": "m" * 8_000_000}}
    )
)
