"""Answers every run with `unsupported` but no reason: a protocol error, not a declined case."""

import _port

_port.serve(on_run=lambda m: _port.write({"seq": m["seq"], "unsupported": ""}))
