"""Claims to speak protocol 2."""

import _port

_port.serve(hello=dict(_port.HELLO, protocol=2))
