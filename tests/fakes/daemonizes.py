"""At hello, starts a daemon the classic way (fork, setsid, fork again, the middle one exits), so
it leaves the port's session and process group and is re-parented away from the port; then
answers every case correctly. The daemon records its pid and sleeps: it must not outlive the run."""

import os
import time

import _port


def daemonize():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            _port.record_pid()
            time.sleep(3600)
        os._exit(0)
    os.wait()


daemonize()
_port.serve()
