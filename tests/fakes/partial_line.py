"""Writes the start of a reply without ever finishing the line."""

import sys
import time

import _port


def stall(message):
    sys.stdout.write('{"seq": ' + str(message["seq"]) + ', "outp')
    sys.stdout.flush()
    time.sleep(3600)


_port.serve(on_run=stall)
