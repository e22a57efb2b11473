"""Names itself with a lone surrogate (valid JSON: "\\ud800"), then answers every case
correctly."""

import _port

_port.serve(hello=dict(_port.HELLO, name="port \ud800 one"))
