"""Answers with the integer 10**400, beyond the float64 range, where a number belongs."""

import sys

import _port


def big(message):
    sys.stdout.write(f'{{"seq": {message["seq"]}, "outputs": {{"output": {10**400}}}}}\n')
    sys.stdout.flush()


_port.serve(on_run=big)
