"""A correct port: computes every case of the test stages (session and one-shot alike)."""

import _port

_port.serve()
