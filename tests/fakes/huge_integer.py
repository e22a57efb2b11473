"""Answers with an integer of 100,001 digits where a number belongs."""

import sys

import _port


def big(message):
    digits = "1" + "0" * 100_000
    sys.stdout.write(f'{{"seq": {message["seq"]}, "outputs": {{"output": {digits}}}}}\n')
    sys.stdout.flush()


_port.serve(on_run=big)
