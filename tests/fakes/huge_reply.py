"""Answers every case with an 8 MB wrong reply: a million-element output."""

import _port

_port.serve(
    on_run=lambda m: _port.write({"seq": m["seq"], "outputs": {"output": [0.5] * 1_600_000}})
)
