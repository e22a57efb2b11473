"""Answers a run request with a line longer than the runner's 32 MiB cap."""

import sys

import _port


def flood(message):
    chunk = "9" * (1 << 20)
    sys.stdout.write('{"seq":' + str(message["seq"]) + ',"outputs":{"output":[')
    for _ in range(33):
        sys.stdout.write(chunk)
    sys.stdout.write("]}}\n")
    sys.stdout.flush()


_port.serve(on_run=flood)
