"""A correct port whose accuracy takes sparse labels only, said per stage in its hello."""

import _port

_port.serve(hello=dict(_port.HELLO, label_formats={"accuracy": ["sparse"]}))
