"""Takes 3 seconds to answer hello (a port loading a model): the runner may be stopped meanwhile."""

import time

import _port


def hello_late(message):
    time.sleep(3)
    _port.write(_port.HELLO)


_port.serve(on_hello=hello_late)
