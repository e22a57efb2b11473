#!/bin/sh
# Regenerate the stderr fixtures: build and run each tiny crashing program with its own
# toolchain, as a learner would start a port, and keep its stderr (and exit status) verbatim.
# The programs run in $WORK (default /tmp/nnfs-port), so the paths in the texts are short.
# Usage: tests/data/stderr/capture.sh   (needs python3, java, go, cargo, node, gcc, g++)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${WORK:-/tmp/nnfs-port}
rm -rf "$WORK" && mkdir -p "$WORK" && cp -R "$HERE"/port* "$HERE"/*.java "$HERE"/go "$HERE"/rust "$WORK"/
cd "$WORK" || exit 1
mv port_syntax.py.in port_syntax.py  # not .py in the repository: ruff would refuse it
: > "$HERE/STATUS"
capture() {  # capture NAME COMMAND...: NAME.txt is the stderr; STATUS gets "NAME status" as
    # the runner sees it (negative: killed by that signal), run without a shell in between
    name=$1; shift
    python3 -c 'import subprocess, sys
done = subprocess.run(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                      stderr=open(sys.argv[1], "wb"))
print(done.returncode)' "$HERE/$name.txt" "$@" | sed "s/^/$name /" >> "$HERE/STATUS"
}
capture python python3 port.py
capture python_syntax python3 port_syntax.py
capture java java Port.java
capture java_caused java Caused.java
(cd go && capture go go run .)
(cd rust && cargo build -q 2>/dev/null && capture rust env -u RUST_BACKTRACE cargo run
 capture rust_backtrace env RUST_BACKTRACE=1 ./target/debug/port)
capture node node port.js
capture node_json node port_json.js
gcc -o port_c port.c && capture c_assert ./port_c
g++ -o port_cpp port.cpp && capture cpp_terminate ./port_cpp
