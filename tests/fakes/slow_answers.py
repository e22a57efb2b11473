"""Answers every case correctly, each after 0.3 s, counting its answers in $FAKE_STATE/answered."""

import os
import time

import _port


def slowly(message):
    time.sleep(0.3)
    _port.write(_port.answer(message))
    path = os.path.join(os.environ.get("FAKE_STATE", "."), "answered")
    with open(path, "a") as f:
        f.write(f"{message['seq']}\n")


_port.serve(on_run=slowly)
