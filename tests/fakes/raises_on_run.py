"""Raises a real ValueError inside its softmax on every run request: a real Python traceback."""

import _port


def softmax(row):
    if len(row) != 3:
        raise ValueError(f"softmax: expected 3 classes, got {len(row)}")
    return row


def crash(message):
    softmax(message["inputs"]["inputs"][0])


_port.serve(on_run=crash)
