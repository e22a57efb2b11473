"""Writes NaN as a bare token (Python's json.dumps default), which is not JSON."""

import sys

import _port


def nan(message):
    sys.stdout.write('{"seq": ' + str(message["seq"]) + ', "outputs": {"output": NaN}}\n')
    sys.stdout.flush()


_port.serve(on_run=nan)
