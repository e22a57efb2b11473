"""Answers run requests with JSON nested far deeper than any parser's recursion limit."""

import sys

import _port


def bomb(message):
    sys.stdout.write(
        '{"seq": ' + str(message["seq"]) + ', "outputs": {"output": ' + "[" * 200_000 + "\n"
    )
    sys.stdout.flush()


_port.serve(on_run=bomb)
