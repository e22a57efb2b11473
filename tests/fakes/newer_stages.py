"""A port written for a newer suite: it also declares a stage this suite does not have."""

import _port

_port.serve(hello=dict(_port.HELLO, stages=[*_port.HELLO["stages"], "conv2d_backward"]))
