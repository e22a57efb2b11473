"""Answers every case with an 8 MB wrong reply: a million-element output (its JSON made once)."""

import json
import sys

import _port

OUTPUT = json.dumps([0.5] * 1_600_000)


def reply(message):
    sys.stdout.write(
        f'{{"seq": {json.dumps(message["seq"])}, "outputs": {{"output": {OUTPUT}}}}}\n'
    )
    sys.stdout.flush()


_port.serve(on_run=reply)
