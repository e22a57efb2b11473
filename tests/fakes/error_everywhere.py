"""Reports a shape_mismatch error for every case, valid or not."""

import _port


def refuse(message):
    _port.write({"seq": message["seq"], "error": {"kind": "shape_mismatch", "message": "nope"}})


_port.serve(on_run=refuse)
