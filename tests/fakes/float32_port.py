"""A correct port that declares float32 and only sparse labels and the relu stage."""

import _port

_port.serve(
    hello=dict(_port.HELLO, dtype="float32", stages=["relu", "accuracy"], label_formats=["sparse"])
)
