"""Starts a grandchild that sleeps (holding stdout), then hangs: both must be killed."""

import subprocess
import sys
import time

import _port


def fork_and_hang(message):
    subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import sys, time; sys.path.insert(0, {sys.path[0]!r}); import _port; "
            "time.sleep(3600)",
        ]
    )
    time.sleep(3600)


_port.serve(on_run=fork_and_hang)
