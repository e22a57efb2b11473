"""Answers hello with an unknown dtype and without label_formats."""

import _port

hello = {k: v for k, v in _port.HELLO.items() if k != "label_formats"}
_port.serve(hello=dict(hello, dtype="float16"))
