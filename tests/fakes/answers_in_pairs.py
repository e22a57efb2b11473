"""Reads two run requests before answering either (then answers both, in order): a port that
passes only if the runner sends requests ahead instead of waiting for each reply."""

import _port

held = []


def in_pairs(message):
    held.append(message)
    if len(held) == 2:
        for pending in held:
            _port.write(_port.answer(pending))
        held.clear()


_port.serve(on_run=in_pairs)
