"""Names itself with terminal escapes (clear screen, window title, CR, LF, conceal), then answers
every case correctly."""

import _port

_port.serve(
    hello=dict(
        _port.HELLO,
        name="\x1b[2J\x1b[Hevil\rport\nline2",
        language="\x1b]0;pwned\x07python",
        version="\x1b[8mhidden\x1b[0m",
    )
)
