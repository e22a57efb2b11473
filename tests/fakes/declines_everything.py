"""A port that declines every case it is asked: nothing is graded, so the run cannot be green."""

import _port

_port.serve(on_run=lambda m: _port.write({"seq": m["seq"], "unsupported": "nothing written"}))
